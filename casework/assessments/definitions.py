"""Instruments as data: versioned definition files, checked against a schema when loaded.

A definition (``instruments/definitions/<code>.json``, checked against ``instruments/schema.json``)
says what an instrument asks: its sections and items, which items apply to which stalker type or
prior relationship, its summary judgements, the training an assessor must hold and the kinds of
case it is offered on (``case_kinds``: a victim's needs and safety assessment only on victim cases,
the risk assessments of the person who stalks never on them). Licensed factor
lists (the Stalking Risk Profile's, for one) are not in the repository: a ``catalogue`` section
names a catalogue, and the clinic supplies the file under its licence (``ASSESSMENT_CATALOGUES`` in
settings, checked against ``instruments/catalogue-schema.json``). The repository ships a clearly
marked demonstration catalogue (``instruments/catalogues/demo-srp.json``) so the flow can be tried.

Loading expands a definition into its *content*: includes placed, catalogue factors made items,
vocabulary choices written out. The content and its SHA-256 are what an assessment keeps
(``AssessmentDefinition``), so that changing a file, or the clinic's catalogue, never changes an
assessment already started or signed: ``Definition.from_content`` rebuilds it from what was kept.
Why not an off-the-shelf forms engine: ADR 0017.
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
from django.conf import settings

from casework.cases.choices import CaseKind, Relationship, StalkerType

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
DEFINITIONS_DIR = INSTRUMENTS_DIR / "definitions"
DEMO_CATALOGUE = INSTRUMENTS_DIR / "catalogues" / "demo-srp.json"

PRESENCE = (
    ("absent", "Absent"),
    ("partly_present", "Possibly or partly present"),
    ("present", "Present"),
    ("insufficient_information", "Insufficient information"),
)
RELEVANCE = (("low", "Low"), ("moderate", "Moderate"), ("high", "High"))
YES_NO = (("yes", "Yes"), ("no", "No"))
LEVELS = dict(RELEVANCE)
_VOCABULARIES = {"stalker_type": StalkerType.choices, "relationship": Relationship.choices}


class DefinitionError(ValueError):
    """A definition or catalogue that cannot be used, with what is wrong and where."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Item:
    key: str
    kind: str
    label: str
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    comment: bool = False
    rate_relevance: bool = False
    required: bool = False
    stalker_types: frozenset[str] = frozenset()
    relationships: frozenset[str] = frozenset()
    outcomes: tuple[str, ...] = ()
    source: str = ""
    minimum: float | None = None
    maximum: float | None = None

    def applies(self, *, stalker_type: str = "", relationship: str = "") -> bool:
        """Whether the item is asked for this stalker type and prior relationship. An item meant for
        certain types (or relationships) is asked only once the type (or relationship) is known and
        is one of them."""
        if self.stalker_types and stalker_type not in self.stalker_types:
            return False
        return not (self.relationships and relationship not in self.relationships)

    @property
    def answer_choices(self) -> tuple[Choice, ...]:
        fixed = {"presence": PRESENCE, "relevance": RELEVANCE, "yes_no": YES_NO}.get(self.kind)
        if fixed:
            return tuple(Choice(value, label) for value, label in fixed)
        return self.choices

    def label_of(self, value: Any) -> str:
        if value in (None, ""):
            return "Not answered"
        for choice in self.answer_choices:
            if choice.value == value:
                return choice.label
        return str(value)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    kind: str = "items"
    hint: str = ""
    items: tuple[Item, ...] = ()
    catalogue: str = ""


@dataclass(frozen=True)
class Judgement:
    outcome: str
    label: str
    hint: str = ""
    levels: tuple[str, ...] = ("low", "moderate", "high")
    rationale_required: bool = True


@dataclass(frozen=True)
class Training:
    code: str  # a casework.core.roles.Instrument: what staff training records are kept for
    title: str


@dataclass(frozen=True)
class Tally:
    answer: str
    label: str
    note: str


