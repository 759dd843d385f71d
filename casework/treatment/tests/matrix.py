"""The records the authorisation matrix (casework/core/tests) requests treatment pages about. Each
part of the app (enrolments, the diary, compliance) adds its own overrides here."""

from __future__ import annotations


def treatment_overrides(cast) -> dict[str, dict]:
    overrides: dict[str, dict] = {}
    from casework.treatment.tests import matrix_diary

    overrides.update(matrix_diary.overrides(cast))
    return overrides
