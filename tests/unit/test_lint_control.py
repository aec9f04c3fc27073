"""Control over the lint, as pint users expect (issue 14): profiles, `.harness-lint.yml`
found upward, inline `# harness-lint disable=<check-id>`, SARIF output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.errors import InputError
from harness.lint import LintOptions, lint_paths
from harness.lint.config import find_config, load_config

BAD = Path(__file__).resolve().parents[1] / "bad_input" / "lint"
RULE = """\
groups:
  - name: g
    rules:
      - alert: Flapping
{comment}        expr: sum(rate(http_requests_total[5m])) > 1
      - alert: AlsoFlapping
        expr: sum(rate(http_requests_total[5m])) > 2
"""


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["lint", "--no-tools", *args])
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def _checks(path: Path, **options: object) -> list[tuple[str, int | None]]:
    report = lint_paths([path], LintOptions(tools=False, **options))  # type: ignore[arg-type]
    return [(f.check, f.line) for f in report.findings]


def test_inline_disable_silences_one_rule(tmp_path: Path) -> None:
    path = tmp_path / "r.yml"
    path.write_text(RULE.format(comment=""), encoding="utf-8")
    assert _checks(path) == [("for-missing", 4), ("for-missing", 6)]
    path.write_text(RULE.format(comment="        # harness-lint disable=for-missing\n"),
                    encoding="utf-8")
    assert _checks(path) == [("for-missing", 7)]


def test_inline_disable_before_the_groups_is_for_the_file(tmp_path: Path) -> None:
    path = tmp_path / "r.yml"
    path.write_text("# harness-lint disable=for-missing\n" + RULE.format(comment=""),
                    encoding="utf-8")
    assert _checks(path) == []


def test_policy_profile(tmp_path: Path) -> None:
    assert _checks(BAD / "annotation_missing.yml") == []
    assert _checks(BAD / "annotation_missing.yml", profile="policy") == [
        ("annotation-missing", 5)]


def test_config_found_upward_and_options_win(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".harness-lint.yml").write_text("profile: policy\ndisable: [for-missing]\n",
                                                 encoding="utf-8")
    deeper = tmp_path / "a" / "b"
    deeper.mkdir(parents=True)
    monkeypatch.chdir(deeper)
    assert find_config() == tmp_path / ".harness-lint.yml"
    rules = str(BAD / "annotation_missing.yml")
    code, out, _ = _run(capsys, rules)
    assert code == 1 and "[annotation-missing]" in out
    code, out, _ = _run(capsys, str(BAD / "for_missing.yml"))
    assert "[for-missing]" not in out
    code, out, _ = _run(capsys, "--profile", "correctness", rules)
    assert code == 0


@pytest.mark.parametrize(("text", "error"), [
    ("profile: strict\n", "Unknown profile 'strict'"),
    ("disable: [no-such-check]\n", "Unknown check id 'no-such-check'"),
    ("colour: red\n", "Unknown key 'colour'"),
    ("disable:\n  - for-mising\n",
     "line 2 (disable[0]):\n  Unknown check id 'for-mising' -> did you mean 'for-missing'?"),
])
def test_bad_config_is_one_clear_error(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / ".harness-lint.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_config(path)
    assert error in str(info.value) and info.value.exit_code == 2


def test_empty_config_is_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / ".harness-lint.yml"
    path.write_text("# nothing set yet\n", encoding="utf-8")
    assert load_config(path).profile is None and load_config(path).disable == frozenset()


def test_sarif(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--format", "sarif", str(BAD / "for_missing.yml"))
    sarif = json.loads(out)
    assert code == 1 and sarif["version"] == "2.1.0"
    result = sarif["runs"][0]["results"][0]
    assert result["ruleId"] == "for-missing"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 5}
    assert [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]] == ["for-missing"]
