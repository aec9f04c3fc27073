"""Recordings (format, reading back), evaluation slot offsets, fidelity comparison, prune."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.errors import EXIT_BAD_INPUT
from harness.offline.capture import eval_phase_ms
from harness.offline.evaluate import grid
from harness.offline.fidelity import compare, live_times
from harness.offline.prune import prune, prune_command
from harness.offline.recording import (
    FORMAT,
    Recording,
    RecordingError,
    find_recordings,
    load_recording,
    write_meta,
)

RULES = """groups:
  - name: g
    rules:
      - alert: A
        expr: x > 1
        for: 5s
"""


def make_recording(scenario_dir: Path, scenario: str = "s") -> Recording:
    folder = scenario_dir / "recording"
    (folder / "rules").mkdir(parents=True)
    (folder / "tsdb").mkdir()
    (folder / "rules" / "00-r.yml").write_text(RULES)
    recording = Recording(
        path=folder, scenario=scenario, prometheus_version="2.42.0", time_scale=60.0,
        scrape_interval_s=0.5, evaluation_interval_s=0.5, prometheus_started=100.0,
        ended=200.0, rule_files=("rules/00-r.yml",),
        phases=({"name": "fault", "start": 120.0, "end": 150.0, "faults": []},),
        alerts={"A": [{"alert": "A", "labels": {"alertname": "A"}, "pending_at": 121.0,
                       "fired_at": 126.0, "resolved_at": 151.0}]},
        eval_phase_ms={"A": 250},
    )  # fmt: skip
    write_meta(recording)
    return recording


def test_a_recording_reads_back_as_written(tmp_path: Path) -> None:
    written = make_recording(tmp_path / "scenarios" / "s")
    back = load_recording(tmp_path / "scenarios" / "s")  # the scenario folder works too
    assert back.path == written.path and back.time_scale == 60.0
    assert back.phase("fault") == written.phases[0] and back.eval_phase_ms == {"A": 250}
    assert [r.name for r in back.rules()] == ["A"] and back.rule("A").for_s == 5.0
    assert back.size_bytes > 0
    assert find_recordings(tmp_path) == [written.path]


def test_another_format_version_is_refused_with_exit_2(tmp_path: Path) -> None:
    recording = make_recording(tmp_path)
    meta = recording.path / "recording.json"
    data = json.loads(meta.read_text())
    meta.write_text(json.dumps({**data, "format": FORMAT + 1}))
    with pytest.raises(RecordingError, match=f"format {FORMAT + 1}.*reads format {FORMAT}") as e:
        load_recording(recording.path)
    assert e.value.exit_code == EXIT_BAD_INPUT


def test_a_missing_or_damaged_recording_is_one_message(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="No recorded run"):
        load_recording(tmp_path)
    (tmp_path / "recording.json").write_text('{"format": 1}')
    with pytest.raises(RecordingError, match="lacks or garbles"):
        load_recording(tmp_path)


def test_an_unknown_alert_is_named(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="'B' is not in the rules"):
        make_recording(tmp_path).rule("B")


def test_grid_follows_the_live_groups_slot_offset() -> None:
    assert grid(10.0, 12.0, 500) == (10_000, 12_000)
    assert grid(10.0, 12.0, 500, offset_ms=321) == (10_321, 11_821)
    assert grid(10.4, 10.6, 500, offset_ms=321) is None


def test_slot_offset_prefers_an_alerts_sample_to_the_wall_clock() -> None:
    slots = {"A": (0.5, 1000.3335), "B": (0.5, 1000.1)}
    assert eval_phase_ms(slots, {"A": [990.321, 990.821]}) == {"A": 321, "B": 100}


def test_fidelity_within_one_interval_and_its_mismatches() -> None:
    live = live_times([{"labels": {"a": "1"}, "fired_at": 10.0, "resolved_at": 20.0},
                       {"labels": {"a": "1"}, "fired_at": 5.0, "resolved_at": None}])
    same = {k: [(f + 0.5, r if r is None else r - 0.5) for f, r in v] for k, v in live.items()}
    ok = compare("A", live, same, interval_s=0.5, end_s=30.0)
    assert ok.ok and ok.max_diff_s == pytest.approx(0.5)
    late = {k: [(f + 0.6, r) for f, r in v] for k, v in live.items()}
    assert not compare("A", live, late, interval_s=0.5, end_s=30.0).ok
    missing = compare("A", live, {}, interval_s=0.5, end_s=30.0)
    assert missing.problems == ('{a="1"}: 2 live firing(s), 0 offline',)


def test_prune_keeps_the_newest_runs_recordings(tmp_path: Path) -> None:
    for name in ("20260101-000000-001", "20260102-000000-001", "20260103-000000-001"):
        make_recording(tmp_path / name / "scenarios" / "s")
    done = prune(tmp_path, keep=1)
    assert sorted(p.run.name for p in done) == ["20260101-000000-001", "20260102-000000-001"]
    assert [p.parent.parent.parent.name for p in find_recordings_all(tmp_path)] == [
        "20260103-000000-001"
    ]
    assert (tmp_path / "20260101-000000-001" / "scenarios" / "s").is_dir()  # report stays


def test_prune_by_age_spares_a_run_in_progress(tmp_path: Path) -> None:
    for name in ("20260101-000000-001", "20260102-000000-001"):
        make_recording(tmp_path / name / "scenarios" / "s")
    marker = tmp_path / "20260101-000000-001" / "INCOMPLETE"
    marker.write_text(f"run in progress (pid {os.getpid()})")
    done = prune(tmp_path, older_than_s=60, now=1e12)
    assert [p.run.name for p in done] == ["20260102-000000-001"]


def test_prune_needs_a_limit() -> None:
    with pytest.raises(Exception, match="--prune needs --keep"):
        prune_command((Path("."),), True, None, None)


def find_recordings_all(root: Path) -> list[Path]:
    return sorted(root.glob("*/scenarios/*/recording"))


def _tar_of(folder: Path) -> bytes:
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(folder, arcname=folder.name)
    return buffer.getvalue()


def test_a_containers_snapshot_is_copied_out_through_the_archive_api(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from harness.stack.containers.backend import ContainerStack

    snap = tmp_path / "inside" / "20260101T000000Z-abc"
    (snap / "01BLOCK").mkdir(parents=True)
    (snap / "01BLOCK" / "index").write_bytes(b"idx")
    asked: list[str] = []

    def get_archive(path: str) -> tuple[list[bytes], dict[str, str]]:
        asked.append(path)
        return [_tar_of(snap)], {}

    container = SimpleNamespace(container=SimpleNamespace(get_archive=get_archive))
    fake = SimpleNamespace(_containers={"prometheus": container})
    dest = tmp_path / "recording" / "tsdb"
    dest.parent.mkdir()
    ContainerStack.copy_out(fake, "prometheus", "/harness-data/snapshots/" + snap.name, dest)  # type: ignore[arg-type]
    assert asked == ["/harness-data/snapshots/20260101T000000Z-abc"]
    assert (dest / "01BLOCK" / "index").read_bytes() == b"idx"


def test_a_local_snapshot_is_copied_then_removed_from_the_data_dir(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from harness.offline.capture import copy_snapshot

    snap = tmp_path / "run" / "prometheus" / "data" / "snapshots" / "s1"
    (snap / "b").mkdir(parents=True)
    (snap / "b" / "chunks").write_bytes(b"c")
    stack = SimpleNamespace(run_dir=SimpleNamespace(path=tmp_path / "run"))
    copy_snapshot(stack, "s1", tmp_path / "out")
    assert (tmp_path / "out" / "b" / "chunks").read_bytes() == b"c" and not snap.exists()


def test_the_fidelity_command_refuses_a_run_without_recordings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.offline.fidelity import main

    assert main([]) == 2
    assert main([str(tmp_path)]) == EXIT_BAD_INPUT
    assert "No recorded scenario in" in capsys.readouterr().err
