"""Websocket frames built once per update and written as bytes to every connection.

``simple-websocket`` frames every ``send()`` through wsproto: for a broadcast to 2 000
phones that is 2 000 times the same header and the same UTF-8 encoding (and, with
permessage-deflate, 2 000 compressions of the same text — the largest cost measured, see
``docs/performance.md``). A server's text frame is only a header and the payload, not
masked (RFC 6455, 5.1), so the broadcaster builds it once per update and hands the same
bytes to each connection's :class:`~app.live.socket_writer.SocketWriter`.

This is only valid on a connection without extensions: with permessage-deflate each
connection's frames depend on its own compression context. wsproto keeps no state
between whole messages, so these frames may sit between the ones it writes (replies,
pings, pongs) as long as the writer never interleaves inside a frame, which it does not.
"""

from __future__ import annotations

import struct
from typing import Any

FIN_TEXT = 0x81
"""First byte of a complete text message: FIN bit and opcode 1."""


def text_frame(text: str) -> bytes:
    """The unmasked websocket frame of one complete text message, as a server sends it."""
    payload = text.encode("utf-8")
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", FIN_TEXT, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", FIN_TEXT, 126, size)
    else:
        header = struct.pack("!BBQ", FIN_TEXT, 127, size)
    return header + payload


def takes_shared_frames(ws: Any) -> bool:
    """Whether ``ws`` (a ``simple_websocket.Server``) negotiated no extension.

    Only then are its frames the same bytes as every other such connection's.
    """
    connection = getattr(getattr(ws, "ws", None), "connection", None)
    proto = getattr(connection, "_proto", None)
    return proto is not None and not getattr(proto, "extensions", [None])
