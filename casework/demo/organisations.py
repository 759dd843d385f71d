"""Synthetic referring and commissioning organisations. Names are invented; ODS-style codes use
prefixes real organisations do not use (X…, Y9…)."""

from __future__ import annotations

from casework.demo.context import drama_phone
from casework.organisations.models import Organisation, OrganisationKind

DEMO_ORGANISATIONS = [
    ("Northshire Police", OrganisationKind.POLICE_FORCE, ""),
    ("Eastmarsh Constabulary", OrganisationKind.POLICE_FORCE, ""),
    ("Westvale Police", OrganisationKind.POLICE_FORCE, ""),
    ("Probation Service – Northshire and Eastmarsh", OrganisationKind.PROBATION, "Y9N01"),
    ("Probation Service – Westvale", OrganisationKind.PROBATION, "Y9W01"),
    ("Northshire Magistrates' Court", OrganisationKind.COURT, ""),
    ("Westvale Crown Court", OrganisationKind.COURT, ""),
    ("Northshire MAPPA area", OrganisationKind.MAPPA_AREA, ""),
    ("Eastmarsh and Westvale MAPPA area", OrganisationKind.MAPPA_AREA, ""),
    ("Northshire Mental Health NHS Foundation Trust", OrganisationKind.NHS_TRUST, "XN1"),
    ("Westvale Partnership NHS Trust", OrganisationKind.NHS_TRUST, "XW2"),
    ("Eastmarsh Council Adult Social Care", OrganisationKind.SOCIAL_SERVICES, "Y9E50"),
    ("Westvale Borough Council Children's Services", OrganisationKind.SOCIAL_SERVICES, "Y9W51"),
    ("Independent Stalking Advocacy Service (demo)", OrganisationKind.OTHER, ""),
]


def seed(context) -> None:
    made = []
    for name, kind, ods_code in DEMO_ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(
            name=name,
            kind=kind,
            defaults={
                "ods_code": ods_code,
                "address": context.faker.street_address(),
                "postcode": context.faker.postcode(),
                "phone": drama_phone(context.faker.phone_number()),
                "email": f"referrals@{name.split()[0].lower()}.example.org",
            },
        )
        made.append(organisation)
    context.made["organisations"] = made
    context.say(f"Organisations: {len(made)}")