@dataclass(frozen=True)
class Definition:
    code: str
    version: str
    title: str
    kind: str
    sections: tuple[Section, ...]
    content: Mapping[str, Any] = field(repr=False)
    content_hash: str = ""
    description: str = ""
    source: str = ""
    training: Training | None = None
    judgements: tuple[Judgement, ...] = ()
    tally: Tally | None = None
    stalker_type_item: str = ""
    relationship_item: str = ""
    review_months: int | None = None
    catalogues: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    case_kinds: frozenset[str] = frozenset()  # empty: offered on every kind of case

    def offered_on(self, case_kind: str) -> bool:
        """Whether the instrument is offered on a case of this kind (``CaseKind``)."""
        return not self.case_kinds or case_kind in self.case_kinds

    def case_kind_refusal(self, case_kind: str) -> str | None:
        """Why the instrument may not be used on a case of this kind, for the person who asked."""
        if self.offered_on(case_kind):
            return None
        kinds = [f"{CaseKind(kind).label.lower()}s" for kind in CaseKind.values if kind in self.case_kinds]
        return f"{self.title} is not used on a {CaseKind(case_kind).label.lower()}: it is for {_listed(kinds)} only."

    @property
    def items(self) -> dict[str, Item]:
        return {item.key: item for section in self.sections for item in section.items}

    @property
    def has_scenarios(self) -> bool:
        return any(section.kind == "scenarios" for section in self.sections)

    @property
    def has_sources(self) -> bool:
        return any(section.kind == "sources" for section in self.sections)

    @property
    def uses_demonstration_catalogue(self) -> bool:
        return any(meta.get("demonstration") for meta in self.catalogues.values())

    def context_of(self, answers: Mapping[str, Any]) -> dict[str, str]:
        """The stalker type and prior relationship as the answers so far give them."""

        def value(key: str) -> str:
            answer = answers.get(key) or {}
            return str(answer.get("value") or "") if key else ""

        return {"stalker_type": value(self.stalker_type_item), "relationship": value(self.relationship_item)}

    def applicable_items(self, answers: Mapping[str, Any]) -> list[Item]:
        """The items asked, given the stalker type and relationship recorded in ``answers``."""
        context = self.context_of(answers)
        return [item for item in self.items.values() if item.applies(**context)]

    @classmethod
    def from_content(cls, content: Mapping[str, Any]) -> Definition:
        """The definition as an assessment kept it (no file is read)."""
        training = content.get("training")
        tally = content.get("tally")
        return cls(
            code=content["code"],
            version=content["version"],
            title=content["title"],
            kind=content["kind"],
            description=content.get("description", ""),
            source=content.get("source", ""),
            training=Training(**training) if training else None,
            sections=tuple(_section(section) for section in content["sections"]),
            judgements=tuple(
                Judgement(
                    outcome=j["outcome"],
                    label=j["label"],
                    hint=j.get("hint", ""),
                    levels=tuple(j.get("levels", ("low", "moderate", "high"))),
                    rationale_required=j.get("rationale_required", True),
                )
                for j in content.get("judgements", ())
            ),
            tally=Tally(**tally) if tally else None,
            stalker_type_item=content.get("stalker_type_item", ""),
            relationship_item=content.get("relationship_item", ""),
            review_months=content.get("review_months"),
            catalogues=content.get("catalogues", {}),
            case_kinds=frozenset(content.get("case_kinds", ())),
            content=content,
            content_hash=content_hash(content),
        )


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _section(raw: Mapping[str, Any]) -> Section:
    return Section(
        key=raw["key"],
        title=raw["title"],
        kind=raw.get("kind", "items"),
        hint=raw.get("hint", ""),
        catalogue=raw.get("catalogue", ""),
        items=tuple(
            Item(
                key=item["key"],
                kind=item["kind"],
                label=item["label"],
                hint=item.get("hint", ""),
                choices=tuple(Choice(c["value"], c["label"], c.get("hint", "")) for c in item.get("choices", ())),
                comment=item.get("comment", False),
                rate_relevance=item.get("rate_relevance", False),
                required=item.get("required", False),
                stalker_types=frozenset(item.get("applies_to", {}).get("stalker_types", ())),
                relationships=frozenset(item.get("applies_to", {}).get("relationships", ())),
                outcomes=tuple(item.get("outcomes", ())),
                source=item.get("source", ""),
                minimum=item.get("minimum"),
                maximum=item.get("maximum"),
            )
            for item in raw.get("items", ())
        ),
    )


