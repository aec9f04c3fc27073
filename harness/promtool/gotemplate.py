"""Alert label and annotation templates, rendered as Prometheus renders them.

Prometheus expands each rule label and annotation with Go's text/template, preceded by
``{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL :=
.ExternalURL}}{{$value := .Value}}`` (``rules/alerting.go`` at v2.42.0). This is the
subset public rule files use: text, ``{{ }}`` with ``{{-``/``-}}`` trimming, variables and
fields (``$labels.job``, ``.Labels.job``, ``$value``, ``.Value``), string and number
literals, pipelines, ``if``/``else if``/``else``/``with``/``end``, and the functions in
``FUNCS``. Anything else (``range``, ``query``, ``define``...) raises ``Unsupported``:
the caller reports the annotation as not rendered rather than guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.promtool import gofmt

_ACTION = re.compile(r"{{(-\s)?(.*?)(\s-)?}}", re.S)
_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\||\(|\)|[^\s|()]+)')


class Unsupported(ValueError):
    """A template construct this renderer does not do."""


def _float(value: Any) -> float:
    if isinstance(value, str):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unsupported(f"can't convert {type(value).__name__} to float")
    return float(value)


def _title(text: str) -> str:
    return re.sub(r"(^|[^\w'])(\w)", lambda m: m.group(1) + m.group(2).upper(), text)


FUNCS: dict[str, Callable[..., Any]] = {
    "humanize": lambda v: gofmt.humanize(_float(v)),
    "humanize1024": lambda v: gofmt.humanize1024(_float(v)),
    "humanizeDuration": lambda v: gofmt.humanize_duration(_float(v)),
    "humanizePercentage": lambda v: gofmt.humanize_percentage(_float(v)),
    "printf": gofmt.printf,
    "print": lambda *a: "".join(gofmt.go_print(x) for x in a),
    "toUpper": lambda s: str(s).upper(),
    "toLower": lambda s: str(s).lower(),
    "title": lambda s: _title(str(s)),
    "reReplaceAll": lambda pattern, repl, text: re.sub(
        pattern, re.sub(r"\$(\d+)|\$\{(\d+)\}", lambda m: "\\" + (m.group(1) or m.group(2)),
                        repl), text),
    "index": lambda m, k: m.get(k, "") if isinstance(m, dict) else Unsupported("index"),
    "stripPort": lambda s: str(s).rsplit(":", 1)[0] if ":" in str(s) else str(s),
    "eq": lambda a, *b: any(a == x for x in b),
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "not": lambda a: not _truth(a),
    "and": lambda *a: next((x for x in a if not _truth(x)), a[-1]),
    "or": lambda *a: next((x for x in a if _truth(x)), a[-1]),
    "len": lambda a: len(a),
}


def _truth(value: Any) -> bool:
    return bool(value)


@dataclass
class _Node:
    kind: str  # text, action, if, with
    text: str = ""
    branches: list[tuple[str | None, list[_Node]]] | None = None  # (condition, body)


def _parse(template: str) -> list[_Node]:
    """The template as a tree of text, actions and if/with blocks."""
    root: list[_Node] = []
    stack: list[tuple[list[_Node], _Node | None]] = [(root, None)]
    pos = 0
    pieces: list[tuple[str, str]] = []
    for match in _ACTION.finditer(template):
        text = template[pos:match.start()]
        if match.group(1):
            text = text.rstrip()
        if pieces and pieces[-1][0] == "trim":
            text = text.lstrip()
            pieces.pop()
        pieces.append(("text", text))
        pieces.append(("action", match.group(2).strip()))
        if match.group(3):
            pieces.append(("trim", ""))
        pos = match.end()
    tail = template[pos:]
    if pieces and pieces[-1][0] == "trim":
        tail = tail.lstrip()
        pieces.pop()
    pieces.append(("text", tail))
    for kind, text in pieces:
        body, block = stack[-1]
        word = (text.split(None, 1) or [""])[0]
        if kind == "text":
            body.append(_Node("text", text))
        elif text.startswith("/*"):
            continue
        elif word in ("if", "with"):
            node = _Node(word, branches=[(text[len(word):].strip(), [])])
            body.append(node)
            assert node.branches is not None
            stack.append((node.branches[0][1], node))
        elif word == "else":
            if block is None or block.branches is None:
                raise Unsupported("else outside if/with")
            rest = text[4:].strip()
            condition = rest[3:].strip() if rest.startswith("if ") else None
            block.branches.append((condition, []))
            stack[-1] = (block.branches[-1][1], block)
        elif word == "end":
            if block is None:
                raise Unsupported("end without if/with")
            stack.pop()
        elif word in ("range", "define", "template", "block", "break", "continue"):
            raise Unsupported(f"{word} is not rendered offline")
        else:
            body.append(_Node("action", text))
    if len(stack) != 1:
        raise Unsupported("an if/with block is not closed")
    return root


def render(template: str, labels: dict[str, str], value: float,
           external_labels: dict[str, str], external_url: str) -> str:
    """The expanded template; Prometheus's ``<error expanding template: ...>`` never
    comes from here: an error raises ``Unsupported``."""
    data = {"Labels": labels, "ExternalLabels": external_labels, "ExternalURL": external_url,
            "Value": value}
    variables = {"$labels": labels, "$externalLabels": external_labels,
                 "$externalURL": external_url, "$value": value, "$": data}
    out: list[str] = []
    _run(_parse(template), data, variables, out)
    return "".join(out)


def _run(nodes: list[_Node], dot: Any, variables: dict[str, Any], out: list[str]) -> None:
    for node in nodes:
        if node.kind == "text":
            out.append(node.text)
        elif node.kind == "action":
            if re.match(r"\$\w+\s*:?=", node.text):
                name, expr = re.split(r"\s*:?=\s*", node.text, maxsplit=1)
                variables[name] = _pipeline(expr, dot, variables)
            else:
                out.append(gofmt.go_print(_pipeline(node.text, dot, variables)))
        else:
            assert node.branches is not None
            for condition, body in node.branches:
                if condition is None:
                    _run(body, dot, variables, out)
                    break
                value = _pipeline(condition, dot, variables)
                if _truth(value):
                    _run(body, value if node.kind == "with" else dot, variables, out)
                    break


def _pipeline(text: str, dot: Any, variables: dict[str, Any]) -> Any:
    tokens = [m.group(1) for m in _TOKEN.finditer(text) if m.group(1)]
    if "(" in tokens:
        raise Unsupported("parenthesised pipelines are not rendered offline")
    commands: list[list[str]] = [[]]
    for token in tokens:
        if token == "|":
            commands.append([])
        else:
            commands[-1].append(token)
    result: Any = None
    for i, command in enumerate(commands):
        if not command:
            raise Unsupported(f"empty command in {text!r}")
        args = [_operand(t, dot, variables) for t in command[1:]]
        if i > 0:
            args.append(result)
        result = _call(command[0], args, dot, variables)
    return result


def _call(head: str, args: list[Any], dot: Any, variables: dict[str, Any]) -> Any:
    if head in FUNCS:
        result = FUNCS[head](*args)
        if isinstance(result, Exception):
            raise result
        return result
    if args:
        raise Unsupported(f"{head} is not a function rendered offline")
    return _operand(head, dot, variables)


def _operand(token: str, dot: Any, variables: dict[str, Any]) -> Any:
    if token.startswith('"'):
        return bytes(token[1:-1], "utf-8").decode("unicode_escape")
    if token.startswith("`"):
        return token[1:-1]
    if token == ".":
        return dot
    if token.startswith("$"):
        name, _, path = token.partition(".")
        if name not in variables:
            raise Unsupported(f"undefined variable {name}")
        return _fields(variables[name], path)
    if token.startswith("."):
        return _fields(dot, token[1:])
    if token in ("true", "false"):
        return token == "true"
    try:
        return int(token) if re.fullmatch(r"-?\d+", token) else float(token)
    except ValueError:
        raise Unsupported(f"{token!r} is not rendered offline") from None


def _fields(value: Any, path: str) -> Any:
    for name in filter(None, path.split(".")):
        if not isinstance(value, dict):
            raise Unsupported(f"field {name} of a {type(value).__name__}")
        value = value.get(name, "")  # missingkey=zero: a missing label is ""
    return value
