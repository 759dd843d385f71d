"""The records the authorisation matrix (casework/core/tests) requests treatment pages about. Each
part of the app (enrolments, the diary, compliance) adds its own overrides here."""

from __future__ import annotations

from casework.treatment.tests import matrix_enrolment


def treatment_overrides(cast) -> dict[str, dict]:
    overrides: dict[str, dict] = {}
    overrides.update(matrix_enrolment.overrides(cast))
    from casework.treatment.tests import matrix_compliance

    overrides.update(matrix_compliance.overrides(cast))
    from casework.treatment.tests import matrix_diary

    overrides.update(matrix_diary.overrides(cast))
    return overrides
