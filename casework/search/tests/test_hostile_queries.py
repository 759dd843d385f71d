"""Whatever a user types reaches the database only as words: quotes, FTS5 and tsquery operators,
``NEAR``, ``*``, column filters, SQL and odd Unicode neither break the query nor change its meaning."""

from __future__ import annotations

import pytest

from casework.search.queries import search
from casework.search.tests.conftest import references
from casework.search.text import QueryError, parse

HOSTILE = [
    '"',
    '""',
    '"wombat',
    'wombat"',
    '"stuffed wombat"',
    "'wombat'",
    "wombat'",
    "O'Brien",
    "''",
    "wombat*",
    "*wombat",
    "*",
    "**",
    "wom*bat",
    "stuffed* wombat",
    "wombat OR flowers",
    "wombat AND flowers",
    "NOT wombat",
    "wombat NOT stuffed",
    "wombat -stuffed",
    "+wombat",
    "NEAR(stuffed wombat)",
    "NEAR(stuffed wombat, 2)",
    "NEAR/2",
    "stuffed NEAR wombat",
    "NEAR",
    "near",
    "heading:wombat",
    "clinical:wombat",
    "{clinical}:wombat",
    "{heading details clinical} : wombat",
    "^wombat",
    "wombat^",
    "(wombat",
    "wombat)",
    "((((",
    "[wombat]",
    "wombat:*",
    "wombat:*A",
    "wombat & stuffed",
    "wombat | flowers",
    "!wombat",
    "wombat <-> stuffed",
    "wombat <2> stuffed",
    "'wombat':*",
    "'; DROP TABLE search_fts; --",
    "1' OR '1'='1",
    "1; SELECT * FROM accounts_user",
    "%",
    "%%",
    "%s",
    "_",
    "\\",
    "\\'",
    "wombat\\",
    "\x00wombat",
    "wom\x00bat",
    "\ue000wombat\ue001",
    "<mark>wombat</mark>",
    "<script>alert(1)</script>",
    "日本語",
    "Ωμέγα",
    "זאב",
    "ليلى",
    "🙂",
    "wombat🙂",
    "e\u0301",
    "Zoe\u0308",
    "ﬁnd",
    "Ｗｏｍｂａｔ",
    "ⓦⓞⓜⓑⓐⓣ",
    "wombat\u200bstuffed",
    "a" * 100,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_searched_as_plain_words_or_refused(text, world, cast):
    for user in (cast.clinical_lead, cast.coordinator):
        try:
            query = parse(text)
        except QueryError:
            with pytest.raises(QueryError):
                search(user, text)
            continue
        page = search(user, text)
        # The same as searching for its words written plainly (a piece's words joined by hyphens).
        plain = " ".join("-".join(phrase) for phrase in query.phrases)
        assert parse(plain).phrases == query.phrases
        assert references(page) == references(search(user, plain)), (user.full_name, text)


def test_operators_are_not_operators(world, cast):
    lead = cast.clinical_lead
    wombat = {world.perpetrator_case.reference}
    assert references(search(lead, "wombat")) == wombat
    # "OR" is a word the records do not hold, so nothing matches; "NOT" excludes nothing.
    assert references(search(lead, "wombat OR flowers")) == set()
    assert references(search(lead, "NOT wombat")) == set()
    assert references(search(lead, "wombat -stuffed")) == wombat
    # A quoted phrase is only its words.
    assert references(search(lead, '"stuffed wombat"')) == wombat
    assert references(search(lead, "wom*bat")) == set()


def test_unicode_lookalikes_fold_to_the_words_they_look_like(world, cast):
    assert references(search(cast.clinical_lead, "Ｗｏｍｂａｔ")) == {world.perpetrator_case.reference}
