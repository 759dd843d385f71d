"""Migration 0005 turns the copies kept of what referrers sent from rendered HTML into the
presenter's data (a named person's twice-escaped row included), and back again."""

from __future__ import annotations

import importlib

from casework.referrals.models import Referral
from casework.referrals.tests.factories import ReferralFactory

migration = importlib.import_module("casework.referrals.migrations.0005_as_sent_as_data")

OLD = [
    {
        "title": "Services asked for",
        "rows": [
            {
                "key": {"text": "Services"},
                "value": {
                    "html": (
                        '<ul class="nhsuk-list nhsuk-list--bullet"><li>Assessment of the person who stalks</li>'
                        "<li>Report for O&#x27;Brien &amp; Co</li></ul>"
                    )
                },
            }
        ],
    },
    {
        "title": "The person referred",
        "rows": [
            {"key": {"text": "Name"}, "value": {"html": "Sam O&#x27;Neill"}},
            {"key": {"text": "Other details"}, "value": {"html": "Known as S<br>Lives alone"}},
        ],
    },
    {
        "title": "Other people involved",
        "rows": [
            {
                "key": {"text": "Person 1"},
                "value": {
                    "html": (
                        "Vera Victimson&lt;br&gt;Victim&lt;br&gt;Relationship: Former partner&lt;br&gt;"
                        "7 Example Road&lt;br&gt;Testtown &amp;amp; Vale"
                    )
                },
            }
        ],
    },
]

NEW = [
    {
        "title": "Services asked for",
        "rows": [
            {
                "key": "Services",
                "bulleted": True,
                "value": ["Assessment of the person who stalks", "Report for O'Brien & Co"],
            }
        ],
    },
    {
        "title": "The person referred",
        "rows": [
            {"key": "Name", "value": "Sam O'Neill"},
            {"key": "Other details", "value": ["Known as S", "Lives alone"]},
        ],
    },
    {
        "title": "Other people involved",
        "rows": [
            {
                "key": "Person 1",
                "value": [
                    "Vera Victimson",
                    "Victim",
                    "Relationship: Former partner",
                    "7 Example Road",
                    "Testtown & Vale",
                ],
            }
        ],
    },
]


def _as_sent(referral) -> list:
    return Referral.objects.get(pk=referral.pk).as_sent


def test_the_kept_html_becomes_data_and_goes_back(db):
    from django.apps import apps

    referral = ReferralFactory()
    Referral.objects.filter(pk=referral.pk).update(as_sent=OLD)
    migration.forwards(apps, None)
    assert _as_sent(referral) == NEW
    migration.forwards(apps, None)  # running twice changes nothing
    assert _as_sent(referral) == NEW
    migration.backwards(apps, None)
    back = _as_sent(referral)
    assert back[2]["rows"][0]["value"]["html"] == (
        "Vera Victimson<br>Victim<br>Relationship: Former partner<br>7 Example Road<br>Testtown &amp; Vale"
    )
    migration.forwards(apps, None)
    assert _as_sent(referral) == NEW


def test_a_referral_with_no_copy_is_left_alone(db):
    from django.apps import apps

    referral = ReferralFactory()
    Referral.objects.filter(pk=referral.pk).update(as_sent=[])
    migration.forwards(apps, None)
    migration.backwards(apps, None)
    assert _as_sent(referral) == []
