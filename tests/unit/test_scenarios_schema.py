"""One schema: the committed JSON schema is current, and the documented example is valid."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from harness.durations import format_duration
from harness.paths import PROJECT_DIR
from harness.scenarios import parse_duration, parse_scenario
from harness.scenarios.fault_kinds import FAULT_KINDS
from harness.scenarios.model import DURATION_PATTERN
from harness.scenarios.schema import SCHEMA_PATH, render_json_schema, scenario_json_schema
from harness.yamlsource import parse_document

DOC = PROJECT_DIR / "docs" / "SCENARIOS.md"


def test_committed_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_json_schema(), (
        "docs/scenario.schema.json is stale: run `python -m harness.scenarios.schema`"
    )


def _doc_examples() -> list[str]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert blocks, "docs/SCENARIOS.md has no yaml example"
    return blocks


@pytest.mark.parametrize("index", range(len(_doc_examples())))
def test_documented_example_loads_and_matches_the_json_schema(index: int) -> None:
    text = _doc_examples()[index]
    scenarios = parse_scenario(text, "docs/SCENARIOS.md", env={})
    assert scenarios and all(s.expect for s in scenarios)
    jsonschema.validate(parse_document(text, "docs/SCENARIOS.md"), scenario_json_schema())


def test_every_fault_kind_is_documented_and_in_the_schema() -> None:
    doc = DOC.read_text(encoding="utf-8")
    schema = json.dumps(scenario_json_schema())
    for kind in FAULT_KINDS:
        assert f"| `{kind}` |" in doc, kind
        assert f'"const": "{kind}"' in schema, kind


def test_json_schema_rejects_what_the_loader_rejects() -> None:
    bad = {"phases": [{"name": "a", "duration": "5 m"}], "expect": [{"alert": "A"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, scenario_json_schema())


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5m", 300),
        ("90s", 90),
        ("1h30m", 5400),
        ("500ms", 0.5),
        ("0", 0),
        ("2d", 172800),
        ("1w", 604800),
        ("1y", 31536000),
        ("1m30s500ms", 90.5),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds
    assert re.match(DURATION_PATTERN, text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("5 m", "use a number and a unit"),
        ("1m1h", "largest to smallest"),
        ("", "use a number"),
        ("30", "has no unit: write '30s' or '30m'"),
        ("1.5m", "use a number"),
        ("5mm", "use a"),
        ("1s1s", "largest to smallest"),
    ],
)
def test_bad_durations(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_duration(text)
    assert not re.match(DURATION_PATTERN, text)


def test_bare_numbers_and_other_types_are_refused() -> None:
    with pytest.raises(ValueError, match="Duration 30 has no unit"):
        parse_duration(30)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Expected a duration"):
        parse_duration(True)  # type: ignore[arg-type]


def test_format_duration_round_trips() -> None:
    for seconds in (0.5, 90, 5400, 86400 + 1):
        assert parse_duration(format_duration(seconds)) == seconds
    assert format_duration(5400) == "1h30m"
