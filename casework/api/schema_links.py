"""OpenAPI links for the served schema (a drf-spectacular postprocessing hook).

An answer that carries a value another operation takes as its path parameter links to that
operation: a referral's ``reference`` (in ``POST /referrals/``, ``GET /referrals/{reference}/`` or
the first item of ``GET /referrals/``) to every operation under ``{reference}``; an issued report's
``id`` to its downloads. Derived from the schema itself — a property named as a path parameter —
so an operation added later links without a list kept here. Clients may follow them; schemathesis'
stateful phase does (``casework/api/tests/test_schemathesis.py``).
"""

from __future__ import annotations

import re
from typing import Any

_PATH_PARAMETER = re.compile(r"{([^}]+)}")
_METHODS = ("get", "put", "post", "patch", "delete")


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return components.get(ref.rsplit("/", 1)[1], {})
    return schema


def _pointers(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, str]:
    """Property name → JSON pointer into the answer, for the answer's own properties and those of
    the first item of a paginated list's ``results``."""
    schema = _resolve(schema, components)
    properties = schema.get("properties", {})
    pointers = {name: f"/{name}" for name in properties}
    results = properties.get("results", {})
    if results.get("type") == "array":
        item = _resolve(results.get("items", {}), components)
        for name in item.get("properties", {}):
            pointers.setdefault(name, f"/results/0/{name}")
    return pointers


def add_links(result: dict[str, Any], generator=None, request=None, public=None, **kwargs) -> dict[str, Any]:
    components = result.get("components", {}).get("schemas", {})
    operations = [
        (path, method, operation)
        for path, item in result.get("paths", {}).items()
        for method, operation in item.items()
        if method in _METHODS
    ]
    for _, _, source in operations:
        for status, answer in source.get("responses", {}).items():
            if not str(status).startswith("2"):
                continue
            media = answer.get("content", {}).get("application/json")
            if media is None:
                continue
            pointers = _pointers(media.get("schema", {}), components)
            links = {}
            for path, _, target in operations:
                names = _PATH_PARAMETER.findall(path)
                if target is source or not names or not all(name in pointers for name in names):
                    continue
                links[target["operationId"]] = {
                    "operationId": target["operationId"],
                    "parameters": {name: f"$response.body#{pointers[name]}" for name in names},
                }
            if links:
                answer["links"] = dict(sorted(links.items()))
    return result
