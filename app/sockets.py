"""The ``/ws`` websocket route: parse a message, call one service function, reply.

Each connection gets a :class:`LiveSocket` that reads messages one by one. A message is
parsed by the protocol's one ``TypeAdapter``; the handler for its type calls one
function of :mod:`workshops.service` (which validates with the domain), answers ``ack``
or ``error``, and publishes what changed to the broadcaster, which sends it to the room
at the next tick. A bad message gets an ``error``; nothing a client sends can end the
connection or stop the server.

Messages that write (join, ideas, upvotes, ballots, the facilitator's actions) go through
the database's group-commit writer (``Store.write``): the writes of many connections are
committed together, and the ``ack`` is sent only once the message's own write is on disk.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, current_app, request
from simple_websocket import ConnectionClosed
from sqlalchemy.orm import Session

from app.auth import current_user
from app.extensions import database, live, sock
from app.live import Audience, Broadcaster, Connection
from app.protocol import (
    FACILITATOR_MESSAGES,
    PARTICIPANT_MESSAGES,
    PROTOCOL_VERSION,
    Ack,
    CastBallot,
    ClientMessage,
    CloseStep,
    CloseWorkshop,
    Error,
    GetState,
    Hello,
    IdeaView,
    Join,
    ModerateIdea,
    MyContributions,
    OpenWorkshop,
    ParticipantView,
    Ping,
    Pong,
    PostIdea,
    ProtocolError,
    RevealResults,
    SetResultsVisibility,
    StartStep,
    Upvote,
    WorkshopState,
    dump,
    parse_client_message,
    state_text,
    welcome_text,
)
from workshops import service
from workshops.join_codes import JoinCodeError, check_code
from workshops.service import (
    AlreadyProcessed,
    FacilitatorMessage,
    IdeaRateLimit,
    ServiceError,
)

T = TypeVar("T")

bp = Blueprint("live", __name__)
logger = logging.getLogger(__name__)

TOO_MANY = (
    "Trop de connexions : le serveur est plein. Réessayez dans quelques instants."
)


@bp.before_request
def _refuse_compression() -> None:
    """Leave permessage-deflate out of the handshake unless ``WS_COMPRESSION`` is set.

    ``simple-websocket`` accepts any extension the browser offers; without one, an update
    is framed once and the same bytes go to every phone (see :mod:`app.live.frames`).
    """
    if not current_app.config["WS_COMPRESSION"]:
        request.environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)


@sock.route("/ws", bp=bp)
def live_socket(ws: Any) -> None:
    """One websocket connection: hello first, then any number of messages."""
    hub = live.broadcaster()
    conn = hub.connection(ws)
    if not hub.admit(conn):
        conn.send(dump(Error(code="too_many_connections", message=TOO_MANY)))
        conn.close(1013, "trop de connexions")
        return
    handler = LiveSocket(conn, hub)
    try:
        while conn.alive:
            raw = ws.receive()
            if raw is not None:
                handler.handle(raw)
    except ConnectionClosed:
        pass
    finally:
        hub.release(conn)


class LiveSocket:
    """The server side of one connection: who it is, and one handler per message type."""

    def __init__(self, conn: Connection, hub: Broadcaster) -> None:
        self.conn = conn
        self.hub = hub
        config = current_app.config
        self.max_chars: int = config["MAX_MESSAGE_CHARS"]
        self.idea_limit = IdeaRateLimit(
            max_ideas=config["IDEA_RATE_COUNT"],
            window=dt.timedelta(seconds=config["IDEA_RATE_WINDOW_S"]),
        )
        self.user_id, self.user_name = _logged_in_user()
        self.same_origin = _same_origin()

    # Plumbing ------------------------------------------------------------------------------

    def reply(self, message: Any) -> None:
        """Send one message to this connection only."""
        self.conn.send(dump(message))

    @staticmethod
    def write(work: Callable[[Session], T]) -> T:
        """Run ``work`` in the group-commit writer; its result once it is on disk."""
        return database.store().write(work)

    def error(self, code: str, text: str, client_id: str | None = None) -> None:
        """Send an ``error`` (counted for ``/metrics``)."""
        self.hub.stats.error_sent(code)
        self.reply(Error(code=code, message=text, client_id=client_id))

    def handle(self, raw: str | bytes) -> None:
        """Parse and answer one client message; never raises."""
        try:
            message = parse_client_message(raw, self.max_chars)
        except ProtocolError as problem:
            self.hub.stats.message_received("invalid")
            self.hub.stats.error_sent(problem.code)
            self.reply(problem.to_message())
            return
        except Exception:  # a parser bug must cost one error message, not the connection
            logger.exception("message websocket illisible")
            self.hub.stats.message_received("invalid")
            self.error("invalid_message", "Message illisible : il n'a pas été compris.")
            return
        self.hub.stats.message_received(message.type)
        client_id = getattr(message, "client_id", None)
        try:
            self._dispatch(message)
        except ServiceError as refusal:
            self.error(refusal.code, refusal.message, client_id)
        except AlreadyProcessed as resend:
            self.reply(Ack(client_id=resend.client_id, duplicate=True))
        except Exception:  # any bug must cost one error message, not the connection
            logger.exception("message websocket non traité : %s", message.type)
            self.error(
                "internal_error",
                "Erreur du serveur : rien n'a été enregistré. Réessayez dans un instant.",
                client_id,
            )

    def _dispatch(self, message: ClientMessage) -> None:
        kind = message.type
        client_id = getattr(message, "client_id", None)
        if kind in FACILITATOR_MESSAGES and self.conn.audience != "facilitator":
            self.error("forbidden", "Seul l'animateur peut faire cela.", client_id)
            return
        if kind != "hello" and kind != "ping" and self.conn.workshop_id is None:
            self.error("hello_first", "Envoyez d'abord « hello ».", client_id)
            return
        if kind in PARTICIPANT_MESSAGES and self.conn.participant_token is None:
            self.error("not_joined", "Rejoignez l'atelier avant de participer.", client_id)
            return
        _HANDLERS[kind](self, message)

    @property
    def workshop_id(self) -> int:
        """The workshop of this connection (after ``hello``)."""
        assert self.conn.workshop_id is not None  # checked by _dispatch
        return self.conn.workshop_id

    def facilitator_message(self, client_id: str) -> FacilitatorMessage:
        """The deduplication key of a facilitator's message."""
        assert self.user_id is not None  # facilitators are logged in
        return FacilitatorMessage(user_id=self.user_id, client_id=client_id)

    def current_state(
        self, *, joined: ParticipantView | None = None
    ) -> tuple[int, str, ParticipantView | None]:
        """The sequence number, the full state (JSON) and the participant of this connection.

        A phone's state is the room's shared part — read and serialised once per update
        for every phone of the room (a wave of connections reads it once, not once per
        phone) — plus its own ``me``. ``joined`` is a participant created just now: it
        has given nothing yet, so nothing of its own is read. The sequence number is
        taken before anything is read: updates numbered after it never hold older data.
        """
        audience = self.conn.audience
        assert audience is not None
        workshop_id = self.workshop_id
        token = self.conn.participant_token
        room = self.hub.room(workshop_id)
        seq = room.current_seq()
        if audience != "phone":
            with database.read_session() as db:
                participant = service.participant_of(db, workshop_id, token)
            state = self._read_state(workshop_id, audience, token)
            return seq, state.model_dump_json(), _participant_view(participant)
        shared = room.shared_state(seq, lambda: self._read_state(workshop_id, "phone"))
        if joined is not None:
            fresh = shared.state.model_copy(update={"me": MyContributions()})
            return seq, fresh.model_dump_json(), joined
        if token is None:
            return seq, shared.json, None
        with database.read_session() as db:
            participant = service.participant_of(db, workshop_id, token)
            me = service.contributions(db, workshop_id, token)
            mine = service.own_ideas(db, workshop_id, token) if me is not None else []
        if me is None:
            return seq, shared.json, _participant_view(participant)
        # The phone's own contributions are read fresh: what it was told was recorded is
        # in its state, even if the room's shared part is a tick old.
        wall = {idea.id: idea for idea in shared.state.ideas}
        wall.update((view["id"], IdeaView(**view)) for view in mine)
        state = shared.state.model_copy(update={
            "me": MyContributions.model_validate(me),
            "ideas": sorted(wall.values(), key=lambda idea: int(idea.id)),
        })
        return seq, state.model_dump_json(), _participant_view(participant)

    def _read_state(
        self, workshop_id: int, audience: Audience, token: str | None = None
    ) -> WorkshopState:
        with database.read_session() as db:
            state = service.workshop_state(
                db, workshop_id, audience=audience, participant_token=token,
                phones=self.hub.phones(workshop_id),
            )
        return WorkshopState.model_validate(state)

    def send_welcome(self, *, start: bool, joined: ParticipantView | None = None) -> None:
        """Send ``welcome`` with the full state (and the held-back updates if ``start``)."""
        audience = self.conn.audience
        assert audience is not None
        seq, state, participant = self.current_state(joined=joined)
        text = welcome_text(audience, participant, seq, state)
        if start:
            self.conn.start(text, seq)
        else:
            self.conn.send(text)

    # Handlers ------------------------------------------------------------------------------

    def on_hello(self, message: Hello) -> None:
        """Identify the client and its workshop; answer ``welcome`` with the full state."""
        if message.protocol != PROTOCOL_VERSION:
            self.error(
                "protocol_version",
                f"Version du protocole non prise en charge ({message.protocol}) : le serveur "
                f"parle la version {PROTOCOL_VERSION}. Rechargez la page.",
            )
            return
        audience: Audience = message.role
        if audience != "phone":
            if self.user_id is None:
                self.error(
                    "login_required",
                    "Connectez-vous comme animateur pour ouvrir cette vue.",
                )
                return
            if not self.same_origin:
                self.error("forbidden", "Connexion refusée : elle ne vient pas de ce site.")
                return
        with database.read_session() as db:
            workshop_id = self._workshop_of(db, message)
            if audience == "phone":
                service.admits(db, workshop_id)
            token = message.token if audience == "phone" else None
            known = service.participant_of(db, workshop_id, token) if token else None
        self.conn.hold()
        self.conn.participant_token = known.token if known is not None else None
        self.conn.user_id = self.user_id
        self.conn.user_name = self.user_name
        self.hub.enter(self.conn, workshop_id, audience)
        self.send_welcome(start=True)

    def _workshop_of(self, db: Any, message: Hello) -> int:
        if message.code is not None:
            try:
                code = check_code(message.code)
            except JoinCodeError as problem:
                raise ServiceError("bad_code", str(problem)) from None
            return service.workshop_id_for_code(db, code)
        workshop_id = int(message.workshop_id) if (message.workshop_id or "").isdigit() else 0
        service.get_workshop(db, workshop_id)  # unknown_workshop if none
        return workshop_id

    def on_join(self, message: Join) -> None:
        """Become a participant (or update one's nickname and collège)."""
        if self.conn.audience != "phone":
            self.error("forbidden", "Seuls les téléphones rejoignent un atelier.",
                       message.client_id)
            return
        outcome = self.write(
            partial(
                service.join, workshop_id=self.workshop_id, token=self.conn.participant_token,
                nickname=message.nickname, group=message.group or None,
                client_id=message.client_id,
            )
        )
        fresh = self.conn.participant_token is None and not outcome.duplicate
        self.conn.participant_token = outcome.participant.token
        self.reply(Ack(client_id=message.client_id, duplicate=outcome.duplicate))
        live.publish(outcome.changes)
        joined = _participant_view(outcome.participant) if fresh else None
        self.send_welcome(start=False, joined=joined)

    def on_post_idea(self, message: PostIdea) -> None:
        """Post an idea in the running brainstorm."""
        assert self.conn.participant_token is not None
        ack = self.write(
            partial(
                service.post_idea, workshop_id=self.workshop_id,
                participant_token=self.conn.participant_token, step_id=message.step_id,
                column=message.column, text=message.text, client_id=message.client_id,
                limit=self.idea_limit,
            )
        )
        self._acknowledge(ack)

    def on_upvote(self, message: Upvote) -> None:
        """Support an idea (or withdraw one's support)."""
        assert self.conn.participant_token is not None
        ack = self.write(
            partial(
                service.upvote, workshop_id=self.workshop_id,
                participant_token=self.conn.participant_token, idea_id=message.idea_id,
                client_id=message.client_id, withdraw=message.withdraw,
            )
        )
        self._acknowledge(ack)

    def on_cast_ballot(self, message: CastBallot) -> None:
        """Cast or replace a ballot on the running step."""
        assert self.conn.participant_token is not None
        ack = self.write(
            partial(
                service.cast_ballot, workshop_id=self.workshop_id,
                participant_token=self.conn.participant_token, step_id=message.step_id,
                ballot=message.ballot, client_id=message.client_id,
            )
        )
        self._acknowledge(ack)

    def _acknowledge(self, ack: service.Ack) -> None:
        self.reply(Ack(client_id=ack.client_id, duplicate=ack.duplicate, idea_id=ack.idea_id))
        if not ack.duplicate and ack.changes is not None:
            # Only a ballot changes a step's results; only a new idea carries an idea id.
            if ack.changes.results:
                self.hub.stats.ballot_acknowledged()
            elif ack.idea_id is not None:
                self.hub.stats.idea_posted()
        live.publish(ack.changes)

    def on_get_state(self, message: GetState) -> None:
        """Send the full state again."""
        seq, state, _ = self.current_state()
        self.conn.send(state_text(seq, state))

    def on_ping(self, message: Ping) -> None:
        """Answer ``pong``."""
        self.reply(Pong(nonce=message.nonce))

    def on_start_step(self, message: StartStep) -> None:
        """Facilitator: start a step."""
        workshop = self.write(
            partial(
                service.start_step, workshop_id=self.workshop_id, step_id=message.step_id,
                message=self.facilitator_message(message.client_id),
            )
        )
        self.reply(Ack(client_id=message.client_id))
        live.publish(service.everything_changed(workshop))

    def on_close_step(self, message: CloseStep) -> None:
        """Facilitator: close the running step and write its result into the model."""
        workshop_id = self.workshop_id
        close = partial(
            service.close_step, workshop_id=workshop_id, step_id=message.step_id,
            author=self.user_name, chosen_idea_ids=message.idea_ids,
            write_back=message.write_back,
            message=self.facilitator_message(message.client_id),
        )
        outcome, workshop = self.write(
            lambda db: (close(db), service.get_workshop(db, workshop_id))
        )
        self.reply(Ack(client_id=message.client_id, detail=outcome.text))
        live.publish(service.everything_changed(workshop))

    def on_moderate_idea(self, message: ModerateIdea) -> None:
        """Facilitator: hide, edit, merge, move or cluster an idea."""
        changes = self.write(
            partial(
                service.moderate_idea, workshop_id=self.workshop_id,
                action=message.moderation.model_dump(),
                message=self.facilitator_message(message.client_id),
            )
        )
        self.reply(Ack(client_id=message.client_id))
        live.publish(changes)

    def on_open_workshop(self, message: OpenWorkshop) -> None:
        """Facilitator: open the workshop to participants."""
        workshop = self.write(
            partial(
                service.open_workshop, workshop_id=self.workshop_id,
                message=self.facilitator_message(message.client_id),
            )
        )
        self.reply(Ack(client_id=message.client_id))
        live.publish(service.everything_changed(workshop))

    def on_close_workshop(self, message: CloseWorkshop) -> None:
        """Facilitator: end the workshop."""
        workshop = self.write(
            partial(
                service.close_workshop, workshop_id=self.workshop_id,
                message=self.facilitator_message(message.client_id),
            )
        )
        self.reply(Ack(client_id=message.client_id))
        live.publish(service.everything_changed(workshop))

    def on_reveal_results(self, message: RevealResults) -> None:
        """Facilitator: show a vote step's results to phones and projector."""
        changes = self.write(
            partial(
                service.reveal_results, workshop_id=self.workshop_id, step_id=message.step_id,
                message=self.facilitator_message(message.client_id),
            )
        )
        self.reply(Ack(client_id=message.client_id))
        live.publish(changes)

    def on_set_results_visibility(self, message: SetResultsVisibility) -> None:
        """Facilitator: choose when phones and projector see a vote step's results."""
        changes = self.write(
            partial(
                service.set_results_visibility, workshop_id=self.workshop_id,
                step_id=message.step_id, chosen=message.visibility,
                message=self.facilitator_message(message.client_id),
            )
        )
        self.reply(Ack(client_id=message.client_id))
        live.publish(changes)


