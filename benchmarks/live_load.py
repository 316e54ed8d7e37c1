"""Load harness of the live workshops: N phones, a projector and a facilitator on one server.

The clients speak only ``docs/protocol.md`` (asyncio; the ``websockets`` client for the
projector and the facilitator, a minimal websocket client for the thousands of phones —
see :class:`LiteConnection`), the way the phone page does: ``hello`` with the join code,
``join``, then ballots or ideas, each acknowledged by its ``client_id``; updates carry a
``seq`` and older ones are dropped.

Scenarios:

- ``vote``: the facilitator starts the demo workshop's dot vote (12 options, 5 dots);
  N phones ramp up and join; each casts a dot vote of 2 to 5 dots at a random moment of a
  window (5 s), and a share of them votes again within the window; then the facilitator
  closes the step (without writing back) and starts the ranking, which every phone fills
  in during a second window.
- ``brainstorm``: N phones post ideas (3 each within 60 s) in random columns while the
  facilitator hides and merges ideas; at the end, every phone's wall (rebuilt from the
  ``ideas_delta`` it received) must equal the wall the server reads from its database.

How a vote is matched to the projector: a tally does not say whose ballots it holds,
so the harness counts. The k-th first ballot sent is visible in the first ``results`` the
projector received whose ``voters`` is at least k (and that came after the ballot was
sent). A re-vote always puts one dot on the last option, which first ballots never
use: the k-th re-vote is visible when that option has k dots. Votes processed out of
order make single latencies approximate, not their distribution.

What is measured: connections that succeeded or failed (and why), vote → projector
latency (p50/p95/p99/max), time from the last vote until every phone shows the final
tally, acknowledgement latency, acknowledged ballots against the ballots in the SQLite
file (read-only, at the end) and against the final tally, CPU time and peak RSS of the
server process (sampled from ``/proc``), and the harness's own CPU and event-loop lag —
the harness shares the machine's cores with the server.

Usage (from the repository root; see ``docs/performance.md``)::

    .venv/bin/python benchmarks/live_load.py vote --server both --phones 100 500 1000 2000
    .venv/bin/python benchmarks/live_load.py brainstorm --phones 2000
    .venv/bin/python benchmarks/live_load.py vote --url ws://127.0.0.1:8000/ws \\
        --code KX7QHA --login-link http://127.0.0.1:8000/auth/lien/… --phones 200

The library entry points are :func:`run_vote` and :func:`run_brainstorm` (a
:class:`Target` and a :class:`LoadConfig` give a report dict), used by the CI smoke test
``tests/test_live_load_smoke.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import bisect
import contextlib
import gc
import hashlib
import http.cookiejar
import json
import math
import os
import platform
import random
import re
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

Message = dict[str, Any]
clock = time.perf_counter

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = 1
VOTE_STEP = "priorisation"
RANKING_STEP = "classement"
BRAINSTORM_STEP = "actions"
# Updates are the bulk of the traffic: read their type and seq from the text's start
# (the server writes "type" then "seq"), and parse the JSON only when it is needed.
UPDATE_PREFIX = re.compile(r'\{"type":"(results|ideas_delta|step_changed|presence)","seq":(\d+),')


class ScenarioError(RuntimeError):
    """The scenario cannot run (server unreachable, login refused, step closed…)."""


class Refused(Exception):
    """The server answered ``error`` where the harness expected success."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Dropped(Exception):
    """The connection closed while an answer was awaited."""


# --- Targets and configuration -------------------------------------------------------------


@dataclass
class Target:
    """A running server: where to connect, and what the harness may read beside the protocol.

    ``login_url`` is the facilitator's one-time link (``chemins serve`` prints it), or
    ``cookie`` a session cookie already logged in (a link works once); ``database`` the
    SQLite file, read-only at the end; ``pid`` the process whose CPU and memory are
    sampled (gunicorn's worker for Chemins).
    """

    name: str
    ws_url: str
    code: str
    login_url: str | None = None
    database: Path | None = None
    pid: int | None = None
    cookie: str | None = None


@dataclass
class LoadConfig:
    """What a scenario does; the defaults are those of issue 7's targets."""

    phones: int = 100
    ramp_per_s: float = 100.0
    window_s: float = 5.0
    revote_share: float = 0.25
    ranking: bool = True
    ideas_per_phone: int = 3
    idea_window_s: float = 60.0
    moderations_per_s: float = 2.0
    compression: bool = True
    lite_client: bool = True
    connect_timeout_s: float = 60.0
    ack_timeout_s: float = 30.0
    settle_timeout_s: float = 30.0
    seed: int = 7


def percentiles(values: Iterable[float]) -> dict[str, float | int | None]:
    """Count, p50, p95, p99 and max of durations in seconds, given in milliseconds."""
    ordered = sorted(values)
    if not ordered:
        return {"count": 0, "p50": None, "p95": None, "p99": None, "max": None}

    def rank(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)] * 1000, 1)

    return {"count": len(ordered), "p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99),
            "max": round(ordered[-1] * 1000, 1)}


# --- Server processes ------------------------------------------------------------------------


class ProcessSampler(threading.Thread):
    """Samples a process's CPU time, resident memory and threads from ``/proc``."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(name=f"sampler-{pid}", daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_rss_kb = 0
        self.peak_threads = 0
        self.marks: dict[str, float] = {}
        self._stop_event = threading.Event()
        self._ticks = os.sysconf("SC_CLK_TCK")

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the process so far (``None`` once it has gone)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self._ticks

    def _sample(self) -> None:
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return
        for line in status.splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                self.peak_rss_kb = max(self.peak_rss_kb, int(value.split()[0]))
            elif name == "Threads":
                self.peak_threads = max(self.peak_threads, int(value))

    def mark(self, name: str) -> None:
        """Remember the CPU time now under ``name``."""
        cpu = self.cpu_seconds()
        if cpu is not None:
            self.marks[name] = cpu

    def between(self, start: str, end: str) -> float | None:
        """CPU seconds between two marks."""
        if start in self.marks and end in self.marks:
            return round(self.marks[end] - self.marks[start], 2)
        return None

    def run(self) -> None:
        """Sample until :meth:`stop`."""
        while not self._stop_event.wait(self.interval):
            self._sample()

    def stop(self) -> None:
        """Take a last sample and stop."""
        self._sample()
        self._stop_event.set()


@dataclass
class ManagedServer:
    """A server process started by the harness, in its own process group."""

    process: subprocess.Popen[bytes]
    target: Target
    log: Path

    def stop(self) -> None:
        """Ctrl+C, then SIGKILL if it is still there after 15 s."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def raise_open_files_limit(needed: int) -> int:
    """Raise this process's soft limit of open files towards ``needed`` (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        soft = wanted
    return soft


def _wait_for_server(process: subprocess.Popen[bytes], log: Path, port: int) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ScenarioError(f"le serveur s'est arrêté :\n{log.read_text(errors='replace')}")
        text = log.read_text(errors="replace")
        if "(code " in text:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
                return text
        time.sleep(0.1)
    raise ScenarioError(f"le serveur ne répond pas :\n{log.read_text(errors='replace')}")


def _child_pid(pid: int) -> int:
    # gunicorn's master forks the worker that holds the websockets: sample the worker.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            if children:
                return int(children[0])
        time.sleep(0.1)
    raise ScenarioError("le processus de travail de gunicorn n'a pas démarré")


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
            start_new_session=True,
        )


def start_chemins(workdir: Path, max_connections: int) -> ManagedServer:
    """``chemins serve`` as ``make serve`` runs it (gunicorn), on a new database in ``workdir``."""
    port = free_port()
    instance = workdir / "instance"
    env = {
        **os.environ,
        "CHEMINS_INSTANCE_PATH": str(instance),
        "CHEMINS_MAX_CONNECTIONS": str(max_connections),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_URL", None)
    chemins = Path(sys.executable).parent / "chemins"
    log = workdir / "chemins-serve.log"
    process = _spawn(
        [str(chemins), "serve", "--host", "127.0.0.1", "--port", str(port)], env, log
    )
    try:
        text = _wait_for_server(process, log, port)
        link = re.search(r"(http://\S+/auth/lien/\S+)", text)
        code = re.search(r"\(code ([A-Z0-9]{6})\)", text)
        if link is None or code is None:
            raise ScenarioError(f"lien ou code introuvable dans la sortie :\n{text}")
        target = Target(
            "chemins", f"ws://127.0.0.1:{port}/ws", code.group(1), login_url=link.group(1),
            database=instance / "chemins.sqlite3", pid=_child_pid(process.pid),
        )
    except BaseException:
        ManagedServer(process, Target("chemins", "", ""), log).stop()
        raise
    return ManagedServer(process, target, log)


def start_reference(workdir: Path) -> ManagedServer:
    """``benchmarks/reference_server.py`` on a free port."""
    port = free_port()
    log = workdir / "reference.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = _spawn(
        [sys.executable, str(ROOT / "benchmarks" / "reference_server.py"), "--port", str(port)],
        env, log,
    )
    try:
        text = _wait_for_server(process, log, port)
        code = re.search(r"\(code ([A-Z0-9]{6})\)", text)
        assert code is not None  # _wait_for_server waited for it
        target = Target("reference", f"ws://127.0.0.1:{port}/ws", code.group(1),
                        pid=process.pid)
    except BaseException:
        ManagedServer(process, Target("reference", "", ""), log).stop()
        raise
    return ManagedServer(process, target, log)


def log_in(login_url: str) -> str:
    """Open the facilitator's one-time link; the session cookie for the websocket handshake."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
    )
    try:
        with opener.open(login_url, timeout=30) as response:
            response.read()
            final = response.geturl()
    except OSError as error:
        raise ScenarioError(f"connexion de l'animation impossible : {error}") from None
    if "/console" not in final:
        raise ScenarioError(f"le lien de connexion a été refusé (arrivée sur {final})")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


