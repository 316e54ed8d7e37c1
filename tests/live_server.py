"""Drive the real server from tests: start and stop it, facilitators and phones.

:class:`LiveServer` runs ``chemins serve`` (gunicorn, as ``make serve`` does) in a
subprocess on 127.0.0.1 with its own instance folder. :class:`PhoneActions` is a real
websocket client speaking only ``docs/protocol.md``; :class:`FacilitatorActions` logs in
through the one-time link the server prints, creates workshops through the console's
form and runs them through the facilitator websocket. Every wait has a timeout and
fails with what was received instead, so a broken server fails a test, never hangs it.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from workshops.model import Step
from workshops.store import Store

TIMEOUT = 15.0
"""Seconds any single wait may take before the test fails (a hung server, not slowness)."""

Message = dict[str, Any]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def chemins_command() -> list[str]:
    """The ``chemins`` entry point of the running interpreter's environment."""
    script = Path(sys.executable).parent / "chemins"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from app.cli import main; main()"]


@dataclass
class LiveServer:
    """``chemins serve`` in a subprocess; :meth:`start`, :meth:`kill`, :meth:`stop`.

    The instance folder (SQLite database, secret key) outlives restarts, so a test can
    kill the server and start it again on the same database.
    """

    instance: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    login_link: str = ""
    demo_code: str = ""
    starts: int = 0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """The websocket address."""
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def database_url(self) -> str:
        """The database the server uses (``env["DATABASE_URL"]``, else its SQLite file)."""
        return self.env.get("DATABASE_URL") or f"sqlite:///{self.instance / 'chemins.sqlite3'}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self.instance.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        output = self.instance / f"serve-{self.starts}.log"
        env = {
            **os.environ,
            "CHEMINS_INSTANCE_PATH": str(self.instance),
            "CHEMINS_MAX_CONNECTIONS": "200",
            "CHEMINS_HTTP_THREADS": "16",
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        if "DATABASE_URL" not in self.env:  # the instance's SQLite file, not the caller's
            env.pop("DATABASE_URL", None)
        with output.open("wb") as log:
            self.process = subprocess.Popen(
                [*chemins_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # its own process group: kill() reaches the worker
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"le serveur s'est arrêté :\n{output.read_text()}")
            if _accepts(self.port):
                break
            time.sleep(0.1)
        else:
            self.kill()
            raise RuntimeError(f"le serveur ne répond pas :\n{output.read_text()}")
        text = output.read_text(encoding="utf-8")
        link = re.search(r"(http://\S+/auth/lien/\S+)", text)
        code = re.search(r"\(code ([A-Z0-9]{6})\)", text)
        self.login_link = link.group(1) if link else ""
        self.demo_code = code.group(1) if code else ""

    def kill(self) -> None:
        """Kill the server and its worker at once (SIGKILL), as a crash would."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=TIMEOUT)
        self.process = None
        _wait_closed(self.port)

    def stop(self) -> None:
        """Stop the server as Ctrl+C would, then make sure nothing is left."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def store(self) -> Store:
        """A connection to the server's database, as another process would open one."""
        return Store.open(self.database_url, pool_size=2)

    @contextmanager
    def database(self) -> Iterator[Any]:
        """A write session on the server's database (closed afterwards)."""
        store = self.store()
        try:
            with store.session() as session:
                yield session
        finally:
            store.dispose()


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait_closed(port: int) -> None:
    deadline = time.monotonic() + TIMEOUT
    while _accepts(port) and time.monotonic() < deadline:
        time.sleep(0.05)


class ProtocolFailure(AssertionError):
    """A wait that timed out, with what the client received meanwhile."""


class WebsocketClient:
    """A websocket client keeping every message it receives, with waits that time out."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = headers or {}
        self.received: list[Message] = []
        self.last_seq = 0
        self.stale = 0
        self.current_step: Message | None = None
        self.wall: dict[str, Message] = {}
        self.results: dict[str, Message] = {}
        self.ws: ClientConnection | None = None
        self.open()

    def open(self) -> None:
        """(Re)connect."""
        connection = connect(
            self.url, additional_headers=self.headers, proxy=None, max_queue=None,
            open_timeout=TIMEOUT,
        )
        # Entered as a context manager (websockets ≥ 17.1 warns otherwise); left by close().
        self.ws = connection.__enter__()

    def close(self) -> None:
        """Close the connection (quietly if it is already closed)."""
        if self.ws is not None:
            self.ws.close()

    def send(self, message: Message | str | bytes) -> None:
        """Send a message (a dict as JSON; text or bytes as they are)."""
        assert self.ws is not None
        self.ws.send(message if isinstance(message, str | bytes) else json.dumps(message))

    def _receive(self, timeout: float) -> Message | None:
        assert self.ws is not None
        try:
            text = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return None
        message = json.loads(text)
        self.received.append(message)
        self.apply(message)
        return message

    def apply(self, message: Message) -> None:
        """Update what this client shows, as ``docs/protocol.md`` tells a client to."""
        kind = message.get("type")
        if kind in ("welcome", "state"):
            state = message["state"]
            self.last_seq = message["seq"]
            self.current_step = state["current_step"]
            self.wall = {idea["id"]: idea for idea in state["ideas"]}
            if state["results"] is not None:
                self.results[state["results"]["step_id"]] = state["results"]
            return
        if "seq" not in message:
            return
        if message["seq"] <= self.last_seq:
            self.stale += 1  # older than what is shown: dropped
            return
        self.last_seq = message["seq"]
        if kind == "step_changed":
            before = (self.current_step or {}).get("id")
            self.current_step = message["current_step"]
            if (self.current_step or {}).get("id") != before:
                self.wall = {}
        elif kind == "results":
            self.results[message["step_id"]] = message["tally"]
        elif kind == "ideas_delta" and message["step_id"] == (self.current_step or {}).get("id"):
            for idea in message["added"] + message["changed"]:
                self.wall[idea["id"]] = idea
            for idea_id in message["removed"]:
                self.wall.pop(idea_id, None)

    def wait_until(
        self, condition: Callable[[], bool], what: str, timeout: float = TIMEOUT
    ) -> None:
        """Read messages until ``condition()`` holds for what this client shows."""
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProtocolFailure(f"pas de {what} en {timeout} s")
            try:
                self._receive(min(left, 0.5))
            except ConnectionClosed as closed:
                raise ProtocolFailure(f"connexion fermée en attendant {what} : {closed}") from None

    def wait_for(
        self, predicate: Callable[[Message], bool], what: str, timeout: float = TIMEOUT
    ) -> Message:
        """The first message (already received or arriving) that satisfies ``predicate``."""
        for message in self.received:
            if predicate(message):
                self.received.remove(message)
                return message
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self._receive(left)
            except ConnectionClosed as closed:
                raise ProtocolFailure(f"connexion fermée en attendant {what} : {closed}") from None
            if message is not None and predicate(message):
                self.received.remove(message)
                return message
        kinds = [m.get("type") for m in self.received[-20:]]
        raise ProtocolFailure(f"pas de {what} en {timeout} s ; reçu : {kinds}")

    def drain(self) -> None:
        """Read whatever is waiting, without blocking."""
        while self._receive(0.0) is not None:
            pass

    def request(self, message: Message) -> Message:
        """Send a state-changing message; its ``ack`` (or ``error``) for its ``client_id``."""
        message = {"client_id": str(uuid.uuid4()), **message}
        self.send(message)
        return self.reply_to(message["client_id"])

    def reply_to(self, client_id: str) -> Message:
        """The ``ack`` or ``error`` answering ``client_id``."""
        return self.wait_for(
            lambda m: m.get("type") in ("ack", "error") and m.get("client_id") == client_id,
            f"réponse à {client_id}",
        )


class PhoneActions(WebsocketClient):
    """A participant's phone: hello, join, ideas, upvotes, ballots, results."""

    def __init__(self, server: LiveServer, code: str, token: str | None = None) -> None:
        self.server = server
        self.code = code
        self.token = token
        self.welcome: Message = {}
        super().__init__(server.ws_url)
        self.hello()

    def hello(self) -> Message:
        """Send ``hello`` (with the token, if any) and wait for ``welcome``."""
        message: Message = {"type": "hello", "protocol": 1, "role": "phone", "code": self.code}
        if self.token:
            message["token"] = self.token
        self.send(message)
        self.welcome = self.wait_for(lambda m: m["type"] in ("welcome", "error"), "welcome")
        if self.welcome["type"] == "error":
            raise ProtocolFailure(f"hello refusé : {self.welcome}")
        return self.welcome

    def reconnect(self) -> Message:
        """Reconnect after a drop and say hello again (same token)."""
        self.close()
        self.received.clear()
        self.open()
        return self.hello()

    @property
    def state(self) -> Message:
        """The state of the last ``welcome``."""
        return self.welcome["state"]

    def join(self, nickname: str | None = None, group: str | None = None) -> str:
        """Join the workshop; return the participant token."""
        client_id = str(uuid.uuid4())
        self.send({"type": "join", "client_id": client_id, "nickname": nickname, "group": group})
        reply = self.reply_to(client_id)
        if reply["type"] != "ack":
            raise ProtocolFailure(f"join refusé : {reply}")
        self.welcome = self.wait_for(
            lambda m: m["type"] == "welcome" and m["participant"] is not None, "welcome"
        )
        self.token = self.welcome["participant"]["token"]
        assert self.token is not None
        return self.token

    def post_idea(self, step_id: str, column: str, text: str) -> str:
        """Post an idea; return its id."""
        reply = self.request(
            {"type": "post_idea", "step_id": step_id, "column": column, "text": text}
        )
        if reply["type"] != "ack":
            raise ProtocolFailure(f"idée refusée : {reply}")
        return str(reply["idea_id"])

    def upvote(self, idea_id: str) -> Message:
        """Upvote an idea; the ack (or error)."""
        return self.request({"type": "upvote", "idea_id": idea_id})

    def cast_ballot(self, step_id: str, ballot: Message, client_id: str | None = None) -> Message:
        """Cast a ballot; the ack (or error)."""
        message: Message = {"type": "cast_ballot", "step_id": step_id, "ballot": ballot}
        if client_id is not None:
            message["client_id"] = client_id
        return self.request(message)

    def wait_results(
        self, step_id: str, predicate: Callable[[Message], bool], timeout: float = TIMEOUT
    ) -> Message:
        """The first ``results`` of ``step_id`` whose tally satisfies ``predicate``."""
        return self.wait_for(
            lambda m: m["type"] == "results" and m["step_id"] == step_id
            and predicate(m["tally"]),
            f"résultats de {step_id}",
            timeout,
        )

    def wait_step(self, step_id: str, status: str) -> Message:
        """The ``step_changed`` showing ``step_id`` with ``status``."""
        return self.wait_for(
            lambda m: m["type"] == "step_changed"
            and (m["current_step"] or {}).get("id") == step_id
            and m["current_step"]["status"] == status,
            f"étape {step_id} {status}",
        )


class FacilitatorActions:
    """The facilitator: logs in by the one-time link, creates and runs workshops."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.cookies = http.cookiejar.CookieJar()
        self.http = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.cookies)
        )
        self.socket: WebsocketClient | None = None
        self.workshop_id: int | None = None

    def get(self, path: str) -> tuple[str, str]:
        """GET a page; ``(final url, body)``."""
        with self.http.open(self.server.base_url + path, timeout=TIMEOUT) as response:
            return response.geturl(), response.read().decode("utf-8")

    def post_form(self, path: str, fields: dict[str, Any]) -> tuple[str, str]:
        """POST a console form with the CSRF token of its page; ``(final url, body)``."""
        _, page = self.get(path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token is not None, f"pas de jeton CSRF sur {path}"
        data = urllib.parse.urlencode({"csrf_token": token.group(1), **fields}).encode()
        with self.http.open(self.server.base_url + path, data=data, timeout=TIMEOUT) as response:
            return response.geturl(), response.read().decode("utf-8")

    def log_in(self) -> None:
        """Open the one-time link the server printed (this sets the session cookie)."""
        assert self.server.login_link, "le serveur n'a pas affiché de lien de connexion"
        url, _ = self.get(self.server.login_link.removeprefix(self.server.base_url))
        assert "/console" in url, f"connexion refusée : {url}"

    @property
    def cookie_header(self) -> str:
        """The session cookie, for the websocket handshake."""
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies)

    def project_id(self, slug: str) -> int:
        """The row id of a project loaded in the server's database."""
        from workshops.store import find_project

        with self.server.database() as session:
            row = find_project(session, slug)
            assert row is not None, f"projet {slug} absent"
            return row.id

    def create_workshop(self, project_id: int, title: str) -> int:
        """Create a workshop through the console's form; return its id."""
        url, _ = self.post_form(
            "/console/ateliers/nouveau", {"project": project_id, "title": title}
        )
        found = re.search(r"/console/ateliers/(\d+)", url)
        assert found, f"atelier non créé : {url}"
        self.workshop_id = int(found.group(1))
        return self.workshop_id

    def add_steps(self, steps: list[Step]) -> None:
        """Add prepared steps (the console's step forms are the pages' tests' business)."""
        from workshops import service

        assert self.workshop_id is not None
        with self.server.database() as session:
            for step in steps:
                service.add_step(session, self.workshop_id, step)

    def run_step(self, step: Step, title: str) -> str:
        """A new workshop of the demo project running ``step`` alone; its join code.

        The facilitator's websocket stays open on it (``close()`` it before a test whose
        pages connect the console themselves, if they must be alone).
        """
        from theory_of_change.demo import demo_project

        self.create_workshop(self.project_id(demo_project().id), title)
        self.add_steps([step])
        code = str(self.connect()["state"]["workshop"]["code"])
        self.open_workshop()
        self.start_step(step.id)
        return code

    def connect(self, workshop_id: int | None = None) -> Message:
        """Open the facilitator websocket on a workshop; the ``welcome``."""
        workshop_id = workshop_id or self.workshop_id
        self.socket = WebsocketClient(self.server.ws_url, {"Cookie": self.cookie_header})
        self.socket.send(
            {"type": "hello", "protocol": 1, "role": "facilitator", "workshop_id": str(workshop_id)}
        )
        return self.socket.wait_for(lambda m: m["type"] in ("welcome", "error"), "welcome")

    def act(self, message: Message) -> Message:
        """Send a facilitator message; its ``ack`` (fails on an ``error``)."""
        assert self.socket is not None
        reply = self.socket.request(message)
        if reply["type"] != "ack":
            raise ProtocolFailure(f"{message['type']} refusé : {reply}")
        return reply

    def open_workshop(self) -> Message:
        """Open the workshop to phones."""
        return self.act({"type": "open_workshop"})

    def start_step(self, step_id: str) -> Message:
        """Start a step."""
        return self.act({"type": "start_step", "step_id": step_id})

    def close_step(self, step_id: str, idea_ids: list[str] | None = None) -> Message:
        """Close a step (writing its result into the model); the ack with ``detail``."""
        return self.act({"type": "close_step", "step_id": step_id, "idea_ids": idea_ids or []})

    def moderate(self, action: str, idea_id: str, **fields: Any) -> Message:
        """One moderation action on an idea."""
        return self.act(
            {"type": "moderate_idea", "moderation": {"action": action, "idea_id": idea_id,
                                                       **fields}}
        )

    def close(self) -> None:
        """Close the websocket."""
        if self.socket is not None:
            self.socket.close()
