"""Conventions the tests themselves keep, checked like any other rule of the build."""

from __future__ import annotations

import re
from pathlib import Path

import casework

REPO = Path(casework.__file__).parent.parent

# Ways of faking the clock other than time-machine: freezegun, and patching a "now" by hand
# (which leaves time.time(), sessions, signing and TOTP on the real clock).
OTHER_CLOCKS = re.compile(
    r"freezegun|freeze_time"
    r"|setattr\(\s*timezone\s*,\s*[\"'](now|localdate|localtime)[\"']"
    r"|patch\(\s*[\"'][\w.]*\.(now|localdate|localtime|time)[\"']"
    r"|patch\.object\(\s*(timezone|time|dt\.datetime|datetime)\s*,"
)


def _test_files() -> list[Path]:
    roots = [REPO / "casework", REPO / "tests"]
    files = [p for root in roots for p in root.rglob("*.py") if "tests" in p.relative_to(REPO).parts]
    return sorted(files + [REPO / "conftest.py"])


def other_clocks_in(path: Path) -> list[str]:
    return [
        f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}:{number}"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if OTHER_CLOCKS.search(line)
    ]


def test_tests_freeze_time_one_way_with_time_machine():
    """``time_machine.travel(moment, tick=False)`` moves every clock at once."""
    here = Path(__file__)
    offenders = [hit for path in _test_files() if path != here for hit in other_clocks_in(path)]
    assert offenders == [], "Freeze time with time_machine.travel(..., tick=False): " + ", ".join(offenders)


def test_the_check_finds_other_ways_of_faking_the_clock(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "from freezegun import freeze_time\n"
        'monkeypatch.setattr(timezone, "now", lambda: noon)\n'
        'with mock.patch("django.utils.timezone.now", return_value=later):\n'
        "with time_machine.travel(later, tick=False):\n"
    )
    assert [hit.rsplit(":", 1)[1] for hit in other_clocks_in(sample)] == ["1", "2", "3"]


ABSOLUTE_QUERY_COUNTS = re.compile(r"django_assert_num_queries|django_assert_max_num_queries|assertNumQueries")


def test_query_counts_are_compared_at_two_sizes_of_data():
    """``casework.core.testing.assert_queries_flat`` (or ``assert_page_queries_flat``), never an
    absolute number of queries."""
    here = Path(__file__)
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for path in _test_files()
        if path != here
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ABSOLUTE_QUERY_COUNTS.search(line)
    ]
    assert offenders == [], "Compare query counts with casework.core.testing.assert_queries_flat: " + ", ".join(
        offenders
    )