def content_hash(content: Mapping[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- Loading ------------------------------------------------------------------------------------


@cache
def _schema(name: str) -> dict[str, Any]:
    schema = json.loads((INSTRUMENTS_DIR / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(f"The {what} file {path} does not exist.") from None
    except OSError as error:
        raise DefinitionError(f"The {what} file {path} cannot be read: {error.strerror}.") from None
    except UnicodeDecodeError:
        raise DefinitionError(f"The {what} file {path} is not UTF-8 text.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DefinitionError(
            f"The {what} file {path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    if not isinstance(data, dict):
        raise DefinitionError(f"The {what} file {path} must hold a JSON object.")
    return data


def _check_schema(data: Mapping[str, Any], schema_name: str, path: Path, what: str) -> None:
    validator = jsonschema.Draft202012Validator(_schema(schema_name))
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "(the top level)"
        more = (
            f" ({len(errors) - 1} more problem{'s' if len(errors) > 2 else ''} after this one)"
            if len(errors) > 1
            else ""
        )
        raise DefinitionError(f"The {what} file {path} does not fit its schema at {where}: {first.message}{more}.")


def definition_files() -> dict[str, Path]:
    """Every definition file, by its code (the file name without .json)."""
    directories = [Path(d) for d in getattr(settings, "ASSESSMENT_DEFINITION_DIRS", None) or [DEFINITIONS_DIR]]
    found: dict[str, Path] = {}
    for directory in directories:
        for path in sorted(directory.glob("*.json")):
            found.setdefault(path.stem, path)
    return found


def catalogue_path(name: str) -> Path | None:
    configured = (getattr(settings, "ASSESSMENT_CATALOGUES", None) or {}).get(name)
    return Path(configured) if configured else None


def load(code: str) -> Definition:
    """The current definition of instrument ``code``, expanded and checked (``DefinitionError``
    if it, or a catalogue it needs, is missing or wrong)."""
    return _load(code, _catalogue_settings())


def _catalogue_settings() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, str(v)) for k, v in (getattr(settings, "ASSESSMENT_CATALOGUES", None) or {}).items() if v))


@cache
def _load(code: str, catalogues: tuple[tuple[str, str], ...]) -> Definition:
    del catalogues  # part of the cache key: a changed setting (in tests) loads afresh
    return Definition.from_content(expand(code))


def clear_cache() -> None:
    _load.cache_clear()


def available(case_kind: str | None = None) -> list[tuple[str, Definition | None, str]]:
    """Every instrument, as (code, definition or None, why not usable) — for the start page. Given
    a ``case_kind``, only the instruments offered on that kind of case (one that cannot be loaded is
    left out too when its file says it is for other kinds)."""
    result: list[tuple[str, Definition | None, str]] = []
    for code, path in definition_files().items():
        try:
            definition = load(code)
        except DefinitionError as error:
            if case_kind is None or _declares_kind(path, case_kind):
                result.append((code, None, str(error)))
            continue
        if case_kind is None or definition.offered_on(case_kind):
            result.append((code, definition, ""))
    return result


def _declares_kind(path: Path, case_kind: str) -> bool:
    """Whether a definition file that could not be loaded is, by its own word, for ``case_kind``
    (true when it cannot be read well enough to say: the problem is then shown)."""
    try:
        kinds = json.loads(path.read_text(encoding="utf-8")).get("case_kinds")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return True
    return not isinstance(kinds, list) or not kinds or case_kind in kinds


def expand(code: str, *, _including: tuple[str, ...] = ()) -> dict[str, Any]:
    files = definition_files()
    if code not in files:
        raise DefinitionError(f"There is no instrument definition called '{code}'.")
    path = files[code]
    raw = _read_json(path, "instrument definition")
    _check_schema(raw, "schema.json", path, "instrument definition")
    if raw["code"] != code:
        raise DefinitionError(f"The instrument definition file {path} says its code is '{raw['code']}', not '{code}'.")
    if code in _including:
        raise DefinitionError(f"The instrument definition '{code}' includes itself (through {' → '.join(_including)}).")
    outcomes = [j["outcome"] for j in raw.get("judgements", ())]
    content: dict[str, Any] = {k: v for k, v in raw.items() if k != "sections"}
    content["sections"] = []
    content["catalogues"] = {}
    for section in raw["sections"]:
        kind = section.get("kind", "items")
        if kind == "include":
            included = expand(section["include"], _including=(*_including, code))
            content["sections"].extend(included["sections"])
            content["catalogues"].update(included["catalogues"])
        elif kind == "catalogue":
            items, meta = _catalogue_items(section["catalogue"], outcomes, path)
            content["sections"].append({**section, "items": items})
            content["catalogues"][section["catalogue"]] = meta
        else:
            content["sections"].append({**section, "items": [_written_out(item) for item in section.get("items", ())]})
    _check_references(content, path)
    return content


def _written_out(item: Mapping[str, Any]) -> dict[str, Any]:
    item = dict(item)
    vocabulary = item.pop("choices_from", None)
    if vocabulary:
        item["choices"] = [{"value": value, "label": str(label)} for value, label in _VOCABULARIES[vocabulary]]
    return item


MISSING_CATALOGUE = "supplies under its licence: set ASSESSMENT_CATALOGUES"


def is_missing_catalogue(problem: str) -> bool:
    """Whether ``problem`` (a ``DefinitionError``'s message) is only that a catalogue is not configured."""
    return MISSING_CATALOGUE in problem


def _catalogue_items(
    name: str, outcomes: list[str], definition_path: Path
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    path = catalogue_path(name)
    if path is None:
        raise DefinitionError(
            f"The instrument definition {definition_path.name} needs the '{name}' catalogue, which the clinic "
            f"{MISSING_CATALOGUE}['{name}'] (environment "
            f"CASEWORK_CATALOGUE_{name.upper()}) to the catalogue file's path."
        )
    data = _read_json(path, f"'{name}' catalogue")
    _check_schema(data, "catalogue-schema.json", path, f"'{name}' catalogue")
    problems = []
    if data["catalogue"] != name:
        problems.append(f"it is the '{data['catalogue']}' catalogue, not '{name}'")
    keys = [factor["key"] for factor in data["factors"]]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        problems.append(f"factor keys appear more than once: {', '.join(repeated)}")
    for factor in data["factors"]:
        unknown = [outcome for outcome in factor["outcomes"] if outcome not in outcomes]
        if unknown:
            problems.append(
                f"factor '{factor['key']}' rates {', '.join(unknown)}, which this instrument does not judge "
                f"(it judges {', '.join(outcomes)})"
            )
    unrated = [outcome for outcome in outcomes if not any(outcome in f["outcomes"] for f in data["factors"])]
    if unrated:
        problems.append(f"no factor rates {', '.join(unrated)}")
    if problems:
        raise DefinitionError(
            f"The '{name}' catalogue {path} does not fit the instrument definition {definition_path.name}: "
            + "; ".join(problems)
            + "."
        )
    items = [
        {
            "key": factor["key"],
            "kind": "presence",
            "label": factor["label"],
            **({"hint": factor["hint"]} if factor.get("hint") else {}),
            "rate_relevance": True,
            "comment": True,
            "outcomes": factor["outcomes"],
            **({"applies_to": factor["applies_to"]} if factor.get("applies_to") else {}),
            **({"source": factor["source"]} if factor.get("source") else {}),
        }
        for factor in data["factors"]
    ]
    meta = {
        "version": data["version"],
        "title": data["title"],
        "demonstration": data["demonstration"],
        "hash": content_hash(data),
    }
    return items, meta


def _check_references(content: Mapping[str, Any], path: Path) -> None:
    keys: list[str] = [item["key"] for section in content["sections"] for item in section["items"]]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise DefinitionError(
            f"The instrument definition {path} uses these item keys more than once: {', '.join(repeated)}."
        )
    sections = [section["key"] for section in content["sections"]]
    if len(set(sections)) != len(sections):
        raise DefinitionError(f"The instrument definition {path} uses a section key more than once.")
    by_key = {item["key"]: item for section in content["sections"] for item in section["items"]}
    for item in by_key.values():
        if item["kind"] == "choice" and not item.get("choices"):
            raise DefinitionError(
                f"The instrument definition {path}: item '{item['key']}' is a choice with no choices."
            )
        if item["kind"] != "choice" and item.get("choices"):
            raise DefinitionError(
                f"The instrument definition {path}: item '{item['key']}' has choices but is not a choice."
            )
    for setting, vocabulary in (("stalker_type_item", StalkerType), ("relationship_item", Relationship)):
        key = content.get(setting)
        if not key:
            continue
        item = by_key.get(key)
        if item is None or {c["value"] for c in item.get("choices", ())} != set(vocabulary.values):
            raise DefinitionError(
                f"The instrument definition {path} names item '{key}' as its {setting.replace('_', ' ')}, but no "
                f"such item offers exactly the choices of {vocabulary.__name__}."
            )
    outcomes = [j["outcome"] for j in content.get("judgements", ())]
    if len(set(outcomes)) != len(outcomes):
        raise DefinitionError(f"The instrument definition {path} judges an outcome more than once.")
