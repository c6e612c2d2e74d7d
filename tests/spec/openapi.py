"""Validate real responses against Reducto's published OpenAPI spec (v1.12.20).

The spec is a copy of the public file kept in ``tests/data`` so the repo tests itself. OpenAPI
3.1 schemas are JSON Schema 2020-12; each operation's schema is validated with the spec's
``components`` beside it so every ``$ref`` resolves. ``discriminator`` is only a hint in
OpenAPI, and the ``const`` of each result's ``response_type`` already makes its ``oneOf`` exact.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from tests.conftest import DATA

SPEC: dict[str, Any] = json.loads((DATA / "reducto-openapi-v1.12.20.json").read_text())
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    # jsonschema checks date-time only with an optional extra; RFC 3339 needs a zone.
    if not isinstance(value, str):
        return True
    return "T" in value and datetime.fromisoformat(value).tzinfo is not None


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(
        {**schema, "components": SPEC["components"]}, format_checker=FORMATS
    )


@cache
def response_validator(path: str, method: str, status: int) -> Draft202012Validator:
    """The validator of ``method path``'s ``status`` answer, as the spec declares it."""
    responses = SPEC["paths"][path][method.lower()]["responses"]
    return _validator(responses[str(status)]["content"]["application/json"]["schema"])


@cache
def request_validator(
    path: str, method: str, media: str = "application/json"
) -> Draft202012Validator:
    body = SPEC["paths"][path][method.lower()]["requestBody"]
    return _validator(body["content"][media]["schema"])


@cache
def component_validator(name: str) -> Draft202012Validator:
    return _validator({"$ref": f"#/components/schemas/{name}"})


def _deepest(error: ValidationError) -> ValidationError:
    # An anyOf/oneOf failure says only "not valid under any of the given schemas"; the
    # most relevant branch's own error is what a reader needs to fix the server.
    while error.context:
        error = best_match(error.context)
    return error


def problems(validator: Draft202012Validator, body: object) -> list[str]:
    return [
        f"at /{'/'.join(map(str, _deepest(e).absolute_path))}: {_deepest(e).message[:300]}"
        for e in validator.iter_errors(body)
    ]


def check_response(path: str, method: str, status: int, body: object) -> list[str]:
    return problems(response_validator(path, method, status), body)


def check_request(path: str, method: str, body: object) -> list[str]:
    return problems(request_validator(path, method), body)


def check_component(name: str, body: object) -> list[str]:
    return problems(component_validator(name), body)
