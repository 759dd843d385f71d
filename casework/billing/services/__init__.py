"""The only writers of billing: ``contracts`` (contracts and the tariff) and ``quotes`` (a quote for
a referral, from draft to accepted or rejected). Each is one transaction and one audit event."""
