"""The join address of a workshop and its QR code, as inline SVG for the projector.

The QR code is drawn by segno on the server and inlined in the page: nothing is fetched,
and the Content-Security-Policy needs no ``data:`` images. The address is the one phones
can reach: the ``PUBLIC_URL`` setting when set (``chemins serve`` sets it to the
machine's address on the local network), else the address the page was asked on.
"""

from __future__ import annotations

import segno
from flask import current_app, request, url_for
from markupsafe import Markup, escape


def public_base_url() -> str:
    """The base address phones use to reach this server, without a trailing slash."""
    configured = current_app.config.get("PUBLIC_URL")
    if isinstance(configured, str) and configured.strip():
        return configured.strip().rstrip("/")
    return request.host_url.rstrip("/")


def join_url(code: str) -> str:
    """The full address of a workshop's phone page (what the QR code holds)."""
    return public_base_url() + url_for("participant.phone", code=code)


def qr_svg(data: str, label: str) -> Markup:
    """``data`` as a QR code in inline SVG, with ``label`` as its accessible name.

    Error correction level M survives a projector's glare and a partly hidden code; the
    quiet zone of 2 modules is enough on the white card the page draws around it.
    """
    qr = segno.make(data, error="m", micro=False)
    svg = qr.svg_inline(scale=1, border=2, dark="#000000", light="#ffffff", omitsize=True)
    # segno's output is trusted markup; only the label comes from outside, escaped.
    opening = (
        f'<svg role="img" aria-label="{escape(label)}" focusable="false" '
        'shape-rendering="crispEdges" '
    )
    return Markup(svg.replace("<svg ", opening, 1))
