"""What a user's text becomes, and what a snippet becomes (no database)."""

from __future__ import annotations

import pytest

from casework.search.text import MARK_END, MARK_START, QueryError, clean, fold, highlighted, parse, words


def test_folding_removes_accents_and_case():
    assert fold("Zoë Ó Súilleabháin") == "zoe o suilleabhain"
    assert words("Siobhán O'Brien-Ní Dhuibhir") == ["siobhan", "o", "brien", "ni", "dhuibhir"]


def test_references_are_words_in_order():
    query = parse("REF-2026-00042")
    assert query.phrases == (("ref", "2026", "00042"),)
    assert query.fts5() == '"ref 2026 00042"*'
    assert query.tsquery() == "('ref' <-> '2026' <-> '00042':*)"


def test_every_piece_must_match_and_the_last_word_is_a_prefix():
    query = parse("  Jo   Smi ")
    assert query.fts5() == '"jo" "smi"*'
    assert query.tsquery() == "('jo') & ('smi':*)"


def test_a_user_who_may_not_read_clinical_content_searches_only_heading_and_details():
    query = parse("wombat")
    assert query.fts5(("heading", "details")) == '{heading details} : ("wombat"*)'
    assert query.tsquery("AB") == "('wombat':*AB)"


def test_the_highlighter_also_looks_for_words_as_typed():
    assert parse("Zoë").tsquery(highlight=True) == "(('zoe':* | 'zoë':*))"


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        "'",
        "*",
        "()",
        "^",
        "-",
        ":",
        "{}",
        "\\",
        "+",
        "   ",
        "\x00",
        "\u0301",
    ],
)
def test_text_without_letters_or_numbers_is_refused(text):
    with pytest.raises(QueryError):
        parse(text)


@pytest.mark.parametrize(
    "text, phrases",
    [
        ('"smith', (("smith",),)),
        ('smith" OR "1"="1', (("smith",), ("or",), ("1", "1"))),
        ("NEAR(smith jones, 5)", (("near", "smith"), ("jones",), ("5",))),
        ("NEAR(", (("near",),)),
        ("smith*", (("smith",),)),
        ("heading:smith", (("heading", "smith"),)),
        ("{clinical} : wombat", (("clinical",), ("wombat",))),
        ("smith AND NOT jones", (("smith",), ("and",), ("not",), ("jones",))),
        ("'; DROP TABLE search_fts; --", (("drop",), ("table",), ("search", "fts"))),
        ("smith:*A | jones", (("smith", "a"), ("jones",))),
        ("日本語 テスト", (("日本語",), ("テスト",))),
        ("Zoë🙂", (("zoe",),)),
    ],
)
def test_operators_and_quotes_are_only_ever_words(text, phrases):
    query = parse(text)
    assert query.phrases == phrases
    # Every word is quoted for FTS5 and as a lexeme for PostgreSQL, and none holds a quote.
    assert all('"' not in w and "'" not in w for p in query.phrases for w in p)
    expression = query.fts5()
    assert expression.count('"') == 2 * len(phrases)


def test_a_query_must_have_a_word_of_two_characters():
    with pytest.raises(QueryError, match="2 characters or more"):
        parse("j")
    with pytest.raises(QueryError, match="2 characters or more"):
        parse("j s")
    assert parse("jo").phrases == (("jo",),)


def test_empty_too_long_and_too_many_words_are_refused_with_nhs_messages():
    with pytest.raises(QueryError, match="^Enter a name, reference or words to search for$"):
        parse("   ")
    with pytest.raises(QueryError, match="^Search terms must be 100 characters or fewer$"):
        parse("a" * 101)
    with pytest.raises(QueryError, match="^Search for 10 words or fewer$"):
        parse(" ".join(["word"] * 11))


def test_snippets_are_escaped_except_for_the_marks():
    raw = f'<script>alert("x")</script> {MARK_START}wombat{MARK_END} & <b>bold</b>'
    assert str(highlighted(raw)) == (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; <mark>wombat</mark> &amp; &lt;b&gt;bold&lt;/b&gt;"
    )


def test_unbalanced_marks_still_make_balanced_html():
    assert str(highlighted(f"{MARK_START}a{MARK_START}b")) == "<mark>ab</mark>"
    assert str(highlighted(f"a{MARK_END}b")) == "ab"


def test_lines_of_a_document_show_on_one_line():
    assert str(highlighted(f"REF-2026-00042\nJo {MARK_START}Smith{MARK_END}")) == (
        "REF-2026-00042 · Jo <mark>Smith</mark>"
    )


def test_indexed_text_never_holds_the_marks_or_control_characters():
    assert clean(f"a{MARK_START}b{MARK_END}c\x00d", 100) == "a b c d"
    assert clean("one two three", 8) == "one two"
