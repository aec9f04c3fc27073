"""Alertmanager's configuration file and command line, for both backends; the minimal
configuration a stack runs when the spec brings none of its own."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from harness.durations import format_duration
from harness.stack.spec import RECEIVER_URL_TOKEN, StackSpec

CONFIG_NAME = "alertmanager.yml"


def write_alertmanager_config(spec: StackSpec, directory: Path, receiver_url: str) -> Path:
    """alertmanager.yml in ``directory``: the spec's, with RECEIVER_URL_TOKEN replaced by
    ``receiver_url`` (the capture receiver as Alertmanager reaches it), or the default."""
    url = receiver_url.rstrip("/")
    if spec.alertmanager_yaml is None:
        text = default_alertmanager_config(url, time_scale=spec.time_scale)
    else:
        text = spec.alertmanager_yaml.replace(RECEIVER_URL_TOKEN, url)
    config = directory / CONFIG_NAME
    config.unlink(missing_ok=True)  # a restart rewrites it: created afresh, private
    # It holds the real routing keys and webhook URLs: the owner's only, and removed
    # when the stack stops (StackLifecycle), even from a kept run directory.
    fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return config


def alertmanager_flags(config: Path, *, storage: str | Path, listen: str) -> list[str]:
    """Alertmanager's flags; ``listen`` is host:port."""
    return [
        f"--config.file={config}",
        f"--storage.path={storage}",
        f"--web.listen-address={listen}",
        "--cluster.listen-address=",  # clustering off: no ~10 s gossip settle at start
    ]


def default_alertmanager_config(receiver_url: str, *, time_scale: float = 1.0) -> str:
    """One webhook receiver, ``<receiver_url>/webhook/default``, fast group timers.

    group_wait and group_interval are 1 s; repeat_interval is Alertmanager's 4 h default
    divided by the time scale (at least 1 s).
    """
    config = {
        "route": {
            "receiver": "default",
            "group_by": ["alertname"],
            "group_wait": "1s",
            "group_interval": "1s",
            "repeat_interval": format_duration(max(1.0, 4 * 3600 / max(time_scale, 1e-9))),
        },
        "receivers": [
            {
                "name": "default",
                "webhook_configs": [
                    {"url": receiver_url.rstrip("/") + "/webhook/default", "send_resolved": True}
                ],
            }
        ],
    }
    return yaml.safe_dump(config, sort_keys=False)
