"""Words in, words out: what the index holds, how a user's text becomes a query, how a
highlighted snippet becomes safe HTML.

Both databases see the same words. Text is folded (lower case, accents removed: "Zoë" is
"zoe") and split into runs of letters and digits, so "O'Brien" is the two words "o brien" and
"REF-2026-00042" is "ref 2026 00042". SQLite's FTS5 tokenizer (``unicode61 remove_diacritics
2``) does the same to the stored text; for PostgreSQL the words are made here and handed to
``to_tsvector('simple', …)`` already split, so its parser has nothing left to interpret.

A user's text is only ever words. Each whitespace-separated piece is a phrase of its words
("REF-2026-00042" must appear in that order; "O'Brien" is "o" then "brien"), every piece must
match, and the last word of the last piece matches as a prefix ("smi" finds "Smith"). Quotes,
brackets, ``*``, ``NEAR``, ``AND``, ``OR``, ``:`` and the like are not syntax: punctuation
separates words, and operator names are searched for as the words they are. The query handed
to FTS5 quotes every word; the one handed to PostgreSQL quotes every lexeme.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

from casework.core.refusals import Refused

MIN_WORD_LENGTH = 2
MAX_QUERY_LENGTH = 100
MAX_PIECES = 10

# Highlight marks handed to snippet() and ts_headline(): private-use characters that indexed
# text never holds (clean() removes them), so after escaping the snippet they, and only they,
# become <mark> and </mark>.
MARK_START = "\ue000"
MARK_END = "\ue001"
ELLIPSIS = "…"

_WORD = re.compile(r"[^\W_]+")
# The lines of a document (one value each) show as one line, separated by middle dots.
_LINES = re.compile(r"\s*\n\s*")
# Private-use marks and control characters (but not tab and newline) never reach the index.
_UNSAFE = re.compile(r"[\ue000\ue001\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def fold(text: str) -> str:
    """Lower case without accents: "Zoë Ó Súilleabháin" is "zoe o suilleabhain"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The words of ``text`` as the index holds them."""
    return _WORD.findall(fold(text))


def index_words(text: str) -> str:
    """``text`` as the space-separated words PostgreSQL's vector is built from."""
    return " ".join(words(text))


def clean(text: str, limit: int) -> str:
    """Text fit for the index: no highlight marks or control characters, at most ``limit``
    characters (cut at a word boundary)."""
    text = _UNSAFE.sub(" ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut[: cut.rfind(" ")] if " " in cut else cut


class QueryError(Refused):
    """The user's text cannot be searched for; the message says why, in the NHS style."""


@dataclass(frozen=True)
class Query:
    """A user's search: phrases of folded words, all of which must match; the last word of the
    last phrase is a prefix. ``originals`` keeps each phrase's words as typed (lower case,
    accents kept) so that PostgreSQL's highlighter can find accented words too."""

    phrases: tuple[tuple[str, ...], ...]
    originals: tuple[tuple[str, ...], ...]

    @property
    def word_count(self) -> int:
        return sum(len(p) for p in self.phrases)

    @property
    def normalised(self) -> str:
        """The words, as one string (what the audit fingerprint is made from)."""
        return " ".join(" ".join(p) for p in self.phrases)

    def fts5(self, columns: tuple[str, ...] | None = None) -> str:
        """The FTS5 MATCH expression: each phrase quoted, the last one a prefix, optionally
        limited to ``columns`` (a column filter, which FTS5 applies to the whole expression)."""
        parts = ['"' + " ".join(phrase).replace('"', '""') + '"' for phrase in self.phrases]
        parts[-1] += "*"
        expression = " ".join(parts)
        if columns:
            return "{" + " ".join(columns) + "} : (" + expression + ")"
        return expression

    def tsquery(self, weights: str = "", *, highlight: bool = False) -> str:
        """The ``to_tsquery('simple', …)`` text: each lexeme quoted, phrases joined with ``<->``,
        all of them with ``&``, the last lexeme a prefix (``:*``), optionally restricted to
        ``weights`` ("AB"). For the highlighter, each word also matches as typed (``zoe | zoë``)."""
        pieces = []
        for p, (phrase, typed) in enumerate(zip(self.phrases, self.originals)):
            lexemes = []
            for w, word in enumerate(phrase):
                last = p == len(self.phrases) - 1 and w == len(phrase) - 1
                label = ("*" if last else "") + weights
                suffix = f":{label}" if label else ""
                forms = [word]
                if highlight and w < len(typed) and typed[w] != word:
                    forms.append(typed[w])
                alternatives = [_quote_lexeme(form) + suffix for form in forms]
                lexemes.append(alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")")
            pieces.append("(" + " <-> ".join(lexemes) + ")")
        return " & ".join(pieces)


def _quote_lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def parse(text: str) -> Query:
    """The user's text as a query, or ``QueryError`` with a message for the form."""
    text = (text or "").strip()
    if not text:
        raise QueryError("Enter a name, reference or words to search for")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"Search terms must be {MAX_QUERY_LENGTH} characters or fewer")
    phrases, originals = [], []
    for piece in text.split():
        folded = words(piece)
        if not folded:
            continue
        typed = [w.lower() for w in _WORD.findall(unicodedata.normalize("NFC", piece))]
        phrases.append(tuple(folded))
        originals.append(tuple(typed) if len(typed) == len(folded) else tuple(folded))
    if not phrases:
        raise QueryError("Search terms must include letters or numbers")
    if max(len(w) for p in phrases for w in p) < MIN_WORD_LENGTH:
        raise QueryError(f"Search terms must be {MIN_WORD_LENGTH} characters or more")
    if len(phrases) > MAX_PIECES:
        raise QueryError(f"Search for {MAX_PIECES} words or fewer")
    return Query(phrases=tuple(phrases), originals=tuple(originals))


def highlighted(snippet: str | None) -> Markup:
    """A snippet from snippet() or ts_headline() as safe HTML: everything escaped, then the
    highlight marks (and only they) turned into balanced <mark> elements."""
    out, open_mark = [], False
    for part in re.split(f"([{MARK_START}{MARK_END}])", snippet or ""):
        if part == MARK_START:
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif part == MARK_END:
            if open_mark:
                out.append("</mark>")
                open_mark = False
        elif part:
            out.append(str(escape(_LINES.sub(" · ", part))))
    if open_mark:
        out.append("</mark>")
    return Markup("".join(out))  # noqa: S704  (every piece of text above is escaped)


def has_highlight(snippet: str | None) -> bool:
    return bool(snippet and MARK_START in snippet)
