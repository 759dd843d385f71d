"""My work sections for referrals (registered with casework.core.work)."""