_HANDLERS: dict[str, Callable[[LiveSocket, Any], None]] = {
    "hello": LiveSocket.on_hello,
    "join": LiveSocket.on_join,
    "post_idea": LiveSocket.on_post_idea,
    "upvote": LiveSocket.on_upvote,
    "cast_ballot": LiveSocket.on_cast_ballot,
    "get_state": LiveSocket.on_get_state,
    "ping": LiveSocket.on_ping,
    "start_step": LiveSocket.on_start_step,
    "close_step": LiveSocket.on_close_step,
    "moderate_idea": LiveSocket.on_moderate_idea,
    "open_workshop": LiveSocket.on_open_workshop,
    "close_workshop": LiveSocket.on_close_workshop,
    "reveal_results": LiveSocket.on_reveal_results,
    "set_results_visibility": LiveSocket.on_set_results_visibility,
}


def _participant_view(participant: Any) -> ParticipantView | None:
    """What a phone is told of the participant it is (``None`` before it joins)."""
    if participant is None:
        return None
    return ParticipantView(
        token=participant.token, nickname=participant.nickname, group=participant.group
    )


def _logged_in_user() -> tuple[int | None, str | None]:
    """The facilitator logged in on the handshake's session cookie, if any."""
    user = current_user()
    return (user.id, user.name) if user is not None else (None, None)


def _same_origin() -> bool:
    """Whether a browser's handshake comes from a page of this site (no Origin: not a browser).

    Browsers send the session cookie with a websocket opened by any site: without this
    check another site could drive the console of a logged-in facilitator.
    """
    origin = request.headers.get("Origin")
    if not origin:
        return True
    return urlsplit(origin).netloc.lower() == request.host.lower()
