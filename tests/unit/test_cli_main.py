"""The `harness` command's exits: a stop signal gives 128 + its number (SIGINT 130,
SIGTERM 143), as shells and CI runners read it."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import click
import pytest

from harness.cli import main as main_mod
from harness.cli.interrupts import interrupts_unwind


@pytest.fixture
def signal_command() -> Iterator[str]:
    @click.command("signal-me")
    @click.argument("name")
    def command(name: str) -> int:
        with interrupts_unwind():
            os.kill(os.getpid(), signal.Signals[name])  # the handler raises on return
        return 0

    main_mod.cli.add_command(command)
    yield "signal-me"
    main_mod.cli.commands.pop("signal-me")


@pytest.fixture
def hangup_default() -> Iterator[None]:
    """SIGHUP as a terminal's shell leaves it (this suite may run under nohup)."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_DFL)
    yield
    signal.signal(signal.SIGHUP, previous)


@pytest.mark.usefixtures("hangup_default")
@pytest.mark.parametrize(("name", "code"), [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_stop_signal_exits_128_plus_its_number(
    signal_command: str, name: str, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main_mod.main([signal_command, name])
    assert info.value.code == code
    assert "interrupted" in capsys.readouterr().err


def test_under_nohup_a_hangup_is_still_ignored() -> None:
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with interrupts_unwind():
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGHUP)  # nothing happens: the run goes on
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN)
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
