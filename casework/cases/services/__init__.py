"""The only writers of cases: one transaction per business action, audited inside it."""
