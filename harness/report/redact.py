"""Secrets (routing keys, webhook URLs) never reach a report or a log."""

from __future__ import annotations

from collections.abc import Iterable

REDACTED = "<redacted>"


def redact(text: str, secrets: Iterable[str]) -> str:
    # Longest first, so a secret containing another is replaced whole.
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text
