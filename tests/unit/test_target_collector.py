"""The target's periodic collection keeps the spec's setInterval timing: each part on
its own fixed-rate timer, so the verdict windows' collection term (one interval) holds."""

from __future__ import annotations

import asyncio
from itertools import islice
from typing import Any

from harness.target.collector import Collector, ticks


def test_ticks_keep_a_fixed_rate_and_skip_the_ones_a_slow_round_missed() -> None:
    # After each due time the clock reads the round's end: 0.1 s, then 1.7 s (a round
    # that ran past the ticks at 1.0 and 1.5), then 2.05 s, 2.6 s.
    ends = iter([0.1, 1.7, 2.05, 2.6])
    due = list(islice(ticks(0.0, 0.5, lambda: next(ends)), 5))
    # Sleep-after-work (the loop this replaced) would have given 0, 0.6, 2.2, 2.75, ...
    assert due == [0.0, 0.5, 2.0, 2.5, 3.0]


def test_a_stalled_business_part_does_not_hold_back_the_queue_gauges() -> None:
    """A slow-database fault stalls the business gauges' reads; the queue gauges (their
    own setInterval in the spec) must go on being collected meanwhile."""

    async def scenario() -> tuple[int, int]:
        collector = Collector(None, None, None, None, (), interval=0.01)  # type: ignore[arg-type]
        rounds = {"queues": 0, "business": 0}
        queue_rounds = asyncio.Event()
        database = asyncio.Event()  # never set: every business read hangs

        async def queues() -> None:
            rounds["queues"] += 1
            if rounds["queues"] >= 5:
                queue_rounds.set()

        async def business() -> None:
            rounds["business"] += 1
            await database.wait()

        async def eventbus() -> None:
            return None

        fake: Any = collector
        fake._queues, fake._business, fake._eventbus = queues, business, eventbus
        stop = asyncio.Event()
        task = asyncio.create_task(collector.run(stop))
        try:
            await asyncio.wait_for(queue_rounds.wait(), timeout=3.0)
        finally:
            stop.set()
            task.cancel()
        return rounds["queues"], rounds["business"]

    queues, business = asyncio.run(scenario())
    assert queues >= 5
    assert business == 1  # still inside its first read
