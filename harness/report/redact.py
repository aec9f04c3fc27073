"""Secrets (routing keys, webhook URLs) never reach a report or a log.

``redact`` is applied to the whole text of every report file. A secret can appear
escaped in that text (JSON, HTML, a URL-encoded link), so each escaped spelling of it
is replaced too.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "<redacted>"
MIN_LENGTH = 4  # shorter strings would blank out ordinary words


def spellings(secret: str) -> set[str]:
    """The secret as written and as JSON, HTML and URL encoding spell it."""
    forms = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        html.escape(secret),
        html.escape(secret, quote=False),
        quote(secret, safe=""),
        quote(secret),
    }
    return {f for f in forms if len(f) >= MIN_LENGTH}


def redact(text: str, secrets: Iterable[str]) -> str:
    forms = {f for s in secrets if s and len(s) >= MIN_LENGTH for f in spellings(s)}
    # Longest first, so a secret containing another is replaced whole.
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return text
