"""Run options, declared once: the same bounds refuse the same values under the CLI,
pytest and a programmatic ``build_options``, with one message and exit code 2."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from harness.errors import EXIT_BAD_INPUT, HarnessError
from harness.options import OPTIONS, add_pytest_options, build_options


@pytest.mark.parametrize(
    ("dest", "value", "words"),
    [
        ("parallel", 0, "--parallel 0: at least 1"),
        ("parallel", -3, "--parallel -3: at least 1"),
        ("load_workers", -1, "--load-workers -1: at least 0"),
        ("time_scale", 1e-9, "--time-scale 1e-09: at least 1"),
    ],
)
def test_out_of_range_counts_are_refused(dest: str, value: Any, words: str) -> None:
    with pytest.raises(HarnessError, match=words.replace("-", r"\-")) as info:
        build_options({dest: value})
    assert info.value.exit_code == EXIT_BAD_INPUT


def test_in_range_values_are_kept() -> None:
    options = build_options({"parallel": 2, "load_workers": 0, "time_scale": 60.0})
    assert (options.parallel, options.load_workers, options.time_scale) == (2, 0, 60.0)


def test_every_numeric_option_has_bounds() -> None:
    numeric = [opt for opt in OPTIONS if opt.type in (int, float)]
    assert numeric, "no numeric option found"
    assert all(opt.minimum is not None and opt.maximum is not None for opt in numeric)


def test_pytest_options_refuse_the_same_values() -> None:
    parser = argparse.ArgumentParser()

    class Group:  # pytest's option group: addoption is argparse's add_argument
        addoption = staticmethod(parser.add_argument)

    add_pytest_options(Group())
    assert parser.parse_args(["--parallel", "2"]).harness_parallel == 2
    with pytest.raises(SystemExit):
        parser.parse_args(["--parallel", "0"])
