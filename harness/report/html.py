"""report.html: one self-contained page (inline CSS and SVG, no script, no network).

The page is always rendered from report.json's content (``harness.report.model``), so
``harness report DIR`` gives the same page a run wrote. Secrets are redacted from the
whole output text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pydantic
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from harness.durations import format_duration
from harness.errors import InputError
from harness.report.model import Report
from harness.report.redact import redact
from harness.report.view import check_label, scenario_views

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = lambda ts: time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))
    env.filters["secs"] = _seconds
    env.filters["check"] = check_label
    env.filters["dur"] = format_duration
    return env


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if abs(value) < 1 else f"{value:.1f}"


def parse_report(data: object, source: str = "report.json") -> Report:
    """The report model, or InputError naming the first problems."""
    try:
        return Report.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()[:3]
        )
        more = f" (and {exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
        raise InputError(f"not a harness report: {problems}{more}", path=source) from None


def read_report_json(path: Path) -> Any:
    """The parsed JSON of a report.json (not yet checked against the model)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("report.json not found", path=path) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read report.json: {exc}", path=path) from None


def load_report(path: Path) -> Report:
    return parse_report(read_report_json(path), str(path))


def render_html(report: Report, secrets: Iterable[str] = ()) -> str:
    template = environment().get_template("report.html.j2")
    page = template.render(report=report, scenarios=scenario_views(report))
    return redact(page, secrets)


def write_html(report: Report, path: Path, secrets: Iterable[str] = ()) -> Path:
    path.write_text(render_html(report, secrets), encoding="utf-8")
    return path
