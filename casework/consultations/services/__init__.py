"""The only writers of a consultation: ``requests`` (what the agency asked, and the advice given),
``meetings`` (a meeting held about it) and ``conversion`` (turning it into a full referral)."""
