"""--shard I/N under pytest: the same split as `harness run --shard`, after -m."""

from __future__ import annotations

import re

import pytest

from harness.engine.shard import take_shard

pytest_plugins = ["pytester"]

SCENARIO = """\
name: {name}
marks: [{mark}]
phases:
  - {{name: fault, duration: 1m, faults: [{{kind: errors, ratio: 0.2}}]}}
expect:
  - {{alert: HighErrorRate, fires: {{after: fault}}}}
"""
NAMES = ("one", "two", "three", "four", "five")


def _collected(pytester: pytest.Pytester, *args: str) -> list[str]:
    result = pytester.runpytest("--co", "-q", "--scenarios-dir", "scen", *args, "scen")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str() + result.stderr.str()
    return re.findall(r"::([\w-]+)$", result.stdout.str(), re.M)


@pytest.fixture
def scenarios(pytester: pytest.Pytester) -> None:
    (pytester.path / "scen").mkdir()
    for i, name in enumerate(NAMES):
        mark = "alerts" if i % 2 == 0 else "slo"
        (pytester.path / "scen" / f"{name}.yaml").write_text(
            SCENARIO.format(name=name, mark=mark)
        )


@pytest.mark.usefixtures("scenarios")
def test_shards_split_the_items_like_the_cli(pytester: pytest.Pytester) -> None:
    first = _collected(pytester, "--shard", "1/2")
    second = _collected(pytester, "--shard", "2/2")
    assert sorted(first + second) == sorted(NAMES) and not set(first) & set(second)
    assert sorted(first) == sorted(take_shard(list(NAMES), (1, 2), str))


@pytest.mark.usefixtures("scenarios")
def test_the_shard_splits_what_m_selected(pytester: pytest.Pytester) -> None:
    chosen = ["one", "three", "five"]  # the alerts scenarios
    got = _collected(pytester, "-m", "alerts", "--shard", "2/3")
    assert got == take_shard(chosen, (2, 3), str) and len(got) == 1


@pytest.mark.usefixtures("scenarios")
def test_a_bad_shard_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--co", "--shard", "4/3", "--scenarios-dir", "scen", "scen")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "Invalid --shard 4/3" in result.stderr.str()
    result = pytester.runpytest("--co", "--shard", "6/6", "--scenarios-dir", "scen", "scen")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--shard 6/6 selects no scenario" in result.stderr.str()
