"""What each ``*_async`` path requires of its JSON body (v1.12.20), checked as FastAPI would.

The fields the spec marks required, the type of every top-level field each request schema
declares (and the items of the lists the demo reads), as the spec's JSON schema says: strictly,
so ``"yes"`` is not a boolean. The insides of option objects (``enhance``, ``settings``…) are
kept as given; everything becomes the job's raw_config. Problems come back as FastAPI's
``ValidationError`` items, all of them at once.
"""

from __future__ import annotations

from typing import Any

#: Per kind: the type the job gets and the body fields v1.12.20 requires.
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "parse": ("Parse", ("input",)),
    "extract": ("Extract", ("input",)),
    "split": ("Split", ("input", "split_description")),
    "classify": ("Classify", ("input",)),
    "edit": ("Edit", ("document_url", "edit_instructions")),
    "pipeline": ("Pipeline", ("input", "pipeline_id")),
}
QUEUE_PRIORITIES = ("auto", "standard", "batch")
#: The kinds whose body takes ``queue_priority`` (the spec's AsyncParse/ExtractConfig).
QUEUED_KINDS = ("parse", "extract")


#: Per kind, the JSON type of each optional top-level field of its request schema.
OBJECT, LIST, TEXT, FLAG, RANGE = "object", "list", "string", "boolean", "range"
#: Fields whose schema also allows null.
NULLABLE = frozenset({"form_schema", "page_range", "document_metadata"})
FIELD_TYPES: dict[str, dict[str, str | tuple[str, ...]]] = {
    "parse": {
        "enhance": OBJECT, "retrieval": OBJECT, "formatting": OBJECT, "spreadsheet": OBJECT,
        "settings": OBJECT,
    },
    "extract": {"parsing": OBJECT, "instructions": OBJECT, "settings": OBJECT},
    "split": {"parsing": OBJECT, "split_rules": TEXT, "settings": OBJECT},
    "classify": {
        "model": ("default", "accurate"), "priority": FLAG, "force_url_result": FLAG,
        "classification_schema": LIST, "category_groups": OBJECT, "page_range": RANGE,
    },
    "edit": {"edit_options": OBJECT, "priority": FLAG, "webhook": OBJECT, "form_schema": LIST},
    "pipeline": {"settings": OBJECT},
}  # fmt: skip
_MESSAGES = {
    OBJECT: ("model_attributes_type", "Input should be a valid dictionary or object to extract fields from"),
    LIST: ("list_type", "Input should be a valid list"),
    TEXT: ("string_type", "Input should be a valid string"),
    FLAG: ("bool_type", "Input should be a valid boolean"),
    RANGE: ("model_attributes_type", "Input should be a page range object or a list"),
}  # fmt: skip
_PYTHON: dict[str, type | tuple[type, ...]] = {
    OBJECT: dict, LIST: list, TEXT: str, FLAG: bool, RANGE: (dict, list)
}  # fmt: skip


def _typed(loc: list[str | int], value: Any, kind: str | tuple[str, ...]) -> list[dict[str, Any]]:
    if isinstance(kind, tuple):
        if value in kind:
            return []
        expected = " or ".join(f"'{k}'" for k in kind)
        item = _error(loc, "enum", f"Input should be {expected}", value)
        item["ctx"] = {"expected": expected}
        return [item]
    if isinstance(value, _PYTHON[kind]):
        return []
    code, msg = _MESSAGES[kind]
    return [_error(loc, code, msg, value)]


def _error(loc: list[str | int], kind: str, msg: str, value: Any) -> dict[str, Any]:
    return {"type": kind, "loc": loc, "msg": msg, "input": value}


def _document(loc: list[str | int], value: Any, lists: bool) -> list[dict[str, Any]]:
    """A URL string, an ``UploadResponse`` object, or (for ``input``) a list of URLs."""
    if isinstance(value, str):
        return []
    if isinstance(value, dict):  # an UploadResponse, passed back as /upload gave it
        found = []
        if "file_id" not in value:
            found.append(_error([*loc, "file_id"], "missing", "Field required", value))
        elif not isinstance(value["file_id"], str):
            msg = "Input should be a valid string"
            found.append(_error([*loc, "file_id"], "string_type", msg, value["file_id"]))
        url = value.get("presigned_url")
        if url is not None and not isinstance(url, str):
            msg = "Input should be a valid string"
            found.append(_error([*loc, "presigned_url"], "string_type", msg, url))
        return found
    if lists and isinstance(value, list):
        return [
            _error([*loc, n], "string_type", "Input should be a valid string", item)
            for n, item in enumerate(value)
            if not isinstance(item, str)
        ]
    return [_error(loc, "string_type", "Input should be a valid string", value)]


