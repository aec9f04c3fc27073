"""``--shard I/N``: this runner's share of the selected scenarios, so a nightly suite
spreads over the N runners of a CI matrix (their reports merge with ``harness report
--merge``).

The split is by scenario id and stable across machines and Python runs: the selected
ids are ordered by their SHA-256 (not ``hash()``, which is salted per process) and dealt
out in turn, so shards differ in size by one at most and every scenario is in exactly
one shard, given the same selection. ``--shard`` itself is parsed with the other
options (``harness.options.parse_shard``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TypeVar

from harness.errors import HarnessError
from harness.options import Shard

T = TypeVar("T")


def stable_key(scenario_id: str) -> str:
    return hashlib.sha256(scenario_id.encode("utf-8")).hexdigest()


def take_shard(items: Sequence[T], shard: Shard, ident: Callable[[T], str]) -> list[T]:
    """The items of shard ``shard``, in their given order (``ident``: a scenario id)."""
    index, count = shard
    ordered = sorted(range(len(items)), key=lambda i: (stable_key(ident(items[i])), i))
    mine = set(ordered[index - 1 :: count])
    return [item for i, item in enumerate(items) if i in mine]


def empty_shard(shard: Shard, selected: int) -> HarnessError:
    """A shard with nothing to run is never a green run."""
    index, count = shard
    return HarnessError(
        f"--shard {index}/{count} selects no scenario: only {selected} selected in all, "
        f"fewer than the {count} shards",
        hint="use fewer shards than selected scenarios",
    )
