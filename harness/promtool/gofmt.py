"""Go's number formatting as Prometheus's templates print numbers.

``go_value``: ``fmt.Sprint(float64)`` (``%v``: shortest digits, exponent form when the
exponent is below -4 or at least 6, strconv's rule for the shortest form). ``go_g``:
``%.Ng``. ``humanize*``: ``template/template.go`` at v2.42.0. ``printf``: the verbs rule
annotations use (%s %v %d %f %g %e %q %x, width, precision).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

_VERB = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def _special(v: float) -> str | None:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return None


def go_value(v: float) -> str:
    """``fmt.Sprint(v)`` for a float64."""
    special = _special(v)
    if special is not None:
        return special
    if v == 0:
        return "-0" if math.copysign(1, v) < 0 else "0"
    sign, digits_t, exp = Decimal(repr(v)).as_tuple()
    digits = "".join(map(str, digits_t)).rstrip("0") or "0"
    assert isinstance(exp, int)
    dp = len("".join(map(str, digits_t))) + exp  # position of the decimal point
    x = dp - 1
    prefix = "-" if sign else ""
    if x < -4 or x >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if x < 0 else '+'}{abs(x):02d}"
    if dp <= 0:
        return f"{prefix}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return f"{prefix}{digits}{'0' * (dp - len(digits))}"
    return f"{prefix}{digits[:dp]}.{digits[dp:]}"


def go_g(v: float, precision: int = 4) -> str:
    """``fmt.Sprintf("%.<precision>g", v)``."""
    special = _special(v)
    return special if special is not None else f"{v:.{precision}g}"


def humanize(v: float) -> str:
    if v == 0 or _special(v):
        return go_g(v)
    prefix = ""
    if abs(v) >= 1:
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(v) < 1000:
                break
            prefix, v = p, v / 1000
        return go_g(v) + prefix
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return go_g(v) + prefix


def humanize1024(v: float) -> str:
    if abs(v) <= 1 or _special(v):
        return go_g(v)
    prefix = ""
    for p in ("ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"):
        if abs(v) < 1024:
            break
        prefix, v = p, v / 1024
    return go_g(v) + prefix


def humanize_duration(v: float) -> str:
    if _special(v):
        return go_g(v)
    if v == 0:
        return go_g(v) + "s"
    if abs(v) >= 1:
        sign = "-" if v < 0 else ""
        v = abs(v)
        d = int(v)
        seconds, minutes, hours, days = d % 60, d // 60 % 60, d // 3600 % 24, d // 86400
        if days:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes:
            return f"{sign}{minutes}m {seconds}s"
        return f"{sign}{go_g(v)}s"
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return f"{go_g(v)}{prefix}s"


def humanize_percentage(v: float) -> str:
    return go_g(v * 100) + "%"


def go_print(value: Any) -> str:
    """How text/template prints a value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_value(value)
    if value is None:
        return "<no value>"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_print(v)}" for k, v in sorted(value.items())) + "]"
    return str(value)


def printf(fmt: str, *args: Any) -> str:
    """``fmt.Sprintf`` for the common verbs."""
    out, pos, arg = [], 0, 0
    for match in _VERB.finditer(fmt):
        out.append(fmt[pos:match.start()])
        pos = match.end()
        flags, width, precision, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        if arg >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        out.append(_one(flags, width, precision, verb, args[arg]))
        arg += 1
    out.append(fmt[pos:])
    if arg < len(args):
        out.append("%!(EXTRA " + ", ".join(f"{type(a).__name__}={go_print(a)}"
                                            for a in args[arg:]) + ")")
    return "".join(out)


def _one(flags: str, width: str | None, precision: str | None, verb: str, value: Any) -> str:
    spec = f"{flags}{width or ''}{'.' + precision if precision else ''}"
    if verb in "fFeEgG" and isinstance(value, int | float) and not isinstance(value, bool):
        special = _special(float(value))
        if special is not None:
            return special
        if verb in "gG" and precision is None:
            return go_value(float(value))
        return f"{float(value):{spec}{verb}}"
    if verb == "d" and isinstance(value, int) and not isinstance(value, bool):
        return f"{value:{spec}d}"
    if verb == "d" and isinstance(value, float):
        return f"%!d(float64={go_value(value)})"
    if verb == "q":
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    if verb in "xX" and isinstance(value, str):
        text = value.encode().hex()
        return text.upper() if verb == "X" else text
    text = go_print(value)
    if precision is not None and verb in "sv":
        text = text[:int(precision)]
    return f"{text:{'<' if '-' in flags else '>'}{width or 0}}" if width else text
