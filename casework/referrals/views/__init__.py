"""The staff side of referrals: the list, the referral page, intake, screening, allocation,
documents, letters and break-glass. The agency portal is its own app,
``casework.portal``."""
