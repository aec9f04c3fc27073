"""The Alertmanager configuration a stack runs when the spec brings none of its own."""

from __future__ import annotations

import yaml

from harness.durations import format_duration


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
