"""pydantic's ValidationError as one message a person can act on.

The first error by line is the message (file, line, key path as written, e.g.
``expect[0].fires.after``), in the input's own words, with a did-you-mean where there
are choices (unknown keys, literals, union tags); the next few are listed under it.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from harness.errors import InputError
from harness.yamlsource.messages import plural, unknown
from harness.yamlsource.positions import Key, format_path, line_of

_Item = tuple[tuple[Key, ...], int | None, str, str | None]  # loc, line, message, hint
MAX_LISTED = 5  # further errors after the first one, listed as "also line N (...)"

_EXPECTED = {
    "int_parsing": "an integer",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "a string",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
}


def validation_error(
    exc: ValidationError,
    path: Path | str,
    data: Any,
    model: type[BaseModel],
    error: type[InputError] = InputError,
    *,
    context: str = "",
) -> InputError:
    """``error`` for ``exc`` raised validating ``data`` (loaded with positions) as ``model``.

    ``context`` is appended to the first message, e.g. " (in variant 'mild')".
    """
    raw = exc.errors(include_url=False)
    locs = [tuple(e["loc"]) for e in raw]
    # A container error caused by an item's own error (e.g. too_short) adds nothing.
    kept = [e for e, loc in zip(raw, locs, strict=True) if not _is_cascade(loc, locs)]
    items = [_describe(e, data, model) for e in _drop_misspelt_missing(kept or raw)]
    items.sort(key=lambda item: item[1] or 0)
    loc, line, message, hint = items[0]
    message += context
    rest = items[1 : 1 + MAX_LISTED]
    if rest:
        if hint:
            message += f"\n  hint: {hint}"
            hint = None
        for r_loc, r_line, r_message, _ in rest:
            message += f"\n  also line {r_line} ({format_path(r_loc)}): {r_message}"
        if len(items) > 1 + MAX_LISTED:
            message += f"\n  ... and {len(items) - 1 - MAX_LISTED} more"
    return error(message, path=path, line=line, key=format_path(loc) or None, hint=hint)


def _drop_misspelt_missing(errors: list[Any]) -> list[Any]:
    """``phasess:`` is both an unknown key and a missing ``phases``: report it once."""
    unknown_keys: dict[tuple[Any, ...], list[str]] = {}
    for e in errors:
        if e["type"] == "extra_forbidden":
            unknown_keys.setdefault(tuple(e["loc"][:-1]), []).append(str(e["loc"][-1]))

    def misspelt(e: Any) -> bool:
        if e["type"] != "missing":
            return False
        typos = unknown_keys.get(tuple(e["loc"][:-1]), [])
        return bool(difflib.get_close_matches(str(e["loc"][-1]), typos, n=1, cutoff=0.6))

    return [e for e in errors if not misspelt(e)]


def _is_cascade(loc: tuple[Any, ...], locs: list[tuple[Any, ...]]) -> bool:
    return any(len(other) > len(loc) and other[: len(loc)] == loc for other in locs)


def _describe(err: Any, data: Any, model: type[BaseModel]) -> _Item:
    kind: str = err["type"]
    loc = _data_path(data, err["loc"], keep_last=kind == "missing")
    ctx = err.get("ctx") or {}
    given = err.get("input")
    hint = None
    if kind == "extra_forbidden":
        found = _model_at(model, loc[:-1], data)
        message, hint = unknown("key", str(loc[-1]), list(found.model_fields) if found else [])
    elif kind == "missing":
        message = f"Missing required key '{loc[-1]}'"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        field = (_quoted(ctx.get("discriminator", "")) or ["kind"])[0]
        tags = _quoted(ctx.get("expected_tags", "")) or _union_tags(model, loc, data, field)
        what = f"{_singular(loc)} {field}" if loc else field  # "fault kind"
        loc = (*loc, field)
        if kind == "union_tag_invalid":
            message, hint = unknown(what, str(ctx.get("tag")), tags)
        else:
            message = f"Missing required key '{field}'"
            hint = f"valid {plural(what)}: {', '.join(tags)}"
    elif kind == "literal_error":
        message, hint = unknown(_singular(loc), str(given), _quoted(ctx.get("expected", "")))
    else:
        message = _plain_message(kind, err, ctx, given)
    return loc, line_of(data, loc), message, hint


def _plain_message(kind: str, err: Any, ctx: dict[str, Any], given: Any) -> str:
    if kind in _EXPECTED:
        return f"Expected {_EXPECTED[kind]}, got {_show(given)}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "string_pattern_mismatch":
        return (
            f"Invalid name {_show(given)}: use letters, digits, '_', '.' and '-', "
            "starting with a letter or digit"
        )
    if kind == "too_short":
        return f"Must have at least {ctx.get('min_length', 1)} item(s)"
    if kind.startswith(("greater", "less", "too_", "string_pattern")):
        return re.sub(r"^\w+ should", "Must", err["msg"]) + f", got {_show(given)}"
    return str(err["msg"])


def _data_path(data: Any, loc: Sequence[Any], *, keep_last: bool) -> tuple[Key, ...]:
    """pydantic's loc with the parts that are not in the document dropped (union tags)."""
    out: list[Key] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict | list) and _has(node, part):
            out.append(part)
            node = _child(node, part)
        elif keep_last and i == len(loc) - 1:
            out.append(part)
    return tuple(out)


def _type_at(model: type[BaseModel], loc: Sequence[Key], data: Any) -> tuple[Any, Any]:
    """The annotation that validates the value at ``loc``, and that value."""
    tp: Any = model
    node = data
    for part in loc:
        tp = _resolve(tp, node)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            tp = field.annotation if field else None
        else:
            args = typing.get_args(tp)
            tp = args[0] if typing.get_origin(tp) in (list, tuple) else args[-1] if args else None
        node = _child(node, part)
        if tp is None:
            break
    return tp, node


def _model_at(model: type[BaseModel], loc: Sequence[Key], data: Any) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc`` (follows lists and unions)."""
    tp, node = _type_at(model, loc, data)
    tp = _resolve(tp, node)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _union_tags(model: type[BaseModel], loc: Sequence[Key], data: Any, field: str) -> list[str]:
    """The values of the discriminator ``field`` across the union at ``loc``."""
    tp, _ = _type_at(model, loc, data)
    tags: list[str] = []
    for member in typing.get_args(_strip(tp)):
        found = getattr(member, "model_fields", {}).get(field)
        if found is not None:
            tags += [str(t) for t in typing.get_args(found.annotation)]
    return tags


def _strip(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _resolve(tp: Any, node: Any) -> Any:
    tp = _strip(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        kind = node.get("kind") if isinstance(node, dict) else None
        for candidate in models:
            field = candidate.model_fields.get("kind")
            if field is not None and kind in typing.get_args(field.annotation):
                return candidate
        others = [a for a in args if a is not type(None)]
        return models[0] if len(models) == 1 else others[0] if len(others) == 1 else tp
    return tp


def _has(node: dict[Any, Any] | list[Any], part: Key) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(part, int) and 0 <= part < len(node)


def _child(node: Any, part: Any) -> Any:
    """``node[part]`` if the document has it, else None."""
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _quoted(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def _singular(loc: Sequence[Key]) -> str:
    # "marks[0]" -> "mark"; a plain key keeps its name.
    names = [p for p in loc if isinstance(p, str)]
    name = names[-1] if names else "value"
    return name[:-1] if isinstance(loc[-1], int) and name.endswith("s") else name


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing (null)"
    return repr(value)
