"""Synthetic demo data for ``make run`` and the tests: installed only when CASEWORK_ENV is demo or
test (casework/settings.py), never in production, where neither it nor Faker is importable."""
