"""Locust command lines: always bounded, stats in the run directory, workers on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.load.command import (
    EXIT_CODE_ON_ERROR,
    SHAPES_FILE,
    STARTUP_GRACE,
    LocustConfig,
    master_command,
    worker_command,
)
from harness.load.shape_plan import Phase

HOST = "http://127.0.0.1:8000"


def _opt(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def test_headless_run_is_bounded_and_records_stats(tmp_path: Path) -> None:
    cfg = LocustConfig(host=HOST, users=7, spawn_rate=3.5, run_time=12)
    argv = master_command(cfg, tmp_path)
    # coreutils timeout is the hard deadline, in the foreground (signals reach Locust once).
    assert Path(argv[0]).name == "timeout" and "--foreground" in argv
    assert argv[3] == f"{12 + 2 + int(STARTUP_GRACE)}s"
    assert "--headless" in argv and _opt(argv, "--run-time") == "12s"
    assert _opt(argv, "-u") == "7" and _opt(argv, "-r") == "3.5"
    assert _opt(argv, "--host") == HOST
    assert _opt(argv, "--csv") == str(tmp_path / "locust") and "--csv-full-history" in argv
    assert _opt(argv, "--json-file") == str(tmp_path / "locust")
    assert _opt(argv, "--exit-code-on-error") == str(EXIT_CODE_ON_ERROR)
    assert "--master" not in argv and "--web-port" not in argv


def test_run_time_rounds_up(tmp_path: Path) -> None:
    argv = master_command(LocustConfig(host=HOST, run_time=2.2), tmp_path)
    assert _opt(argv, "--run-time") == "3s"


def test_web_ui_binds_loopback_and_is_bounded_by_max_duration(tmp_path: Path) -> None:
    cfg = LocustConfig(host=HOST, web_ui=True, max_duration=90)
    argv = master_command(cfg, tmp_path, web_port=8089)
    assert "--headless" not in argv and "--run-time" not in argv
    assert _opt(argv, "--web-host") == "127.0.0.1" and _opt(argv, "--web-port") == "8089"
    assert argv[3] == "90s"


def test_master_and_workers(tmp_path: Path) -> None:
    cfg = LocustConfig(host=HOST, workers=2)
    master = master_command(cfg, tmp_path, master_port=5599)
    assert "--master" in master and _opt(master, "--expect-workers") == "2"
    assert _opt(master, "--master-bind-host") == "127.0.0.1"
    assert _opt(master, "--master-bind-port") == "5599"
    worker = worker_command(cfg, 5599)
    assert "--worker" in worker and _opt(worker, "--master-port") == "5599"
    assert _opt(worker, "--master-host") == "127.0.0.1"
    assert worker[3] == master[3]  # same hard deadline
    assert "--csv" not in worker  # the master keeps the statistics


def test_phases_add_the_shape_and_bound_the_run(tmp_path: Path) -> None:
    phases = (Phase("warm-up", 5, 2, 2), Phase("fault", 10, 4, 4, {"errors": {"ratio": 1}}))
    cfg = LocustConfig(host=HOST, phases=phases)
    argv = master_command(cfg, tmp_path)
    files = _opt(argv, "-f").split(",")
    assert files[-1] == str(SHAPES_FILE.resolve())
    assert "-u" not in argv  # the shape sets the users
    assert _opt(argv, "--run-time") == "17s"  # 15 s of phases + margin


def test_options_pass_through(tmp_path: Path) -> None:
    cfg = LocustConfig(
        host=HOST, think_time=0.25, tags=("reads",), user_classes=("TeacherUser",),
        extra_args=("--reset-stats",),
    )
    argv = master_command(cfg, tmp_path)
    assert _opt(argv, "--think-time") == "0.25" and _opt(argv, "--tags") == "reads"
    assert argv[-2:] == ["--reset-stats", "TeacherUser"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"host": "http://10.0.0.1:80"}, "only loopback"),
        ({"run_time": 0}, "run_time must be a positive"),
        ({"run_time": float("inf")}, "run_time must be a positive"),
        ({"spawn_rate": -1}, "spawn_rate"),
        ({"users": -1}, "users and workers"),
        ({"locustfiles": (Path("/nonexistent.py"),)}, "Locustfile not found"),
    ],
)
def test_bad_config(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"host": HOST, **kwargs}
    with pytest.raises(InputError, match=message):
        LocustConfig(**args)  # type: ignore[arg-type]


def test_remote_host_when_allowed(tmp_path: Path) -> None:
    cfg = LocustConfig(host="http://example.com", allow_remote=True)
    assert _opt(master_command(cfg, tmp_path), "--host") == "http://example.com"


def test_follow_mode_adds_the_follow_shape_and_leaves_users_to_it(tmp_path: Path) -> None:
    from harness.load.command import FOLLOW_FILE

    cfg = LocustConfig(host=HOST, users=5, run_time=20, follow=True)
    argv = master_command(cfg, tmp_path)
    assert _opt(argv, "-f").endswith(str(FOLLOW_FILE.resolve()))
    assert "-u" not in argv and "-r" not in argv
    assert _opt(argv, "--run-time") == "20s"  # bounded twice: the shape and `timeout`
    with pytest.raises(InputError, match="follow mode"):
        LocustConfig(host=HOST, follow=True, phases=(Phase("p", 5, users=1, spawn_rate=1),))


def test_every_locust_process_loads_the_parent_watchdog(tmp_path: Path) -> None:
    from harness.load.command import WATCH_FILE

    for cfg in (LocustConfig(host=HOST, workers=1), LocustConfig(host=HOST, web_ui=True)):
        for argv in (master_command(cfg, tmp_path, web_port=1, master_port=2),
                     worker_command(cfg, 2)):
            assert str(WATCH_FILE.resolve()) in _opt(argv, "-f").split(",")
