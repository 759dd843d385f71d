"""Phonetic codes for names, written here so the service needs no extra dependency.

``nysiis`` follows the New York State Identification and Intelligence System code (Taft, 1970):
it keeps the first letter's sound, folds vowels together and maps letter groups that sound alike
(``PH``/``F``, ``KN``/``N``, ``SCH``/``SSS``), so ``Smith`` and ``Smyth`` share ``SNAT``… The
code here keeps up to 8 characters, which separates long names better than the classic 6, and
reads a Y after the first letter as a vowel (so ``Smyth``, ``Smith`` and ``Smithe`` agree).
"""

from __future__ import annotations

from functools import lru_cache

_VOWELS = frozenset("AEIOU")


@lru_cache(maxsize=200_000)
def nysiis(name: str, max_length: int = 8) -> str:  # noqa: C901 (replaced by jellyfish in the identifiers work)
    """The NYSIIS code of ``name`` (letters only are considered; empty in, empty out)."""
    word = "".join(ch for ch in name.upper() if "A" <= ch <= "Z")
    if not word:
        return ""
    # Prefixes.
    for prefix, replacement in (("MAC", "MCC"), ("KN", "NN"), ("K", "C"), ("PH", "FF"), ("PF", "FF"), ("SCH", "SSS")):
        if word.startswith(prefix):
            word = replacement + word[len(prefix):]
            break
    # Suffixes.
    for suffix, replacement in (("EE", "Y"), ("IE", "Y"), ("DT", "D"), ("RT", "D"), ("RD", "D"), ("NT", "D"), ("ND", "D")):
        if word.endswith(suffix):
            word = word[: -len(suffix)] + replacement
            break
    key = [word[0]]
    chars = list(word)
    i = 1
    length = len(chars)
    while i < length:
        ch = chars[i]
        nxt = chars[i + 1] if i + 1 < length else ""
        if ch == "E" and nxt == "V":
            chars[i], chars[i + 1] = "A", "F"
        elif ch in _VOWELS or ch == "Y":
            chars[i] = "A"
        elif ch == "Q":
            chars[i] = "G"
        elif ch == "Z":
            chars[i] = "S"
        elif ch == "M":
            chars[i] = "N"
        elif ch == "K":
            chars[i] = "N" if nxt == "N" else "C"
        elif ch == "S" and chars[i + 1: i + 3] == ["C", "H"]:
            chars[i: i + 3] = ["S", "S", "S"]
        elif ch == "P" and nxt == "H":
            chars[i], chars[i + 1] = "F", "F"
        elif ch == "H" and (chars[i - 1] not in _VOWELS or (nxt and nxt not in _VOWELS)):
            chars[i] = chars[i - 1]
        elif ch == "W" and chars[i - 1] in _VOWELS:
            chars[i] = chars[i - 1]
        current = chars[i]
        if current != key[-1]:
            key.append(current)
        i += 1
    code = "".join(key)
    if len(code) > 1 and code.endswith("S"):
        code = code[:-1]
    if code.endswith("AY"):
        code = code[:-2] + "Y"
    if len(code) > 1 and code.endswith("A"):
        code = code[:-1]
    return code[:max_length]


_SOUNDEX_CODES = {
    **dict.fromkeys("BFPV", "1"),
    **dict.fromkeys("CGJKQSXZ", "2"),
    **dict.fromkeys("DT", "3"),
    "L": "4",
    **dict.fromkeys("MN", "5"),
    "R": "6",
}


@lru_cache(maxsize=200_000)
def soundex(name: str) -> str:
    """American Soundex (letter + 3 digits); H and W do not separate equal codes."""
    word = "".join(ch for ch in name.upper() if "A" <= ch <= "Z")
    if not word:
        return ""
    first = word[0]
    digits = []
    previous = _SOUNDEX_CODES.get(first, "")
    for ch in word[1:]:
        code = _SOUNDEX_CODES.get(ch, "")
        if code and code != previous:
            digits.append(code)
        if ch not in "HW":
            previous = code
    return (first + "".join(digits) + "000")[:4]
