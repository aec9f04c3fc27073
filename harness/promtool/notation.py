"""promtool's series notation: ``up{job="api"}`` and ``1+2x3 _ stale 5x2 _x4``.

A transcription of ``ParseSeriesDesc`` (``promql/parser``, lexer state
``lexValueSequence`` and grammar rules ``series_item``/``series_value``) at Prometheus
v2.42.0. Items are separated by spaces:

- ``a``: one value; ``axn``: ``a`` n+1 times; ``a+bxn`` / ``a-bxn``: n+1 values from
  ``a`` in steps of ``b`` (accumulated by repeated addition, as Go does);
- ``_``: one omitted sample; ``_xn``: n omitted samples (not n+1);
- ``stale``: a staleness marker; numbers are decimal (no hex in series), ``Inf``,
  ``NaN``, with an optional sign.

Values are at times 0, interval, 2*interval, ... (promtool's ``load`` command).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import promql_parser as pp

from harness.rules import promql

STALE = "stale"
_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d*)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_:]*")
_UINT = re.compile(r"\d+")
_KEYWORD_NUMBERS = {"inf": math.inf, "nan": math.nan}


class NotationError(ValueError):
    """A series or its values that promtool would not parse; the message says where."""


@dataclass(frozen=True)
class Value:
    """One step of a series: a value, an omitted sample (``_``) or a staleness marker."""

    value: float = 0.0
    omitted: bool = False
    stale: bool = False


OMITTED = Value(omitted=True)
STALE_VALUE = Value(math.nan, stale=True)


def parse_labels(text: str) -> dict[str, str]:
    """``name{l="v"}`` or ``{__name__="name", l="v"}`` as a label map (``__name__`` kept)."""
    try:
        node = promql.parse(text)
    except promql.PromQLError as exc:
        raise NotationError(f"series {text!r} does not parse: {exc}") from None
    if not isinstance(node, pp.VectorSelector) or node.offset or node.at:
        raise NotationError(f"series {text!r} is not a metric with labels")
    labels: dict[str, str] = {}
    if node.name:
        labels["__name__"] = node.name
    for matcher in node.matchers.matchers:
        if matcher.op != pp.MatchOp.Equal:
            raise NotationError(f"series {text!r}: label {matcher.name} must use '='")
        if matcher.name in labels and matcher.name != "__name__":
            raise NotationError(f"series {text!r}: label {matcher.name} is repeated")
        labels[matcher.name] = matcher.value
    return labels


class _Lexer:
    """The value sequence, one token at a time: space, + - x _, number, word."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str) -> NotationError:
        return NotationError(f"{message} at column {self.pos + 1} of {self.text!r}")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def number(self) -> float:
        """An unsigned number (decimal, Inf, NaN) at the position."""
        match = _NUMBER.match(self.text, self.pos)
        if match:
            end = match.end()
            after = self.text[end] if end < len(self.text) else ""
            if (after.isalnum() and after != "x") or after == "_":
                raise self.error("bad number")
            try:
                value = float(match.group())
            except ValueError:
                raise self.error("bad number") from None
            self.pos = end
            return value
        word = _WORD.match(self.text, self.pos)
        if word and word.group().lower() in _KEYWORD_NUMBERS:
            self.pos = word.end()
            return _KEYWORD_NUMBERS[word.group().lower()]
        raise self.error("expected a number")

    def uint(self) -> int:
        match = _UINT.match(self.text, self.pos)
        after = match.end() if match else self.pos
        if not match or (after < len(self.text) and not self.text[after].isspace()):
            raise self.error("expected a whole number of repetitions after 'x'")
        self.pos = after
        return int(match.group())


def parse_values(text: str) -> list[Value]:
    """The expanded value sequence, one ``Value`` per interval."""
    lex = _Lexer(text.strip())
    values: list[Value] = []
    while lex.pos < len(lex.text):
        if lex.peek().isspace():
            lex.pos += 1
            continue
        values += _item(lex)
        if lex.peek() and not lex.peek().isspace():
            raise lex.error(f"unexpected {lex.peek()!r}")
    return values


def _item(lex: _Lexer) -> list[Value]:
    if lex.peek() == "_":
        lex.pos += 1
        if lex.peek() == "x":
            lex.pos += 1
            return [OMITTED] * lex.uint()
        return [OMITTED]
    first = _value(lex)
    if lex.peek() == "x":
        lex.pos += 1
        return [first] * (lex.uint() + 1)
    if lex.peek() in ("+", "-"):
        sign = -1.0 if lex.peek() == "-" else 1.0
        lex.pos += 1
        step = sign * lex.number()
        if lex.peek() != "x":
            raise lex.error("expected 'x' and a repetition count after the step")
        lex.pos += 1
        count = lex.uint()
        out, current = [], first.value
        for _ in range(count + 1):
            out.append(STALE_VALUE if first.stale else Value(current))
            current += step
        return out
    return [first]


def _value(lex: _Lexer) -> Value:
    """``series_value``: ``stale``, a number, or a signed number."""
    word = _WORD.match(lex.text, lex.pos)
    if word and word.group().lower() not in _KEYWORD_NUMBERS:
        if word.group() != STALE:
            raise lex.error(f"unexpected {word.group()!r} (a number or \"stale\")")
        lex.pos = word.end()
        return STALE_VALUE
    sign = 1.0
    if lex.peek() in ("+", "-"):
        sign = -1.0 if lex.peek() == "-" else 1.0
        lex.pos += 1
    return Value(sign * lex.number())