# --- Clients ---------------------------------------------------------------------------------


class Run:
    """What the clients of one scenario share: target, settings, shared update texts."""

    def __init__(self, target: Target, config: LoadConfig) -> None:
        self.target = target
        self.config = config
        self.rng = random.Random(config.seed)
        self.closing = False
        self.updates: dict[int, str] = {}
        self.last_update_at = 0.0
        self.resyncs = 0
        self.dropped = 0
        self.reconnects = 0
        self.tasks: set[asyncio.Task[Any]] = set()

    def background(self, coroutine: Awaitable[Any]) -> None:
        """Run ``coroutine`` without awaiting it (kept referenced until it ends)."""

        async def quietly() -> None:
            with contextlib.suppress(Dropped, ConnectionClosed, OSError):
                await coroutine

        task = asyncio.get_running_loop().create_task(quietly())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


class HandshakeFailed(Exception):
    """The server did not switch to the websocket protocol."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class LiteConnection(asyncio.Protocol):
    """A minimal websocket client connection (RFC 6455), cheap enough for thousands of phones.

    The phones are the harness's bulk: with the ``websockets`` library each message costs
    the harness tens of microseconds of Python, on the same two cores as the server. This
    protocol parses frames straight from ``data_received`` and hands each text message to
    a callback: no task, no queue per connection. It offers permessage-deflate as browsers
    do (and inflates what the server compresses), answers pings and closes politely; what
    it sends is masked and never compressed (allowed per message).
    """

    def __init__(self, on_text: Callable[[str], None], on_lost: Callable[[], None],
                 compression: bool) -> None:
        self.on_text = on_text
        self.on_lost = on_lost
        self.compression = compression
        self.transport: asyncio.Transport = None  # type: ignore[assignment]  # set on connect
        self.handshake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.buffer = bytearray()
        self.upgraded = False
        self.inflater: Any = None
        self.fragments: list[bytes] = []
        self.fragment_compressed = False
        self.closed = False
        self.expected_accept = ""

    @classmethod
    async def connect(cls, url: str, headers: dict[str, str] | None, compression: bool,
                      on_text: Callable[[str], None], on_lost: Callable[[], None],
                      timeout: float) -> LiteConnection:
        """Open the TCP connection and do the opening handshake."""
        parts = urllib.parse.urlsplit(url)
        protocol = cls(on_text, on_lost, compression)
        loop = asyncio.get_running_loop()
        await asyncio.wait_for(
            loop.create_connection(lambda: protocol, parts.hostname, parts.port or 80), timeout
        )
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {parts.path or '/'} HTTP/1.1", f"Host: {parts.netloc}", "Upgrade: websocket",
            "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13",
            "User-Agent: chemins-live-load",
        ]
        if compression:
            lines.append("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
        lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
        protocol.expected_accept = base64.b64encode(
            hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()
        ).decode()
        protocol.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            await asyncio.wait_for(asyncio.shield(protocol.handshake), timeout)
        except BaseException:
            protocol.transport.abort()
            raise
        return protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport."""
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        """Tell the client, unless it closed the connection itself."""
        if not self.handshake.done():
            self.handshake.set_exception(HandshakeFailed("connexion fermée"))
        if not self.closed:
            self.closed = True
            self.on_lost()

    def data_received(self, data: bytes) -> None:
        """Handshake answer first, then frames."""
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
            del self.buffer[:end + 4]
            fields = {line.partition(":")[0].strip().lower(): line.partition(":")[2].strip()
                      for line in head[1:]}
            status = head[0].split(" ", 2)
            if len(status) < 2 or status[1] != "101" or (
                fields.get("sec-websocket-accept") != self.expected_accept
            ):
                self.handshake.set_exception(HandshakeFailed(f"HTTP {' '.join(status[1:])}"))
                self.closed = True
                self.transport.abort()
                return
            if "permessage-deflate" in fields.get("sec-websocket-extensions", ""):
                self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            self.upgraded = True
            self.handshake.set_result(None)
        self._frames()

    def _frames(self) -> None:
        buffer = self.buffer
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            length, start = second & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + length:
                return
            payload = bytes(buffer[start:start + length])
            del buffer[:start + length]
            opcode = first & 0x0F
            if opcode in (1, 2):
                if first & 0x80:
                    self._message(payload, bool(first & 0x40))
                else:
                    self.fragments, self.fragment_compressed = [payload], bool(first & 0x40)
            elif opcode == 0:
                self.fragments.append(payload)
                if first & 0x80:
                    self._message(b"".join(self.fragments), self.fragment_compressed)
                    self.fragments = []
            elif opcode == 8:
                self._write(0x88, payload[:2])
                self.closed = True
                self.transport.close()
                self.on_lost()
                return
            elif opcode == 9:
                self._write(0x8A, payload)

    def _message(self, payload: bytes, compressed: bool) -> None:
        if compressed and self.inflater is not None:
            payload = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
        self.on_text(payload.decode("utf-8"))

    def _write(self, first: int, payload: bytes) -> None:
        length = len(payload)
        if length < 126:
            header = bytes((first, 0x80 | length))
        elif length < 65_536:
            header = bytes((first, 0x80 | 126)) + length.to_bytes(2, "big")
        else:
            header = bytes((first, 0x80 | 127)) + length.to_bytes(8, "big")
        mask = os.urandom(4)
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(
            (mask * (length // 4 + 1))[:length], "big")).to_bytes(length, "big")
        self.transport.write(header + mask + masked)

    async def send(self, text: str) -> None:
        """Send one text message."""
        if self.closed or self.transport.is_closing():
            raise ConnectionClosedLite()
        self._write(0x81, text.encode("utf-8"))

    async def close(self) -> None:
        """Send a close frame and close the TCP connection."""
        if not self.closed:
            self.closed = True
            with contextlib.suppress(RuntimeError):
                self._write(0x88, (1000).to_bytes(2, "big"))
            self.transport.close()


class ConnectionClosedLite(Exception):
    """A message was sent on a :class:`LiteConnection` already closed."""


class Client:
    """One websocket: a reader task, answers awaited by ``client_id`` or by message type.

    A message awaiting its ``ack`` stays in ``pending`` with its ``client_id``: a client
    that reconnects (phones do) sends it again, as ``docs/protocol.md`` asks.
    """

    def __init__(self, run: Run) -> None:
        self.run = run
        self.ws: ClientConnection | LiteConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.pending: dict[str, tuple[Message, asyncio.Future[Message]]] = {}
        self.waiters: list[tuple[frozenset[str], asyncio.Future[Message]]] = []
        self.last_seq = -1
        self.stale = 0
        self.dropped = False
        self.closing = False
        self.reconnecting: asyncio.Task[None] | None = None

    lite = False
    """Whether this kind of client uses :class:`LiteConnection` instead of ``websockets``."""

    async def open(self, headers: dict[str, str] | None = None) -> None:
        """Connect (as a browser would: permessage-deflate offered unless disabled)."""
        if self.lite and self.run.config.lite_client:
            connection: LiteConnection | None = None

            def lost() -> None:
                if connection is not None and connection is self.ws:
                    self._lost()

            connection = await LiteConnection.connect(
                self.run.target.ws_url, headers, self.run.config.compression,
                lambda text: self.on_text(text, clock()), lost,
                self.run.config.connect_timeout_s,
            )
            self.ws = connection
            return
        self.ws = await connect(
            self.run.target.ws_url,
            additional_headers=headers,
            compression="deflate" if self.run.config.compression else None,
            open_timeout=self.run.config.connect_timeout_s,
            ping_interval=None,
            close_timeout=2,
            max_size=None,
            proxy=None,
        )
        self.reader = asyncio.create_task(self._read(self.ws))

    async def _read(self, ws: ClientConnection | LiteConnection) -> None:
        assert isinstance(ws, ClientConnection)
        try:
            async for text in ws:
                self.on_text(str(text), clock())
        except ConnectionClosed:
            pass
        finally:
            if ws is self.ws:
                self._lost()

    def _lost(self) -> None:
        """The connection ended: reconnect if this client may, else fail what awaits."""
        if self.run.closing or self.closing:
            self._fail_all()
            return
        self.dropped = True
        self.run.dropped += 1
        for _, future in self.waiters:
            if not future.done():
                future.set_exception(Dropped())
        self.waiters.clear()
        if self.can_reconnect():
            if self.reconnecting is None or self.reconnecting.done():
                self.reconnecting = asyncio.get_running_loop().create_task(self.reconnect())
        else:
            self._fail_all()

    def _fail_all(self) -> None:
        for future in [*(f for _, f in self.pending.values()), *(f for _, f in self.waiters)]:
            if not future.done():
                future.set_exception(Dropped())
        self.pending.clear()
        self.waiters.clear()

    def can_reconnect(self) -> bool:
        """Whether this client reconnects by itself after a drop (phones that joined do)."""
        return False

    async def reconnect(self) -> None:
        """Reconnect after a drop (see :class:`Phone`)."""

    def on_text(self, text: str, now: float) -> None:
        """A text frame arrived at ``now``."""
        self.on_message(json.loads(text), text, now)

    def on_message(self, message: Message, text: str, now: float) -> None:
        """Resolve whoever awaits this message."""
        kind = message.get("type")
        if kind in ("ack", "error"):
            entry = self.pending.pop(str(message.get("client_id")), None)
            if entry is not None:
                if not entry[1].done():
                    entry[1].set_result(message)
                return
        if kind == "resync":
            self.run.resyncs += 1
            self.run.background(self.send({"type": "get_state"}))
        for waiter in self.waiters:
            types, future = waiter
            if kind in types:
                self.waiters.remove(waiter)
                if not future.done():
                    future.set_result(message)
                break

    def expect(self, *types: str) -> asyncio.Future[Message]:
        """A future for the next message of one of ``types`` (register before sending)."""
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self.waiters.append((frozenset(types), future))
        return future

    async def send(self, message: Message) -> None:
        """Send a message as JSON."""
        if self.ws is None:
            raise Dropped()
        try:
            await self.ws.send(json.dumps(message, ensure_ascii=False))
        except (ConnectionClosed, ConnectionClosedLite):
            raise Dropped() from None

    async def request(self, message: Message) -> Message:
        """Send a state-changing message with a new ``client_id``; its ``ack`` or ``error``.

        Raises :class:`TimeoutError` when no answer comes within ``ack_timeout_s`` (a
        reconnection and the resend included), :class:`Dropped` when the connection is
        lost for good.
        """
        client_id = str(uuid.uuid4())
        full = {**message, "client_id": client_id}
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self.pending[client_id] = (full, future)
        try:
            try:
                await self.send(full)
            except Dropped:
                if not self.can_reconnect():
                    raise  # else the reconnection sends it again
            return await asyncio.wait_for(future, self.run.config.ack_timeout_s)
        finally:
            self.pending.pop(client_id, None)

    async def hello(self, message: Message) -> Message:
        """Send ``hello``; the ``welcome`` (raises :class:`Refused` on an ``error``)."""
        future = self.expect("welcome", "error")
        await self.send({"type": "hello", "protocol": PROTOCOL, **message})
        reply = await asyncio.wait_for(future, self.run.config.connect_timeout_s)
        if reply["type"] == "error":
            raise Refused(str(reply.get("code")))
        return reply

    async def close(self) -> None:
        """Close the connection (abort it if the closing handshake takes too long)."""
        self.closing = True
        if self.reconnecting is not None:
            self.reconnecting.cancel()
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 3)
            except (TimeoutError, ConnectionClosed, OSError):
                self.ws.transport.abort()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader


@dataclass
class Sent:
    """One ballot or idea sent by a phone, and what came of it."""

    phone: int
    kind: str
    sent: float
    acked: float | None = None
    error: str | None = None
    payload: Any = None
    idea_id: str | None = None


class Phone(Client):
    """A participant's phone, cheap enough to run thousands in one process.

    Updates are not parsed: a phone keeps the text of the last result it shows (and
    when it first showed it) and the seqs of the wall deltas it applied; the harness
    rebuilds its wall from those at the end, once per distinct sequence.
    """

    lite = True

    def __init__(self, run: Run, index: int) -> None:
        super().__init__(run)
        self.index = index
        self.token: str | None = None
        self.step_id: str | None = None
        self.welcome_seq = -1
        self.initial_wall: dict[str, Message] = {}
        self.delta_seqs: list[int] = []
        self.results_key: str | None = None
        self.results_state: Message | None = None
        self.results_at = 0.0
        self.updated_at = 0.0
        self.connect_s: float | None = None
        self.failure: str | None = None
        self.sent: list[Sent] = []

    def on_text(self, text: str, now: float) -> None:
        """Updates by their prefix; anything else parsed."""
        match = UPDATE_PREFIX.match(text)
        if match is None:
            super().on_text(text, now)
            return
        seq = int(match.group(2))
        if seq <= self.last_seq:
            self.stale += 1
            return
        self.last_seq = seq
        kind = match.group(1)
        if kind == "results":
            key = text[match.end():]
            if key != self.results_key or self.results_state is not None:
                self.results_key, self.results_state = key, None
                self.results_at = now
        elif kind != "presence":
            self.delta_seqs.append(seq)
            self.run.updates.setdefault(seq, text)
            self.updated_at = self.run.last_update_at = now

    def on_message(self, message: Message, text: str, now: float) -> None:
        """``welcome`` and ``state`` reset what the phone shows."""
        if message.get("type") in ("welcome", "state"):
            state = message["state"]
            self.last_seq = self.welcome_seq = int(message["seq"])
            self.step_id = (state.get("current_step") or {}).get("id")
            self.initial_wall = {idea["id"]: idea for idea in state.get("ideas") or []}
            self.delta_seqs = []
            # A full state replaces the result shown too (after a resync, say).
            if state.get("results") is not None and state["results"] != self.results_state:
                self.results_state = state["results"]
                self.results_at = now
            if message.get("participant"):
                self.token = message["participant"]["token"]
        super().on_message(message, text, now)

    def can_reconnect(self) -> bool:
        """A phone that joined reconnects, like the phone page."""
        return self.token is not None and not self.closing

    async def reconnect(self) -> None:
        """Jittered back-off, ``hello`` with the token, then resend what was not acknowledged."""
        delay = self.run.rng.uniform(0.5, 3.0)
        deadline = clock() + self.run.config.ack_timeout_s
        while clock() < deadline and not (self.closing or self.run.closing):
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
            try:
                await self.open()
                await self.hello({"role": "phone", "code": self.run.target.code,
                                  "token": self.token})
            except (Exception, TimeoutError):  # any failure: wait longer and try again
                continue
            self.dropped = False
            self.run.reconnects += 1
            for message, _ in list(self.pending.values()):
                with contextlib.suppress(Dropped):
                    await self.send(message)
            return
        self._fail_all()

    def shows(self, final_key: str | None, final_tally: Message | None) -> bool:
        """Whether the phone shows this final result (from an update or from a full state)."""
        if self.results_state is not None:
            return final_tally is not None and self.results_state == final_tally
        return final_key is not None and self.results_key == final_key

    async def connect_and_join(self) -> None:
        """Connect, ``hello`` with the code, ``join``, wait for the participant's ``welcome``."""
        started = clock()
        await self.open()
        await self.hello({"role": "phone", "code": self.run.target.code})
        welcome = self.expect("welcome")
        reply = await self.request({"type": "join", "nickname": f"Téléphone {self.index}"})
        if reply["type"] != "ack":
            raise Refused(str(reply.get("code")))
        await asyncio.wait_for(welcome, self.run.config.connect_timeout_s)
        self.connect_s = clock() - started

    async def submit(self, kind: str, message: Message, payload: Any = None) -> Sent:
        """Send a ballot or an idea and await its ``ack``; the record of what happened."""
        record = Sent(self.index, kind, clock(), payload=payload)
        self.sent.append(record)
        try:
            reply = await self.request(message)
        except TimeoutError:
            record.error = "délai dépassé"
        except Dropped:
            record.error = "connexion perdue"
        else:
            if reply["type"] == "ack":
                record.acked = clock()
                record.idea_id = reply.get("idea_id")
            else:
                record.error = str(reply.get("code"))
        return record


class Watcher(Client):
    """The projector or the facilitator's console: parses every message, keeps a log."""

    def __init__(self, run: Run, role: str) -> None:
        super().__init__(run)
        self.role = role
        self.current_step: Message | None = None
        self.results: dict[str, list[tuple[float, Message]]] = {}
        self.results_key: dict[str, str] = {}
        self.wall: dict[str, Message] = {}
        self.idea_seen: dict[str, float] = {}

    def on_message(self, message: Message, text: str, now: float) -> None:
        """Apply an update (dropping older ones) or take a full state."""
        kind = message.get("type")
        if kind in ("welcome", "state"):
            state = message["state"]
            self.last_seq = int(message["seq"])
            self.current_step = state.get("current_step")
            self.wall = {idea["id"]: idea for idea in state.get("ideas") or []}
        elif kind in ("results", "ideas_delta", "step_changed", "presence"):
            seq = int(message["seq"])
            if seq <= self.last_seq:
                self.stale += 1
                return
            self.last_seq = seq
            if kind == "results":
                step_id = message["step_id"]
                self.results.setdefault(step_id, []).append((now, message["tally"]))
                match = UPDATE_PREFIX.match(text)
                self.results_key[step_id] = text[match.end():] if match else text
            elif kind == "step_changed":
                before = (self.current_step or {}).get("id")
                self.current_step = message["current_step"]
                if (self.current_step or {}).get("id") != before:
                    self.wall = {}
            elif kind == "ideas_delta" and message["step_id"] == (self.current_step or {}).get(
                "id"
            ):
                for idea in message["added"] + message["changed"]:
                    self.wall[idea["id"]] = idea
                    self.idea_seen.setdefault(idea["id"], now)
                for idea_id in message["removed"]:
                    self.wall.pop(idea_id, None)
            return
        super().on_message(message, text, now)

    async def act(self, message: Message) -> Message:
        """A facilitator message; its ``ack`` (raises :class:`Refused` on an ``error``)."""
        reply = await self.request(message)
        if reply["type"] != "ack":
            raise Refused(f"{reply.get('code')} : {reply.get('message')}")
        return reply

    async def get_state(self) -> Message:
        """Ask for the state; the ``state`` message."""
        future = self.expect("state")
        await self.send({"type": "get_state"})
        return await asyncio.wait_for(future, self.run.config.connect_timeout_s)


# --- Common steps of a scenario ----------------------------------------------------------------


async def sleep_until(moment: float) -> None:
    """Sleep until ``clock()`` reaches ``moment``."""
    delay = moment - clock()
    if delay > 0:
        await asyncio.sleep(delay)


async def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes; whether it held."""
    deadline = clock() + timeout
    while not condition():
        if clock() > deadline:
            return False
        await asyncio.sleep(step)
    return True


class LoopLag:
    """Measures how late the harness's event loop wakes up (the harness is busy too)."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            before = clock()
            await asyncio.sleep(0.05)
            self.lags.append(clock() - before - 0.05)

    def start(self) -> None:
        """Start measuring."""
        self.task = asyncio.create_task(self._run())

    async def stop(self) -> dict[str, float | int | None]:
        """Stop; the lag distribution."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        return percentiles(self.lags)


def _failure_reason(error: BaseException) -> str:
    if isinstance(error, Refused):
        return error.code
    if isinstance(error, TimeoutError):
        return "délai dépassé"
    if isinstance(error, HandshakeFailed):
        return error.status
    if isinstance(error, InvalidStatus):
        return f"HTTP {error.response.status_code}"
    if isinstance(error, InvalidHandshake):
        return "poignée de main refusée"
    if isinstance(error, Dropped | ConnectionClosed):
        return "connexion fermée"
    if isinstance(error, OSError):
        return f"{type(error).__name__} {error.errno or ''}".strip()
    return type(error).__name__


async def _staff(run: Run, role: str, workshop_id: str, headers: dict[str, str] | None) -> Watcher:
    watcher = Watcher(run, role)
    try:
        await watcher.open(headers)
        await watcher.hello({"role": role, "workshop_id": workshop_id})
    except Refused as refusal:
        raise ScenarioError(f"« {role} » refusé par le serveur : {refusal.code}") from None
    return watcher


async def _open_step(facilitator: Watcher, step_id: str) -> Message:
    """Show ``step_id`` open (closing the running step first, without writing back)."""
    state = (await facilitator.get_state())["state"]
    current = state.get("current_step")
    if current and current["id"] == step_id and current["status"] == "open":
        return dict(current)
    status = {step["id"]: step["status"] for step in state["steps"]}
    if step_id not in status:
        raise ScenarioError(f"l'atelier n'a pas d'étape « {step_id} »")
    if status[step_id] == "closed":
        raise ScenarioError(
            f"l'étape « {step_id} » est déjà close : lancez le banc sur une base neuve"
        )
    if current and current["status"] == "open":
        await facilitator.act(
            {"type": "close_step", "step_id": current["id"], "write_back": False}
        )
    await facilitator.act({"type": "start_step", "step_id": step_id})
    step = (await facilitator.get_state())["state"]["current_step"]
    if not step or step["id"] != step_id:
        raise ScenarioError(f"l'étape « {step_id} » n'a pas démarré")
    return dict(step)


@dataclass
class Setup:
    """The staff connections of a scenario and the workshop they watch."""

    facilitator: Watcher
    projector: Watcher
    workshop_id: str
    step: Message


async def _setup(run: Run, step_id: str) -> Setup:
    target = run.target
    cookie = target.cookie
    if cookie is None and target.login_url:
        cookie = target.cookie = await asyncio.to_thread(log_in, target.login_url)
    headers = {"Cookie": cookie} if cookie else None
    probe = Phone(run, -1)
    try:
        await probe.open()
        welcome = await probe.hello({"role": "phone", "code": target.code})
    except (OSError, InvalidHandshake, TimeoutError) as error:
        raise ScenarioError(f"serveur injoignable ({target.ws_url}) : {error}") from None
    except Refused as refusal:
        raise ScenarioError(f"code {target.code} refusé : {refusal.code}") from None
    finally:
        await probe.close()
    workshop_id = str(welcome["state"]["workshop"]["id"])
    facilitator = await _staff(run, "facilitator", workshop_id, headers)
    step = await _open_step(facilitator, step_id)
    projector = await _staff(run, "projector", workshop_id, headers)
    return Setup(facilitator, projector, workshop_id, step)


async def open_step(target: Target, step_id: str) -> Message:
    """Log in, show ``step_id`` open on the workshop of ``target.code``; the step (as sent)."""
    run = Run(target, LoadConfig())
    setup = await _setup(run, step_id)
    await _close_all(run, _staff_of(setup))
    return setup.step


async def _connect_phones(run: Run) -> tuple[list[Phone], dict[str, Any]]:
    """Open ``config.phones`` phones at ``config.ramp_per_s``; the connected ones and stats."""
    config = run.config
    phones = [Phone(run, index) for index in range(config.phones)]
    started = clock()

    async def one(phone: Phone, moment: float) -> None:
        await sleep_until(moment)
        try:
            await asyncio.wait_for(phone.connect_and_join(), config.connect_timeout_s)
        except (Exception, TimeoutError) as error:  # every failure is counted, none is fatal
            phone.failure = _failure_reason(error)
            await phone.close()

    await asyncio.gather(
        *(one(phone, started + index / config.ramp_per_s) for index, phone in enumerate(phones))
    )
    connected = [phone for phone in phones if phone.failure is None]
    stats = {
        "requested": config.phones,
        "succeeded": len(connected),
        "failed": config.phones - len(connected),
        "failures": dict(Counter(phone.failure for phone in phones if phone.failure)),
        "ramp_s": round(clock() - started, 2),
        "connect_ms": percentiles(p.connect_s for p in connected if p.connect_s is not None),
    }
    return connected, stats


async def _close_all(run: Run, clients: Iterable[Client]) -> None:
    run.closing = True
    await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)


def _visible_latencies(
    records: list[Sent], log: list[tuple[float, int]]
) -> tuple[list[float], int]:
    """Latency of each record: the first log entry whose count reaches its rank (see module)."""
    times = [moment for moment, _ in log]
    reached: list[int] = []
    top = 0
    for _, count in log:
        top = max(top, count)
        reached.append(top)
    latencies: list[float] = []
    missing = 0
    for rank, record in enumerate(sorted(records, key=lambda r: r.sent), start=1):
        index = max(bisect.bisect_left(reached, rank), bisect.bisect_left(times, record.sent))
        if index >= len(log):
            missing += 1
        else:
            latencies.append(times[index] - record.sent)
    return latencies, missing


def _environment(target: Target) -> dict[str, Any]:
    return {
        "target": target.name,
        "loadavg_before": [round(v, 2) for v in os.getloadavg()],
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def _server_figures(sampler: ProcessSampler | None) -> dict[str, Any]:
    if sampler is None:
        return {}
    return {
        "cpu_s_total": sampler.between("start", "end"),
        "cpu_s_connect": sampler.between("start", "connected"),
        "cpu_s_active": sampler.between("connected", "end"),
        "peak_rss_mb": round(sampler.peak_rss_kb / 1024, 1),
        "peak_threads": sampler.peak_threads,
    }


def _harness_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- The vote scenario -------------------------------------------------------------------------


def _dot_ballot(step: Message, rng: random.Random, revote: bool) -> dict[str, int]:
    options = [option["id"] for option in step["options"]]
    marker, others = options[-1], options[:-1]
    budget = int(step["budget"])
    if revote:
        chosen = rng.sample(others, rng.randint(1, max(1, budget - 1)))
        return {marker: 1, **dict.fromkeys(chosen, 1)}
    return dict.fromkeys(rng.sample(others, rng.randint(min(2, budget), budget)), 1)


@dataclass
class Plan:
    """When a phone votes, what, and whether it votes again."""

    first_at: float
    first: Any
    revote_at: float | None = None
    revote: Any = None


def _plans(run: Run, step: Message, count: int, start: float) -> list[Plan]:
    rng, window = run.rng, run.config.window_s
    plans = []
    for _ in range(count):
        first_at = start + rng.uniform(0, window)
        if step["kind"] == "dot_vote":
            plan = Plan(first_at, _dot_ballot(step, rng, revote=False))
            if rng.random() < run.config.revote_share:
                plan.revote_at = rng.uniform(first_at, start + window)
                plan.revote = _dot_ballot(step, rng, revote=True)
        elif step["kind"] == "ranking":
            order = [option["id"] for option in step["options"]]
            rng.shuffle(order)
            plan = Plan(first_at, order)
        else:
            raise ScenarioError(f"le banc ne sait pas voter à une étape « {step['kind']} »")
        plans.append(plan)
    return plans


def _ballot(step: Message, payload: Any) -> Message:
    if step["kind"] == "dot_vote":
        return {"kind": "dot_vote", "dots": payload}
    return {"kind": "ranking", "order": payload}


async def _vote_round(run: Run, setup: Setup, phones: list[Phone], step: Message) -> dict[str, Any]:
    """Every phone votes within the window; latency, final tally everywhere, correctness."""
    config = run.config
    step_id = step["id"]
    start = clock() + 0.2
    plans = _plans(run, step, len(phones), start)

    async def vote(phone: Phone, plan: Plan) -> list[Sent]:
        await sleep_until(plan.first_at)
        message = {"type": "cast_ballot", "step_id": step_id}
        first = await phone.submit("first", {**message, "ballot": _ballot(step, plan.first)},
                                   plan.first)
        if plan.revote_at is None or first.acked is None:
            return [first]
        await sleep_until(plan.revote_at)
        again = await phone.submit("revote", {**message, "ballot": _ballot(step, plan.revote)},
                                   plan.revote)
        return [first, again]

    outcomes = await asyncio.gather(*(vote(p, plan) for p, plan in zip(phones, plans, strict=True)))
    records = [record for outcome in outcomes for record in outcome]
    firsts = [r for r in records if r.kind == "first" and r.acked is not None]
    revotes = [r for r in records if r.kind == "revote" and r.acked is not None]
    last_vote = max((r.sent for r in records), default=clock())
    marker = step["options"][-1]["id"] if step["kind"] == "dot_vote" else None
    projector = setup.projector

    def counts(tally: Message) -> tuple[int, int]:
        marked = 0
        if marker is not None:
            marked = next((row["dots"] for row in tally["rows"] if row["option_id"] == marker), 0)
        return int(tally["voters"]), int(marked)

    def projector_complete() -> bool:
        log = projector.results.get(step_id)
        if not log:
            return False
        voters, marked = counts(log[-1][1])
        return voters >= len(firsts) and marked >= len(revotes)

    projector_done = await wait_until(projector_complete, config.settle_timeout_s)
    # A last tick may still be on its way: the final tally is the last one once quiet.
    await asyncio.sleep(0.3)
    final_key = projector.results_key.get(step_id)
    final_log = projector.results.get(step_id)
    final_tally = final_log[-1][1] if final_log else None
    live = [phone for phone in phones if not phone.dropped]
    await wait_until(lambda: all(p.shows(final_key, final_tally) for p in live),
                     config.settle_timeout_s)
    with_final = [p for p in live if p.shows(final_key, final_tally)]
    final_delays = [p.results_at - last_vote for p in with_final]

    log = projector.results.get(step_id, [])
    first_lat, first_missing = _visible_latencies(
        firsts, [(moment, counts(tally)[0]) for moment, tally in log]
    )
    revote_lat, revote_missing = _visible_latencies(
        revotes, [(moment, counts(tally)[1]) for moment, tally in log]
    )
    expected = _expected_tally(step, [*firsts, *revotes])
    errors = Counter(r.error for r in records if r.error)
    return {
        "step": step_id,
        "kind": step["kind"],
        "ballots_sent": len(records),
        "ballots_acked": len(firsts) + len(revotes),
        "first_acked": len(firsts),
        "revotes_acked": len(revotes),
        "errors": dict(errors),
        "ack_ms": percentiles(r.acked - r.sent for r in records if r.acked is not None),
        "visible_ms": percentiles(first_lat + revote_lat),
        "visible_first_ms": percentiles(first_lat),
        "visible_revote_ms": percentiles(revote_lat),
        "visible_missing": first_missing + revote_missing,
        "projector_complete": projector_done,
        "phones_with_final": len(with_final),
        "phones_live": len(live),
        "final_everywhere_s": round(max(final_delays), 3) if final_delays else None,
        "final_per_phone_ms": percentiles(final_delays),
        "tally_matches_acks": final_tally is not None and _tally_summary(step, final_tally)
        == expected,
        "expected": expected,
        "final_tally": _tally_summary(step, final_tally) if final_tally else None,
    }


def _expected_tally(step: Message, acked: list[Sent]) -> dict[str, Any]:
    """The tally the acknowledged ballots make (each phone's last acknowledged ballot)."""
    latest: dict[int, Sent] = {}
    for record in sorted(acked, key=lambda r: r.acked or 0.0):
        latest[record.phone] = record
    summary: dict[str, Any] = {"voters": len(latest)}
    if step["kind"] == "dot_vote":
        dots = dict.fromkeys((option["id"] for option in step["options"]), 0)
        for record in latest.values():
            for option_id, count in record.payload.items():
                dots[option_id] += count
        summary["dots"] = dots
    return summary


def _tally_summary(step: Message, tally: Message) -> dict[str, Any]:
    summary: dict[str, Any] = {"voters": int(tally["voters"])}
    if step["kind"] == "dot_vote":
        summary["dots"] = {row["option_id"]: row["dots"] for row in tally["rows"]}
    return summary


def stored_ballots(database: Path, workshop_id: str) -> dict[str, dict[str, Any]]:
    """Per step key: ballots, revisions and dots per option in the SQLite file (read-only)."""
    uri = f"file:{database}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=30)) as db:
        rows = db.execute(
            "SELECT steps.key, ballots.body, ballots.revisions FROM ballots "
            "JOIN steps ON steps.id = ballots.step_id WHERE steps.workshop_id = ?",
            (int(workshop_id),),
        ).fetchall()
    stored: dict[str, dict[str, Any]] = {}
    for key, body, revisions in rows:
        entry = stored.setdefault(key, {"ballots": 0, "revisions": 0, "dots": Counter()})
        entry["ballots"] += 1
        entry["revisions"] += int(revisions)
        ballot = json.loads(body) if isinstance(body, str) else body
        if ballot.get("kind") == "dot_vote":
            entry["dots"].update(ballot["dots"])
    for entry in stored.values():
        entry["dots"] = dict(entry["dots"])
    return stored


def _check_storage(target: Target, workshop_id: str, rounds: list[dict[str, Any]]) -> None:
    """Add to each round what the database holds (Chemins) or ``None`` (reference)."""
    stored = stored_ballots(target.database, workshop_id) if target.database else {}
    for round_ in rounds:
        entry = stored.get(round_["step"])
        if target.database is None:
            round_["stored"] = None
            continue
        entry = entry or {"ballots": 0, "revisions": 0, "dots": {}}
        round_["stored"] = {"ballots": entry["ballots"],
                            "revotes": entry["revisions"] - entry["ballots"]}
        round_["lost"] = max(0, round_["first_acked"] - entry["ballots"])
        if round_["kind"] == "dot_vote":
            dots = {key: value for key, value in round_["expected"]["dots"].items() if value}
            round_["stored_matches_acks"] = (entry["ballots"] == round_["first_acked"]
                                             and entry["dots"] == dots)
        else:
            round_["stored_matches_acks"] = entry["ballots"] == round_["first_acked"]


async def run_vote(target: Target, config: LoadConfig) -> dict[str, Any]:
    """The vote scenario against ``target``; a report (JSON-ready dict)."""
    run = Run(target, config)
    report: dict[str, Any] = {"scenario": "vote", "config": asdict(config),
                              **_environment(target)}
    sampler = ProcessSampler(target.pid) if target.pid else None
    if sampler is not None:
        sampler.start()
    harness_cpu = _harness_cpu()
    lag = LoopLag()
    lag.start()
    gc.disable()  # a full collection over thousands of clients would show up as latency
    setup: Setup | None = None
    phones: list[Phone] = []
    try:
        setup = await _setup(run, VOTE_STEP)
        if sampler is not None:
            sampler.mark("start")
        phones, report["connections"] = await _connect_phones(run)
        if sampler is not None:
            sampler.mark("connected")
        rounds = [await _vote_round(run, setup, phones, setup.step)]
        if config.ranking:
            ranking = await _open_step(setup.facilitator, RANKING_STEP)
            rounds.append(await _vote_round(run, setup, phones, ranking))
        _check_storage(target, setup.workshop_id, rounds)
        report["rounds"] = rounds
        report["stale_updates"] = sum(p.stale for p in phones)
        report["dropped"] = run.dropped
        report["reconnects"] = run.reconnects
        report["resyncs"] = run.resyncs
    finally:
        if sampler is not None:
            sampler.mark("end")
            sampler.stop()
        report["loop_lag_ms"] = await lag.stop()
        report["harness_cpu_s"] = round(_harness_cpu() - harness_cpu, 2)
        await _close_all(run, [*phones, *_staff_of(setup)])
        gc.enable()
        gc.collect()
    report["server"] = _server_figures(sampler)
    report["loadavg_after"] = [round(v, 2) for v in os.getloadavg()]
    return report


def _staff_of(setup: Setup | None) -> list[Client]:
    return [setup.facilitator, setup.projector] if setup is not None else []


# --- The brainstorm scenario -------------------------------------------------------------------

_WORDS = (
    "un relais petite enfance itinérant", "des permanences le samedi", "un guide des modes "
    "d'accueil", "une navette vers le centre social", "des ateliers parents-enfants",
    "un forum des associations", "des places en crèche à horaires atypiques", "un café des "
    "parents", "une aide aux devoirs au collège", "un accueil de loisirs l'été",
)


def _idea_text(rng: random.Random, phone: int, number: int) -> str:
    words = " et ".join(rng.sample(_WORDS, rng.randint(1, 3)))
    return f"Idée {phone}-{number} : {words}"[:280]


async def _moderate(run: Run, setup: Setup, until: float) -> list[Sent]:
    """The facilitator hides and merges visible ideas, alternately, until ``until``."""
    rng, facilitator = run.rng, setup.facilitator
    touched: set[str] = set()
    actions: list[Sent] = []
    period = 1 / run.config.moderations_per_s if run.config.moderations_per_s > 0 else None
    while period is not None and clock() + period < until:
        await asyncio.sleep(period)
        visible = [idea for idea in facilitator.wall.values()
                   if not idea.get("hidden") and idea.get("merged_into") is None
                   and idea["id"] not in touched]
        merge = len(actions) % 2 == 1
        if merge:
            sources = [idea for idea in visible if not idea.get("merged")]
            pairs = [(source, target) for source in sources[:50] for target in visible
                     if target["column"] == source["column"] and target["id"] != source["id"]]
            if not pairs:
                continue
            source, target = rng.choice(pairs)
            moderation = {"action": "merge", "idea_id": source["id"], "into": target["id"]}
        elif visible:
            source = rng.choice(visible)
            moderation = {"action": "hide", "idea_id": source["id"]}
        else:
            continue
        touched.add(source["id"])
        record = Sent(-1, moderation["action"], clock(), payload=moderation)
        actions.append(record)
        try:
            reply = await facilitator.request({"type": "moderate_idea", "moderation": moderation})
        except (TimeoutError, Dropped) as error:
            record.error = _failure_reason(error)
            continue
        if reply["type"] == "ack":
            record.acked = clock()
        else:
            record.error = str(reply.get("code"))
    return actions


def _wall_of(phone: Phone, texts: dict[int, str], parsed: dict[int, Message]) -> dict[str, Any]:
    """The wall a phone shows: its last state, then the deltas it applied, in order."""
    wall = dict(phone.initial_wall)
    step_id = phone.step_id
    for seq in phone.delta_seqs:
        message = parsed.get(seq)
        if message is None:
            message = parsed[seq] = json.loads(texts[seq])
        if message["type"] == "step_changed":
            new = (message["current_step"] or {}).get("id")
            if new != step_id:
                wall, step_id = {}, new
        elif message["type"] == "ideas_delta" and message["step_id"] == step_id:
            for idea in message["added"] + message["changed"]:
                wall[idea["id"]] = idea
            for idea_id in message["removed"]:
                wall.pop(idea_id, None)
    return wall


def stored_ideas(database: Path, workshop_id: str, step_key: str) -> dict[str, int]:
    """Ideas of a brainstorm step in the SQLite file (read-only): all, hidden, merged."""
    uri = f"file:{database}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=30)) as db:
        total, hidden, merged = db.execute(
            "SELECT COUNT(*), COALESCE(SUM(ideas.hidden), 0), COUNT(ideas.merged_into_id) "
            "FROM ideas JOIN steps ON steps.id = ideas.step_id "
            "WHERE steps.workshop_id = ? AND steps.key = ?",
            (int(workshop_id), step_key),
        ).fetchone()
    return {"ideas": int(total), "hidden": int(hidden), "merged": int(merged)}


async def run_brainstorm(target: Target, config: LoadConfig) -> dict[str, Any]:
    """The brainstorm scenario against ``target``; a report (JSON-ready dict)."""
    run = Run(target, config)
    report: dict[str, Any] = {"scenario": "brainstorm", "config": asdict(config),
                              **_environment(target)}
    sampler = ProcessSampler(target.pid) if target.pid else None
    if sampler is not None:
        sampler.start()
    harness_cpu = _harness_cpu()
    lag = LoopLag()
    lag.start()
    gc.disable()
    setup: Setup | None = None
    phones: list[Phone] = []
    fresh = Phone(run, -2)
    try:
        setup = await _setup(run, BRAINSTORM_STEP)
        if sampler is not None:
            sampler.mark("start")
        step_id = setup.step["id"]
        columns = [column["id"] for column in setup.step["columns"]]
        phones, report["connections"] = await _connect_phones(run)
        if sampler is not None:
            sampler.mark("connected")
        start = clock() + 0.2
        window = config.idea_window_s

        async def post(phone: Phone) -> None:
            moments = sorted(start + run.rng.uniform(0, window)
                             for _ in range(config.ideas_per_phone))
            texts = [(_idea_text(run.rng, phone.index, n), run.rng.choice(columns))
                     for n in range(config.ideas_per_phone)]
            for moment, (text, column) in zip(moments, texts, strict=True):
                await sleep_until(moment)
                await phone.submit("idea", {"type": "post_idea", "step_id": step_id,
                                            "column": column, "text": text})

        moderation = asyncio.create_task(_moderate(run, setup, start + window))
        await asyncio.gather(*(post(phone) for phone in phones))
        actions = await moderation
        ideas = [record for phone in phones for record in phone.sent]
        acked = [record for record in ideas if record.acked is not None]
        last_action = max((r.sent for r in [*ideas, *actions]), default=clock())
        # Settled when no phone has received a wall update for a second and a half.
        quiet = await wait_until(lambda: clock() - run.last_update_at > 1.5,
                                 config.settle_timeout_s, step=0.1)
        await fresh.open()
        truth = (await fresh.hello({"role": "phone", "code": target.code}))["state"]
        truth_wall = {idea["id"]: idea for idea in truth["ideas"]}
        parsed: dict[int, Message] = {}
        walls: dict[tuple[int, tuple[int, ...]], bool] = {}
        equal = 0
        live = [phone for phone in phones if not phone.dropped]
        for phone in live:
            key = (phone.welcome_seq, tuple(phone.delta_seqs))
            if key not in walls:
                walls[key] = _wall_of(phone, run.updates, parsed) == truth_wall
            equal += walls[key]
        moderated = {str(a.payload["idea_id"]) for a in actions if a.acked is not None}
        latencies: list[float] = []
        missing = moderated_first = 0
        for record in acked:
            seen = setup.projector.idea_seen.get(str(record.idea_id))
            if seen is not None:
                latencies.append(seen - record.sent)
            elif str(record.idea_id) in moderated:
                moderated_first += 1
            else:
                missing += 1
        last_update = [p.updated_at - last_action for p in live if p.updated_at]
        hides = sum(1 for a in actions if a.acked is not None and a.kind == "hide")
        merges = sum(1 for a in actions if a.acked is not None and a.kind == "merge")
        report["ideas"] = {
            "sent": len(ideas),
            "acked": len(acked),
            "errors": dict(Counter(r.error for r in ideas if r.error)),
            "ack_ms": percentiles(r.acked - r.sent for r in acked if r.acked is not None),
            "visible_ms": percentiles(latencies),
            "visible_missing": missing,
            "moderated_before_seen": moderated_first,
            "moderations_acked": {"hide": hides, "merge": merges},
            "moderation_errors": dict(Counter(a.error for a in actions if a.error)),
            "settled": quiet,
            "last_update_after_last_action_s": round(max(last_update), 3) if last_update
            else None,
            "phones_live": len(live),
            "phones_wall_equal": equal,
            "distinct_walls": len(walls),
            "wall_size": len(truth_wall),
        }
        if target.database is not None:
            stored = stored_ideas(target.database, setup.workshop_id, step_id)
            report["ideas"]["stored"] = stored
            report["ideas"]["stored_matches_acks"] = stored == {
                "ideas": len(acked), "hidden": hides, "merged": merges}
        report["stale_updates"] = sum(p.stale for p in phones)
        report["dropped"] = run.dropped
        report["reconnects"] = run.reconnects
        report["resyncs"] = run.resyncs
    finally:
        if sampler is not None:
            sampler.mark("end")
            sampler.stop()
        report["loop_lag_ms"] = await lag.stop()
        report["harness_cpu_s"] = round(_harness_cpu() - harness_cpu, 2)
        await _close_all(run, [*phones, fresh, *_staff_of(setup)])
        gc.enable()
        gc.collect()
    report["server"] = _server_figures(sampler)
    report["loadavg_after"] = [round(v, 2) for v in os.getloadavg()]
    return report


# --- Command line ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """The machine and the versions the figures were measured with."""
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {}
    for package in ("websockets", "flask", "flask-sock", "simple-websocket", "gunicorn",
                    "sqlalchemy", "pydantic"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    return {"cpu": model, "nproc": os.cpu_count(), "ram_gib": round(memory, 1),
            "python": platform.python_version(), "kernel": platform.release(),
            "versions": versions}


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.0f}" if value >= 100 else f"{value:.1f}"
    return str(value)


def describe(report: dict[str, Any]) -> str:
    """A French summary of one report, for the terminal."""
    connections = report.get("connections", {})
    lines = [
        f"== {report['target']} — {report['scenario']}, {report['config']['phones']} téléphones "
        f"(charge {report['loadavg_before']} → {report.get('loadavg_after')})",
        f"  connexions : {connections.get('succeeded')} réussies, {connections.get('failed')} "
        f"échouées {connections.get('failures') or ''} en {connections.get('ramp_s')} s ; "
        f"p99 {_fmt((connections.get('connect_ms') or {}).get('p99'))} ms",
    ]
    for round_ in report.get("rounds", []):
        visible, final = round_["visible_ms"], round_["final_everywhere_s"]
        lines.append(
            f"  {round_['step']} : {round_['ballots_acked']}/{round_['ballots_sent']} bulletins "
            f"acquittés, en base {round_.get('stored') or '— (mémoire)'}, décompte juste : "
            f"{round_['tally_matches_acks']} ; vote → projecteur p50 {_fmt(visible['p50'])} "
            f"p95 {_fmt(visible['p95'])} p99 {_fmt(visible['p99'])} max {_fmt(visible['max'])} "
            f"ms ({round_['visible_missing']} jamais vus) ; résultat final sur "
            f"{round_['phones_with_final']}/{round_['phones_live']} téléphones "
            f"{_fmt(final)} s après le dernier vote ; acquittement p99 "
            f"{_fmt(round_['ack_ms']['p99'])} ms ; erreurs {round_['errors'] or 0}"
        )
    if "ideas" in report:
        ideas = report["ideas"]
        lines.append(
            f"  idées : {ideas['acked']}/{ideas['sent']} acquittées, en base "
            f"{ideas.get('stored')}, modérations {ideas['moderations_acked']} ; idée → "
            f"projecteur p50 {_fmt(ideas['visible_ms']['p50'])} p99 "
            f"{_fmt(ideas['visible_ms']['p99'])} max {_fmt(ideas['visible_ms']['max'])} ms ; "
            f"murs identiques à la base : {ideas['phones_wall_equal']}/{ideas['phones_live']}"
        )
    server = report.get("server", {})
    lines.append(
        f"  serveur : CPU {_fmt(server.get('cpu_s_total'))} s (dont connexions "
        f"{_fmt(server.get('cpu_s_connect'))} s), RSS max {_fmt(server.get('peak_rss_mb'))} Mo, "
        f"{server.get('peak_threads')} fils ; banc : CPU {report.get('harness_cpu_s')} s, "
        f"retard de boucle p99 {_fmt(report['loop_lag_ms']['p99'])} ms ; connexions perdues "
        f"{report.get('dropped')}, reconnexions {report.get('reconnects')}, resync "
        f"{report.get('resyncs')}"
    )
    return "\n".join(lines)


def _run_managed(kind: str, scenario: str, config: LoadConfig, workdir: Path) -> dict[str, Any]:
    raise_open_files_limit(4 * config.phones + 1024)
    workdir.mkdir(parents=True, exist_ok=True)
    if kind == "chemins":
        server = start_chemins(workdir, max_connections=config.phones + 50)
    else:
        server = start_reference(workdir)
    runner: Callable[[Target, LoadConfig], Awaitable[dict[str, Any]]] = (
        run_vote if scenario == "vote" else run_brainstorm
    )
    try:
        return asyncio.run(runner(server.target, config))
    finally:
        server.stop()


def wait_for_quiet(threshold: float, timeout: float) -> float:
    """Wait until the 1-minute load average is below ``threshold`` (at most ``timeout`` s).

    The machine is shared and a previous run's thousands of threads weigh on the load
    average for minutes: measuring on a quiet machine makes runs comparable. Returns the
    load average when it stopped waiting.
    """
    deadline = time.monotonic() + timeout
    while os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        time.sleep(5)
    return os.getloadavg()[0]


def _config(args: argparse.Namespace, phones: int) -> LoadConfig:
    return LoadConfig(
        phones=phones, ramp_per_s=args.ramp, window_s=args.window, revote_share=args.revote,
        ranking=not args.no_ranking, ideas_per_phone=args.ideas,
        idea_window_s=args.idea_window, moderations_per_s=args.moderations,
        compression=not args.no_compression, lite_client=not args.websockets_client,
        seed=args.seed,
    )


def main(argv: list[str] | None = None) -> int:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(
        description="Banc de charge des ateliers en direct (protocole de docs/protocol.md)."
    )
    parser.add_argument("scenario", choices=("vote", "brainstorm"), help="scénario à jouer")
    parser.add_argument("--server", choices=("chemins", "reference", "both"), default="both",
                        help="serveur lancé par le banc (défaut : les deux, l'un après l'autre)")
    parser.add_argument("--phones", type=int, nargs="+", default=[100],
                        help="nombres de téléphones, un passage par nombre")
    parser.add_argument("--ramp", type=float, default=100.0,
                        help="connexions ouvertes par seconde (défaut 100)")
    parser.add_argument("--window", type=float, default=5.0,
                        help="fenêtre de vote en secondes (défaut 5)")
    parser.add_argument("--revote", type=float, default=0.25,
                        help="part des téléphones qui revotent (défaut 0,25)")
    parser.add_argument("--no-ranking", action="store_true", help="sans le tour de classement")
    parser.add_argument("--ideas", type=int, default=3, help="idées par téléphone (défaut 3)")
    parser.add_argument("--idea-window", type=float, default=60.0,
                        help="fenêtre du remue-méninges en secondes (défaut 60)")
    parser.add_argument("--moderations", type=float, default=2.0,
                        help="modérations de l'animation par seconde (défaut 2)")
    parser.add_argument("--no-compression", action="store_true",
                        help="sans permessage-deflate (les navigateurs le demandent)")
    parser.add_argument("--websockets-client", action="store_true",
                        help="téléphones sur la bibliothèque websockets (plus lente) au lieu du "
                        "client minimal du banc")
    parser.add_argument("--quiet-load", type=float, default=1.0,
                        help="attendre que la charge moyenne (1 min) passe sous ce seuil avant "
                        "chaque passage (défaut 1 ; 0 : ne pas attendre)")
    parser.add_argument("--quiet-wait", type=float, default=90.0,
                        help="attente maximale de cette accalmie, en secondes (défaut 90)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="écrire les rapports dans ce fichier JSON")
    parser.add_argument("--workdir", type=Path, help="dossier des bases et journaux des serveurs")
    external = parser.add_argument_group("serveur déjà lancé (au lieu de --server)")
    external.add_argument("--url", help="adresse websocket, par exemple ws://127.0.0.1:8000/ws")
    external.add_argument("--code", help="code de l'atelier")
    external.add_argument("--login-link", help="lien de connexion à usage unique de l'animation")
    external.add_argument("--cookie", help="cookie de session de l'animation (au lieu du lien)")
    external.add_argument("--database", type=Path, help="fichier SQLite du serveur (lecture)")
    external.add_argument("--pid", type=int, help="processus du serveur à mesurer")
    args = parser.parse_args(argv)

    results: list[dict[str, Any]] = []
    env = machine()
    print(f"Machine : {env['cpu']}, {env['nproc']} cœurs, {env['ram_gib']} Gio, Python "
          f"{env['python']}, {env['versions']}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="chemins-bench-"))
    try:
        for phones in args.phones:
            config = _config(args, phones)
            if args.url:
                if not args.code:
                    parser.error("--url demande aussi --code")
                raise_open_files_limit(4 * phones + 1024)
                target = Target("externe", args.url, args.code, args.login_link,
                                args.database, args.pid, args.cookie)
                runner = run_vote if args.scenario == "vote" else run_brainstorm
                reports = [asyncio.run(runner(target, config))]
            else:
                kinds = ["reference", "chemins"] if args.server == "both" else [args.server]
                if args.scenario == "brainstorm" and "reference" in kinds:
                    print("Le serveur de référence ne fait pas de remue-méninges : Chemins seul.")
                    kinds = ["chemins"]
                reports = []
                for kind in kinds:
                    time.sleep(2)  # let the previous run's sockets and processes go
                    if args.quiet_load > 0:
                        load = wait_for_quiet(args.quiet_load, args.quiet_wait)
                        print(f"Charge moyenne au départ : {load:.2f}", flush=True)
                    reports.append(_run_managed(kind, args.scenario, config,
                                                workdir / f"{kind}-{phones}"))
            for report in reports:
                report["machine"] = env
                print(describe(report), flush=True)
                results.append(report)
            if args.json:
                args.json.parent.mkdir(parents=True, exist_ok=True)
                args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    except ScenarioError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
