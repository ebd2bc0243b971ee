"""Test helper: a real browser for the step-through page, Chromium driven by Playwright.

Playwright's own browser download is not used: it drives the system Chromium (the Debian
package `chromium`), found as $CHROMIUM, or `chromium` / `chromium-browser` on PATH. Where no
browser can be found, the tests that need one are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The system Chromium's executable, or None."""
    given = os.environ.get("CHROMIUM")
    if given:
        return given if os.path.exists(given) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


@contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium (a Playwright `Browser`), or a skip saying what is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need Playwright for Python (pip install playwright)")
    path = chromium_path()
    if path is None:
        pytest.skip("browser tests need Chromium (apt-get install chromium, or set $CHROMIUM)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Watched:
    """A page with its console errors, uncaught exceptions and network requests recorded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: Any) -> Watched:
        self.url = f"file://{os.path.abspath(path)}"
        self.page.goto(self.url)
        return self

    @property
    def other_requests(self) -> list[str]:
        """Requests for anything but the page itself."""
        return [u for u in self.requests if u != self.url]
