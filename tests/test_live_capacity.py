"""Above ``MAX_CONNECTIONS`` the server says so in French instead of leaving phones hanging."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import LiveServer, PhoneActions, ProtocolFailure, WebsocketClient
from websockets.exceptions import ConnectionClosed

pytestmark = pytest.mark.slow

CEILING = 3


@pytest.fixture
def small_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server that takes three websockets at most."""
    server = LiveServer(tmp_path / "instance", env={"CHEMINS_MAX_CONNECTIONS": str(CEILING)})
    server.start()
    yield server
    server.stop()


def test_a_connection_above_the_ceiling_is_refused_politely_and_a_freed_place_is_reused(
    small_server: LiveServer,
) -> None:
    phones = [PhoneActions(small_server, small_server.demo_code) for _ in range(CEILING)]
    extra = WebsocketClient(small_server.ws_url)
    refusal = extra.wait_for(lambda m: m["type"] == "error", "refus")
    assert refusal["code"] == "too_many_connections"
    assert refusal["message"].startswith("Trop de connexions : le serveur est plein.")
    with pytest.raises(ProtocolFailure, match="1013"):
        extra.wait_for(lambda m: False, "fermeture", timeout=5)
    # Pages are still served while the websockets are full.
    with urllib.request.urlopen(small_server.base_url + "/", timeout=10) as page:
        assert page.status == 200
    phones[0].close()
    again = _connect_when_freed(small_server)
    assert again.welcome["type"] == "welcome"
    for phone in [*phones[1:], again]:
        phone.close()


def _connect_when_freed(server: LiveServer) -> PhoneActions:
    # The server frees the place once it has seen the close, a moment after the client.
    deadline = time.monotonic() + 10
    while True:
        try:
            return PhoneActions(server, server.demo_code)
        except (ProtocolFailure, ConnectionClosed):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