def _split_description(value: Any) -> list[dict[str, Any]]:
    loc: list[str | int] = ["body", "split_description"]
    if not isinstance(value, list):
        return [_error(loc, "list_type", "Input should be a valid list", value)]
    problems = []
    for n, item in enumerate(value):
        if not isinstance(item, dict):
            msg = "Input should be a valid dictionary or object to extract fields from"
            problems.append(_error([*loc, n], "model_attributes_type", msg, item))
            continue
        for field in ("name", "description"):
            if field not in item:
                problems.append(_error([*loc, n, field], "missing", "Field required", item))
            elif not isinstance(item[field], str):
                msg = "Input should be a valid string"
                problems.append(_error([*loc, n, field], "string_type", msg, item[field]))
        if "partition_key" in item:
            problems += _typed([*loc, n, "partition_key"], item["partition_key"], TEXT)
    return problems


def problems(kind: str, body: Any) -> list[dict[str, Any]]:
    """Everything wrong with ``body`` for ``POST /{kind}_async``; empty when it is fine."""
    if not isinstance(body, dict):
        msg = "Input should be a valid dictionary or object to extract fields from"
        return [_error(["body"], "model_attributes_type", msg, body)]
    found = [
        _error(["body", field], "missing", "Field required", body)
        for field in KINDS[kind][1]
        if field not in body
    ]
    if "input" in body:
        found += _document(["body", "input"], body["input"], lists=True)
    if kind == "edit":
        if "document_url" in body:
            found += _document(["body", "document_url"], body["document_url"], lists=False)
        if "edit_instructions" in body and not isinstance(body["edit_instructions"], str):
            value = body["edit_instructions"]
            msg = "Input should be a valid string"
            found.append(_error(["body", "edit_instructions"], "string_type", msg, value))
    if kind == "split" and "split_description" in body:
        found += _split_description(body["split_description"])
    if kind == "pipeline" and "pipeline_id" in body and not isinstance(body["pipeline_id"], str):
        value = body["pipeline_id"]
        found.append(
            _error(["body", "pipeline_id"], "string_type", "Input should be a valid string", value)
        )
    if kind in QUEUED_KINDS and "queue_priority" in body:
        value = body["queue_priority"]
        if value not in QUEUE_PRIORITIES:
            expected = "'auto', 'standard' or 'batch'"
            item = _error(["body", "queue_priority"], "enum", f"Input should be {expected}", value)
            item["ctx"] = {"expected": expected}
            found.append(item)
    if kind != "edit" and "async" in body:
        found += _async_config(body["async"])
    for name, want in FIELD_TYPES[kind].items():
        if name in body and not (name in NULLABLE and body[name] is None):
            found += _typed(["body", name], body[name], want)
    if kind == "classify":
        found += _classify_extras(body)
    if kind == "edit" and isinstance(body.get("webhook"), dict) and "mode" in body["webhook"]:
        loc: list[str | int] = ["body", "webhook", "mode"]
        found += _typed(loc, body["webhook"]["mode"], ("disabled", "svix", "direct"))
    return found


def _async_config(value: Any) -> list[dict[str, Any]]:
    loc: list[str | int] = ["body", "async"]
    found = _typed(loc, value, OBJECT)
    if found:
        return found
    if "priority" in value:
        found += _typed([*loc, "priority"], value["priority"], FLAG)
    if value.get("webhook") is not None:
        found += _typed([*loc, "webhook"], value["webhook"], OBJECT)
    return found


def _classify_extras(body: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    schema = body.get("classification_schema")
    if isinstance(schema, list):
        for n, item in enumerate(schema):
            loc: list[str | int] = ["body", "classification_schema", n]
            if not isinstance(item, dict):
                found += _typed(loc, item, OBJECT)
                continue
            for field in ("category", "criteria"):
                if field not in item:
                    found.append(_error([*loc, field], "missing", "Field required", item))
            if "category" in item:
                found += _typed([*loc, "category"], item["category"], TEXT)
            if isinstance(item.get("criteria"), list):
                for k, word in enumerate(item["criteria"]):
                    found += _typed([*loc, "criteria", k], word, TEXT)
            elif "criteria" in item:
                found += _typed([*loc, "criteria"], item["criteria"], LIST)
    groups = body.get("category_groups")
    if isinstance(groups, dict):
        for name, members in groups.items():
            found += _typed(["body", "category_groups", name], members, LIST)
    if body.get("document_metadata") is not None:
        found += _typed(["body", "document_metadata"], body["document_metadata"], TEXT)
    return found
