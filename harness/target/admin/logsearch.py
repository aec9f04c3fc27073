"""Log search over the target's JSON log files, with the spec's LogQL examples' filters.

A query is a pipeline as after a LogQL stream selector (the selector itself is
optional; its labels are matched as fields, ``app`` as ``service``):

    |= "error"                     line contains (``!=`` does not contain)
    |~ "time(out|d)"               line matches a regular expression (``!~`` does not)
    | json | userId="user-123"     field equals (``!=``, ``=~`` / ``!~`` full regex match)
    | json | duration > 1000       numeric comparison (``>``, ``>=``, ``<``, ``<=``)

``| json`` is accepted and implied: every line is parsed as JSON. Text without any
operator is a plain "line contains". Filters combine with AND, newest lines first.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TAIL_BYTES = 8_000_000  # of each file: the most recent lines
LIMIT = 200
_OPS = "=~|!~|!=|==|>=|<=|=|>|<"
_STRING = r'"(?:[^"\\]|\\.)*"|`[^`]*`'
_FIELD = re.compile(rf"\s*([A-Za-z_][\w.]*)\s*({_OPS})\s*({_STRING}|-?\d+(?:\.\d+)?)\s*,?")
_LINE = re.compile(rf"\s*(\|=|!=|\|~|!~)\s*({_STRING})")
_STAGE = re.compile(r"\s*\|\s*(json\b)?")
_SELECTOR = re.compile(r"\s*\{([^}]*)\}")
_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le
}


class QueryError(ValueError):
    """A log query that cannot be parsed; the message says where."""


@dataclass(frozen=True)
class Filter:
    kind: str  # "line" (on the raw line) or "field"
    op: str
    value: str | float
    field: str = ""
    regex: re.Pattern[str] | None = None

    def accepts(self, raw: str, entry: Mapping[str, Any]) -> bool:
        if self.kind == "line":
            return _line_test(self, raw)
        return _field_test(self, entry)


def _line_test(f: Filter, raw: str) -> bool:
    if f.regex is not None:
        return (f.regex.search(raw) is not None) == (f.op == "|~")
    return (str(f.value) in raw) == (f.op == "|=")


def _field_test(f: Filter, entry: Mapping[str, Any]) -> bool:
    have = entry.get(f.field)
    if f.op in _NUMERIC:
        try:
            return _NUMERIC[f.op](float(have), float(f.value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
    text = "" if have is None else str(have)
    if f.regex is not None:
        return (f.regex.fullmatch(text) is not None) == (f.op == "=~")
    return (text == str(f.value)) == (f.op in ("=", "=="))


def _unquote(token: str) -> str:
    return token[1:-1] if token.startswith("`") else str(json.loads(token))


def _compile(pattern: str, at: int) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise QueryError(f"bad regular expression at character {at + 1}: {exc}") from exc


def parse_query(text: str) -> list[Filter]:
    """The filters of ``text``; ``QueryError`` names the first part it cannot read."""
    text = text.strip()
    if not text:
        return []
    if not re.search(r"[|=~<>{]", text):
        return [Filter("line", "|=", text)]
    out: list[Filter] = []
    pos = 0
    if m := _SELECTOR.match(text):
        out += _selector(m.group(1), m.start(1))
        pos = m.end()
    while pos < len(text):
        if m := _LINE.match(text, pos):
            op, value = m.group(1), _unquote(m.group(2))
            regex = _compile(value, m.start(2)) if "~" in op else None
            out.append(Filter("line", op, value, regex=regex))
        elif m := _FIELD.match(text, pos):
            out.append(_field(m.group(1), m.group(2), m.group(3), m.start(3)))
        elif (m := _STAGE.match(text, pos)) and m.end() > pos:
            pass
        elif not text[pos:].strip():
            break
        else:
            rest = text[pos : pos + 30]
            raise QueryError(f"cannot read the query at character {pos + 1}: {rest!r}")
        pos = m.end()
    return out


def _field(name: str, op: str, token: str, at: int) -> Filter:
    quoted = token[:1] in ('"', "`")
    if op in _NUMERIC:
        if quoted:
            raise QueryError(f"{name} {op} needs a number, got {token}")
        return Filter("field", op, float(token), name)
    value = _unquote(token) if quoted else token
    regex = _compile(value, at) if "~" in op else None
    return Filter("field", op, value, name, regex)


def _selector(body: str, at: int) -> list[Filter]:
    out = []
    for part in filter(None, (p.strip() for p in body.split(","))):
        m = re.fullmatch(rf"([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*({_STRING})", part)
        if m is None:
            raise QueryError(f"cannot read the stream selector at character {at + 1}: {part!r}")
        name = "service" if m.group(1) == "app" else m.group(1)
        out.append(_field(name, m.group(2), m.group(3), at))
    return out


def _tail_lines(path: Path, max_bytes: int) -> list[str]:
    with path.open("rb") as f:
        size = f.seek(0, 2)
        f.seek(max(0, size - max_bytes))
        data = f.read()
    lines = data.decode("utf-8", "replace").splitlines()
    return lines[1:] if size > max_bytes else lines  # the first may be cut


def search(
    files: Mapping[str, Path], filters: list[Filter], *, limit: int = LIMIT,
    max_bytes: int = TAIL_BYTES,
) -> dict[str, Any]:
    """Matching lines of every file, newest first (by their ``timestamp``), at most ``limit``."""
    found: list[dict[str, Any]] = []
    scanned, matched, missing = 0, 0, []
    for source, path in files.items():
        try:
            lines = _tail_lines(path, max_bytes)
        except OSError:
            missing.append(source)
            continue
        scanned += len(lines)
        hits = 0
        for raw in reversed(lines):
            entry = _parse(raw)
            if all(f.accepts(raw, entry) for f in filters):
                hits += 1
                if hits <= limit:  # the newest ``limit`` of each file, counted all
                    found.append({"source": source, "entry": entry})
        matched += hits
    found.sort(key=lambda e: str(e["entry"].get("timestamp", "")), reverse=True)
    return {"entries": found[:limit], "matched": matched, "scanned": scanned,
            "missing": missing}


def _parse(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        return {"message": raw}
    return value if isinstance(value, dict) else {"message": raw}


def parse_log_files(setting: str, sep: str) -> dict[str, Path]:
    """``name=path`` pairs separated by ``sep`` (TARGET_LOG_FILES) as a mapping."""
    out = {}
    for part in filter(None, setting.split(sep)):
        name, eq, path = part.partition("=")
        if not eq or not name or not path:
            raise ValueError(f"TARGET_LOG_FILES: expected name=path, got {part!r}")
        out[name] = Path(path)
    return out
