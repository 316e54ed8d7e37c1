"""The live broadcaster: rooms of websocket connections per workshop, coalesced updates."""

from __future__ import annotations

from .connection import Audience, Connection
from .hub import Broadcaster, LiveHub, Room

__all__ = ["Audience", "Broadcaster", "Connection", "LiveHub", "Room"]
