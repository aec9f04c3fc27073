"""The one way tests open a real browser: Playwright for Python driving Debian's
chromium (``executable_path``; Playwright's own browser download is never used).

``browser_page()`` yields a fresh headless page and closes the browser on the way out.
The flags keep chromium off the network it would otherwise reach for at start (updates,
sync, safe browsing), which this machine's closed network refuses.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}


def chromium_path() -> str:
    """Debian's chromium, or a skip that says how to get it (the bootstrap installs it)."""
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("no chromium on PATH: `make bootstrap` installs Debian's chromium")
    return path


@contextmanager
def browser_page() -> Iterator[Page]:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with (
        tempfile.TemporaryDirectory(prefix="harness-chromium-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,  # type: ignore[arg-type]
        )
        try:
            yield context.new_page()
        finally:
            context.close()
