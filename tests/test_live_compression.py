"""permessage-deflate: refused by default (one frame for all phones), offered on request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import TIMEOUT, LiveServer
from websockets.sync.client import connect


def _welcome_over(server: LiveServer) -> tuple[str | None, dict]:
    """Connect as a browser does (offering deflate); the extensions agreed and ``welcome``."""
    with connect(server.ws_url, compression="deflate", open_timeout=TIMEOUT) as ws:
        agreed = ws.response.headers.get("Sec-WebSocket-Extensions")
        ws.send(json.dumps({"type": "hello", "protocol": 1, "role": "phone",
                            "code": server.demo_code}))
        return agreed, json.loads(ws.recv(timeout=TIMEOUT))


def test_the_server_refuses_compression_by_default_and_still_speaks_the_protocol(
    live_server: LiveServer,
) -> None:
    agreed, welcome = _welcome_over(live_server)
    assert agreed is None
    assert welcome["type"] == "welcome"
    assert welcome["state"]["workshop"]["code"] == live_server.demo_code


@pytest.fixture
def compressing_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server started with ``CHEMINS_WS_COMPRESSION=oui``."""
    server = LiveServer(tmp_path / "instance", env={"CHEMINS_WS_COMPRESSION": "oui"})
    server.start()
    yield server
    server.stop()


def test_with_compression_set_the_server_agrees_to_deflate_and_messages_decode(
    compressing_server: LiveServer,
) -> None:
    agreed, welcome = _welcome_over(compressing_server)
    assert agreed is not None and agreed.startswith("permessage-deflate")
    assert welcome["type"] == "welcome"
    assert welcome["state"]["workshop"]["code"] == compressing_server.demo_code
