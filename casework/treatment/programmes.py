"""Treatment programmes as data: ``programmes/<code>.json`` files, checked against
``programmes/schema.json`` when loaded.

A programme says what treatment is: its modules (with their aims and sessions), the number of
sessions planned, and the outcome measures taken and at which stages (start, middle, end). An
enrolment keeps the programme as it was when the person was enrolled (``KeptProgramme``, by the
SHA-256 of its content), so changing a file never changes what an enrolment followed:
``Programme.from_content`` rebuilds it from what was kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

PROGRAMMES_DIR = Path(__file__).resolve().parent / "programmes"
SCHEMA = PROGRAMMES_DIR / "schema.json"
STAGES = (("start", "Start"), ("middle", "Middle"), ("end", "End"))
# Who a programme treats (its file's "client"; a file that does not say treats the person who stalks).
PERPETRATOR, VICTIM = "perpetrator", "victim"


class ProgrammeError(ValueError):
    """A programme file that cannot be used, with what is wrong and where."""


@dataclass(frozen=True)
class Module:
    key: str
    title: str
    sessions: int
    aims: str = ""


@dataclass(frozen=True)
class Measure:
    code: str
    title: str
    stages: tuple[str, ...]
    minimum: float
    maximum: float
    hint: str = ""
    higher_is_better: bool = True


@dataclass(frozen=True)
class Programme:
    code: str
    version: str
    title: str
    planned_sessions: int
    session_minutes: int
    modules: tuple[Module, ...]
    measures: tuple[Measure, ...]
    content: Mapping[str, Any] = field(repr=False)
    content_hash: str = ""
    description: str = ""
    # Who it treats: "perpetrator" (the person who stalks) or "victim" (the person stalked).
    client: str = PERPETRATOR

    @property
    def measures_by_code(self) -> dict[str, Measure]:
        return {measure.code: measure for measure in self.measures}

    @classmethod
    def from_content(cls, content: Mapping[str, Any]) -> Programme:
        """The programme as an enrolment kept it (no file is read)."""
        return cls(
            code=content["code"],
            version=content["version"],
            title=content["title"],
            description=content.get("description", ""),
            client=content.get("client", PERPETRATOR),
            planned_sessions=content["planned_sessions"],
            session_minutes=content["session_minutes"],
            modules=tuple(
                Module(key=m["key"], title=m["title"], sessions=m["sessions"], aims=m.get("aims", ""))
                for m in content["modules"]
            ),
            measures=tuple(
                Measure(
                    code=m["code"],
                    title=m["title"],
                    stages=tuple(m["stages"]),
                    minimum=m["minimum"],
                    maximum=m["maximum"],
                    hint=m.get("hint", ""),
                    higher_is_better=m.get("higher_is_better", True),
                )
                for m in content["measures"]
            ),
            content=content,
            content_hash=content_hash(content),
        )


def content_hash(content: Mapping[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@cache
def _schema() -> dict[str, Any]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def programme_files(directory: Path = PROGRAMMES_DIR) -> dict[str, Path]:
    """Every programme file, by its code (the file name without .json); the schema is not one."""
    return {path.stem: path for path in sorted(directory.glob("*.json")) if path != SCHEMA}


def check(data: Any, path: Path | str = "(given)") -> dict[str, Any]:
    """``data`` if it is a usable programme; otherwise ``ProgrammeError`` saying what is wrong."""
    if not isinstance(data, dict):
        raise ProgrammeError(f"The programme file {path} must hold a JSON object.")
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "(the top level)"
        raise ProgrammeError(f"The programme file {path} does not fit its schema at {where}: {first.message}.")
    problems = []
    for what, keys in (
        ("module keys", [m["key"] for m in data["modules"]]),
        ("measure codes", [m["code"] for m in data["measures"]]),
    ):
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            problems.append(f"{what} appear more than once: {', '.join(repeated)}")
    for measure in data["measures"]:
        if measure["minimum"] >= measure["maximum"]:
            problems.append(f"measure '{measure['code']}' has a minimum not below its maximum")
    if problems:
        raise ProgrammeError(f"The programme file {path}: " + "; ".join(problems) + ".")
    return data


def _read(code: str) -> dict[str, Any]:
    files = programme_files()
    if code not in files:
        raise ProgrammeError(f"There is no programme called '{code}'.")
    path = files[code]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ProgrammeError(f"The programme file {path} cannot be read: {error}.") from None
    except json.JSONDecodeError as error:
        raise ProgrammeError(
            f"The programme file {path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    check(data, path)
    if data["code"] != code:
        raise ProgrammeError(f"The programme file {path} says its code is '{data['code']}', not '{code}'.")
    return data


@cache
def load(code: str) -> Programme:
    """The current definition of programme ``code``, checked (``ProgrammeError`` if missing or wrong)."""
    return Programme.from_content(_read(code))


def clear_cache() -> None:
    load.cache_clear()


def available(client: str | None = None) -> list[Programme]:
    """Every programme that loads, by title (a broken file is left out; ``load`` says why); only
    those for ``client`` ("perpetrator" or "victim") when it is given."""
    found = []
    for code in programme_files():
        try:
            programme = load(code)
        except ProgrammeError:
            continue
        if client is None or programme.client == client:
            found.append(programme)
    return sorted(found, key=lambda p: p.title)


def keep(code: str):
    """The ``KeptProgramme`` holding the current content of ``code`` (made the first time)."""
    from casework.treatment.models import KeptProgramme

    programme = load(code)
    kept, _ = KeptProgramme.objects.get_or_create(
        content_hash=programme.content_hash,
        defaults={
            "code": programme.code,
            "version": programme.version,
            "title": programme.title,
            "content": dict(programme.content),
        },
    )
    return kept


def of(kept) -> Programme:
    """The programme as ``kept`` (a KeptProgramme) holds it."""
    return Programme.from_content(kept.content)
