"""Slack incoming-webhook messages as Alertmanager sends them (``attachments[]``).

A Slack message carries only what its templates print. Status comes from the
attachment colour (``danger`` / ``good``, Alertmanager's default) or a ``[FIRING`` /
``[RESOLVED`` title prefix (the default title); alert names are the known names that
the title, text or fallback mention.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.receivers.models import Parsed, PayloadError, Status, expect_object, mentioned

_COLOURS: dict[str, Status] = {"danger": "firing", "good": "resolved"}


def parse(body: Any, known_alertnames: Iterable[str] = ()) -> Parsed:
    data = expect_object(body, "Slack message")
    attachments = data.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        raise PayloadError("Slack message has no attachments")
    first = attachments[0]
    if not isinstance(first, dict):
        raise PayloadError("Slack attachment must be an object")
    title, text = str(first.get("title", "")), str(first.get("text", ""))
    words = " ".join((title, text, str(first.get("fallback", ""))))
    return Parsed(
        status=_status(str(first.get("color", "")), title),
        alertnames=mentioned(words, known_alertnames),
        summary=title,
    )


def _status(colour: str, title: str) -> Status:
    if colour in _COLOURS:
        return _COLOURS[colour]
    upper = title.upper()
    if upper.startswith("[FIRING"):
        return "firing"
    if upper.startswith("[RESOLVED"):
        return "resolved"
    return "unknown"
