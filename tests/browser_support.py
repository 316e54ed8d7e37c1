"""What the browser tests share: Debian's Chromium driven by Playwright, page watchers.

The browser is ``/usr/bin/chromium`` (``make test`` installs the Debian package); no
browser is ever downloaded. :class:`PageWatch` records what a page did on the network
and in its console, so a test can fail on a script error, a failed request or a request
that leaves the server.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from live_server import FacilitatorActions, LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
# A village hall without internet: every host name but the server's fails to resolve.
CUT_OFF = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
WAIT_MS = 15_000
"""Longest wait for anything a page shows (a hung page fails, a slow one does not)."""

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
PROJECTOR_VIEWPORT = {"width": 1280, "height": 720}
DESKTOP_VIEWPORT = {"width": 1400, "height": 900}


def chromium_missing() -> bool:
    """Whether Debian's Chromium is absent (``make test`` installs it)."""
    return shutil.which(CHROMIUM) is None


@contextmanager
def launched_browser() -> Iterator[Any]:
    """One headless Chromium that reaches nothing but 127.0.0.1, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=[*CHROMIUM_ARGS, CUT_OFF])
        try:
            yield browser
        finally:
            browser.close()


def phone_context(browser: Any) -> Any:
    """A 360×740 touch phone, in French."""
    return browser.new_context(**PHONE, locale="fr-FR")


def join_as(page: Any, nickname: str, group: str | None = None) -> None:
    """Fill in the phone's joining form (nickname, collège if given) and take part."""
    page.get_by_label("Votre prénom ou pseudonyme").fill(nickname)
    if group is not None:
        page.get_by_role("radio", name=group, exact=True).check()
    page.get_by_role("button", name="Participer").click()


def facilitator_context(
    browser: Any, facilitator: FacilitatorActions, server: LiveServer,
    viewport: dict[str, int] | None = None,
) -> Any:
    """A desktop context carrying the session cookie of a logged-in facilitator."""
    context = browser.new_context(viewport=viewport or DESKTOP_VIEWPORT, locale="fr-FR")
    context.add_cookies([{"name": c.name, "value": c.value or "", "url": server.base_url}
                         for c in facilitator.cookies])
    return context


@dataclass
class PageWatch:
    """Everything a page reports: console errors, failed requests, requests made.

    ``requests`` holds every address the page asked for, websockets included.
    ``errors`` holds script errors, console errors (a Content-Security-Policy violation
    is one), failed requests and HTTP errors (status 400 and above).
    """

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.errors.append(f"erreur de script : {error}"))
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("websocket", lambda socket: self.requests.append(socket.url))

    def _on_request_failed(self, request: Any) -> None:
        # net::ERR_ABORTED is the browser cancelling a request because the page moved on
        # (a form submitted while an image or a previous navigation was still loading):
        # nothing failed on the server's side. Every other failure counts.
        if request.failure == "net::ERR_ABORTED":
            return
        self.errors.append(f"échec : {request.url} {request.failure}")

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console : {message.text}")

    def _on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status} : {response.url}")

    def outside(self, base_url: str) -> list[str]:
        """The requests that went anywhere but the server at ``base_url``."""
        return [url for url in self.requests if not served_by(url, base_url)]


def served_by(url: str, base_url: str) -> bool:
    """Whether ``url`` is the server's own (or carries no network at all: data, blob)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    base = urlsplit(base_url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.netloc == base.netloc


# An absolute address where a page makes the browser fetch (or send) something.
REMOTE_ASSET = re.compile(
    r"""(?:\b(?:src|srcset|poster|data|action)\s*=\s*["']?\s*"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?\s*|url\(\s*["']?\s*|@import\s+["']?)"""
    r"""(?P<url>https?://[^\s"'<>)]+)""",
    re.IGNORECASE,
)


def remote_assets(html: str, base_url: str) -> list[str]:
    """The absolute asset addresses in ``html`` that are not the server's own."""
    return [match["url"] for match in REMOTE_ASSET.finditer(html)
            if not served_by(match["url"], base_url)]
