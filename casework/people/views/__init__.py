"""Person index pages: persons (list, page, create, edit, seal), their details (names, addresses,
numbers, emails, online identifiers), care teams, linking referrals to persons, merging."""
