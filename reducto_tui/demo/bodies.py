"""What each ``*_async`` path requires of its JSON body (v1.12.20), checked as FastAPI would.

Only the fields the spec marks required, and the types of the few fields the demo reads, are
checked; everything else the spec allows is kept as given (it becomes the job's raw_config).
Problems come back as FastAPI's ``ValidationError`` items, all of them at once.
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
    if kind != "edit" and "async" in body and not isinstance(body["async"], dict):
        msg = "Input should be a valid dictionary or object to extract fields from"
        found.append(_error(["body", "async"], "model_attributes_type", msg, body["async"]))
    return found
