"""--shard I/N: parsing, and a split that is a partition, balanced and stable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from harness.engine.shard import empty_shard, take_shard
from harness.errors import HarnessError
from harness.options import build_options, parse_shard

IDS = [f"scenario-{i}" for i in range(23)] + ["slo-burn[fast]", "slo-burn[slow]"]


def test_parse_accepts_i_of_n() -> None:
    assert parse_shard("1/1") == (1, 1)
    assert parse_shard(" 3 / 4 ") == (3, 4)
    assert build_options({"shard": "2/5"}).shard == (2, 5)
    assert build_options({}).shard is None


@pytest.mark.parametrize(
    ("text", "words"),
    [("0/3", "I from 1 to N"), ("4/3", "I from 1 to N"), ("1/0", "N from 1"),
     ("2", "I/N"), ("a/b", "I/N"), ("-1/3", "I/N"), ("1/3/4", "I/N"), ("1/100000", "N from 1")],
)
def test_parse_refuses_anything_else(text: str, words: str) -> None:
    with pytest.raises(HarnessError, match="Invalid --shard") as caught:
        parse_shard(text)
    assert words in str(caught.value)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 25])
def test_shards_partition_the_selection_and_differ_by_one_at_most(count: int) -> None:
    shards = [take_shard(IDS, (i, count), str) for i in range(1, count + 1)]
    together = [s for shard in shards for s in shard]
    assert sorted(together) == sorted(IDS)  # each scenario in exactly one shard
    sizes = [len(shard) for shard in shards]
    assert max(sizes) - min(sizes) <= 1
    for shard in shards:  # the given order is kept within a shard
        assert shard == [s for s in IDS if s in shard]


def test_split_is_by_id_not_by_position() -> None:
    assert take_shard(IDS, (2, 3), str) == take_shard(list(reversed(IDS)), (2, 3), str)[::-1]


def test_split_is_the_same_in_another_process() -> None:
    """A stable hash: Python's hash() of a str differs between processes."""
    code = (
        "from harness.engine.shard import take_shard;"
        f"print(take_shard({IDS!r}, (1, 3), str))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert seen == {str(take_shard(IDS, (1, 3), str))}


def test_an_empty_shard_says_why() -> None:
    assert take_shard(["a", "b"], (3, 3), str) == []
    message = str(empty_shard((3, 3), 2))
    assert "--shard 3/3 selects no scenario" in message and "only 2 selected" in message
