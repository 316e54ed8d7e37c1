"""The websocket protocol of live workshops: every message, both directions.

Each message is a JSON object whose ``type`` names it; each type is a pydantic model here
and the two unions (:data:`ClientMessage`, :data:`ServerMessage`) are discriminated on
``type`` and parsed by one ``TypeAdapter`` each. ``docs/protocol.md`` documents the same
messages for whoever writes a client; ``tests/test_protocol_*.py`` keeps the two in step.

Domain objects cross the wire as the workshops domain defines them: a ballot is a
:data:`workshops.model.Ballot`, a step a :data:`workshops.model.Step`, a result a
:data:`workshops.tallies.StepResult`. Nothing here holds a business rule: the models only
bound sizes and shapes so that a bad message is refused before it reaches the service.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from workshops.model import (
    NICKNAME_MAX_LENGTH,
    Ballot,
    ItemId,
    ParticipantGroup,
    ResultsVisibility,
    Step,
    StepKind,
    StepStatus,
    Token,
    WorkshopStatus,
)
from workshops.tallies import MergedIdea, StepResult

PROTOCOL_VERSION = 1
"""Bumped on any change a client written for the previous version would not understand."""

MAX_MESSAGE_CHARS = 16_384
"""Default ceiling of one client message; the ``MAX_MESSAGE_CHARS`` setting overrides it."""

IDEA_TEXT_MAX_CHARS = 280
CLUSTER_MAX_CHARS = 80

ClientId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]
"""Chosen by the client for each message that changes state (a uuid): a resend is counted once."""

Role = Literal["phone", "projector", "facilitator"]
Seq = Annotated[int, Field(ge=0)]
JoinCodeText = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Nickname = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=NICKNAME_MAX_LENGTH)
]
GroupId = Annotated[str, StringConstraints(min_length=1, max_length=80)]
IdeaText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=IDEA_TEXT_MAX_CHARS)
]
ClusterLabel = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=CLUSTER_MAX_CHARS)
]


class Message(BaseModel):
    """Base of every message: unknown fields are refused, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- Client → server --------------------------------------------------------------------


class Hello(Message):
    """First message of every connection: who is speaking, about which workshop."""

    type: Literal["hello"] = "hello"
    protocol: int
    role: Role = "phone"
    code: JoinCodeText | None = Field(default=None, description="Join code, as typed.")
    workshop_id: ItemId | None = None
    token: Token | None = Field(default=None, description="Participant token kept by the phone.")
    last_seq: Seq | None = None

    @model_validator(mode="after")
    def _one_workshop(self) -> Hello:
        if (self.code is None) == (self.workshop_id is None):
            raise ValueError("indiquez soit « code », soit « workshop_id »")
        return self


class Join(Message):
    """Become a participant (or update one's nickname and collège)."""

    type: Literal["join"] = "join"
    client_id: ClientId
    nickname: Nickname | None = None
    group: GroupId | None = None


class PostIdea(Message):
    """Post an idea in a column of the running brainstorm."""

    type: Literal["post_idea"] = "post_idea"
    client_id: ClientId
    step_id: ItemId
    column: ItemId
    text: IdeaText


class Upvote(Message):
    """Support an idea (once per participant and idea); ``withdraw`` takes it back."""

    type: Literal["upvote"] = "upvote"
    client_id: ClientId
    idea_id: ItemId
    withdraw: bool = False


class CastBallot(Message):
    """Vote on the running step; voting again replaces the ballot until the step closes."""

    type: Literal["cast_ballot"] = "cast_ballot"
    client_id: ClientId
    step_id: ItemId
    ballot: Ballot


class GetState(Message):
    """Ask for the full state again (after a ``resync``, or whenever in doubt)."""

    type: Literal["get_state"] = "get_state"


class Ping(Message):
    """Keep-alive; answered by ``pong`` with the same ``nonce``."""

    type: Literal["ping"] = "ping"
    nonce: Annotated[str, StringConstraints(max_length=64)] | None = None


class StartStep(Message):
    """Facilitator: open a pending step and show it on every phone."""

    type: Literal["start_step"] = "start_step"
    client_id: ClientId
    step_id: ItemId


class CloseStep(Message):
    """Facilitator: close the running step and write its outcome into the model.

    ``idea_ids`` are the ideas the facilitator turns into model nodes when closing a
    brainstorm whose write-back asks for it; other steps ignore them. ``write_back:
    false`` closes the step without writing anything into the model.
    """

    type: Literal["close_step"] = "close_step"
    client_id: ClientId
    step_id: ItemId
    idea_ids: list[ItemId] = Field(default_factory=list, max_length=100)
    write_back: bool = True


class HideIdea(Message):
    """Take an idea off the wall (it is kept, and can be shown again)."""

    action: Literal["hide"] = "hide"
    idea_id: ItemId


class UnhideIdea(Message):
    """Show a hidden idea again."""

    action: Literal["unhide"] = "unhide"
    idea_id: ItemId


class EditIdea(Message):
    """Rewrite an idea's text (spelling, clarity)."""

    action: Literal["edit"] = "edit"
    idea_id: ItemId
    text: IdeaText


class MergeIdea(Message):
    """Fold a duplicate into another idea: its upvotes join the target's."""

    action: Literal["merge"] = "merge"
    idea_id: ItemId
    into: ItemId


class UnmergeIdea(Message):
    """Undo a merge: the idea shows again on its own, with its own upvotes."""

    action: Literal["unmerge"] = "unmerge"
    idea_id: ItemId


class MoveIdea(Message):
    """Move an idea to another column of the same brainstorm."""

    action: Literal["move"] = "move"
    idea_id: ItemId
    column: ItemId


class ClusterIdea(Message):
    """Put an idea in a named cluster of its column (``cluster: null`` takes it out)."""

    action: Literal["cluster"] = "cluster"
    idea_id: ItemId
    cluster: ClusterLabel | None


Moderation = Annotated[
    HideIdea | UnhideIdea | EditIdea | MergeIdea | UnmergeIdea | MoveIdea | ClusterIdea,
    Field(discriminator="action"),
]


class ModerateIdea(Message):
    """Facilitator: one moderation action on an idea of the wall."""

    type: Literal["moderate_idea"] = "moderate_idea"
    client_id: ClientId
    moderation: Moderation


class OpenWorkshop(Message):
    """Facilitator: open the workshop; its join code now admits participants."""

    type: Literal["open_workshop"] = "open_workshop"
    client_id: ClientId


class CloseWorkshop(Message):
    """Facilitator: end the workshop; its join code no longer admits anyone."""

    type: Literal["close_workshop"] = "close_workshop"
    client_id: ClientId


class RevealResults(Message):
    """Facilitator: show a vote step's results to phones and projector (running or closed).

    Revealing results already revealed changes nothing. See « Affichage des résultats ».
    """

    type: Literal["reveal_results"] = "reveal_results"
    client_id: ClientId
    step_id: ItemId


class SetResultsVisibility(Message):
    """Facilitator: when phones and projector see a vote step's results.

    ``live``, ``after_vote`` or ``on_reveal``; before the step is launched or while it runs.
    """

    type: Literal["set_results_visibility"] = "set_results_visibility"
    client_id: ClientId
    step_id: ItemId
    visibility: ResultsVisibility


ClientMessage = Annotated[
    Hello
    | Join
    | PostIdea
    | Upvote
    | CastBallot
    | GetState
    | Ping
    | StartStep
    | CloseStep
    | ModerateIdea
    | OpenWorkshop
    | CloseWorkshop
    | RevealResults
    | SetResultsVisibility,
    Field(discriminator="type"),
]
CLIENT_MESSAGE_ADAPTER: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)

FACILITATOR_MESSAGES: frozenset[str] = frozenset(
    {
        "start_step", "close_step", "moderate_idea", "open_workshop", "close_workshop",
        "reveal_results", "set_results_visibility",
    }
)
"""Message types only a logged-in facilitator may send; a phone gets ``forbidden``."""

PARTICIPANT_MESSAGES: frozenset[str] = frozenset({"post_idea", "upvote", "cast_ballot"})
"""Message types that need a participant (a phone that has joined)."""


# --- Views: what the server shows of the domain ------------------------------------------


class WorkshopView(Message):
    """The workshop as every client sees it."""

    id: str
    title: str
    code: str
    status: WorkshopStatus
    groups: list[ParticipantGroup]


class StepSummary(Message):
    """One line of the step list: enough for the console's plan and the phones' header.

    ``results_visibility`` and ``results_revealed`` say when a vote step's results are
    shown (``None`` and ``false`` for a brainstorm, whose wall is always shown).
    """

    id: str
    title: str
    kind: StepKind
    status: StepStatus
    results_visibility: ResultsVisibility | None = None
    results_revealed: bool = False


class IdeaView(Message):
    """An idea of the wall, without its author or its upvoters (they stay anonymous).

    ``upvotes`` counts the supporters of the idea and of the ideas merged into it.
    Phones and projector only ever see visible ideas; the facilitator also sees hidden
    and merged ones (``hidden``, ``merged_into``).
    """

    id: str
    step_id: str
    column: str
    text: str
    upvotes: int
    cluster: str | None = None
    merged: list[MergedIdea] = Field(default_factory=list)
    hidden: bool = False
    merged_into: str | None = None


class ParticipantView(Message):
    """The participant this phone is: keep ``token`` to stay the same person."""

    token: str
    nickname: str | None
    group: str | None


class MyContributions(Message):
    """What this participant has already given on the current step."""

    ballot: Ballot | None = None
    upvoted: list[str] = Field(default_factory=list)
    ideas_posted: int = 0


class Presence(Message):
    """Counts for the console and the projector.

    ``phones``: phones connected now; ``participants``: participants who joined;
    ``voters``: participants who voted on the current step (or posted an idea in the
    current brainstorm).
    """

    phones: int
    participants: int
    voters: int
    step_id: str | None


class HiddenResults(Message):
    """A vote step whose tally this client may not see yet: only how many voted."""

    step_id: str
    voters: int


class WorkshopState(Message):
    """Everything a client needs to draw its page from scratch.

    For the current vote step, either ``results`` (the tally) or ``results_hidden`` (how
    many voted, when the tally is withheld from this client).
    """

    workshop: WorkshopView
    steps: list[StepSummary]
    current_step: Step | None
    ideas: list[IdeaView] = Field(default_factory=list)
    results: StepResult | None = None
    results_hidden: HiddenResults | None = None
    results_by_group: dict[str, StepResult] | None = None
    presence: Presence | None = None
    me: MyContributions | None = None


# --- Server → client --------------------------------------------------------------------


class Welcome(Message):
    """Answer to ``hello`` (and to ``join``): who you are, and the full state."""

    type: Literal["welcome"] = "welcome"
    protocol: int = PROTOCOL_VERSION
    role: Role
    participant: ParticipantView | None
    seq: Seq
    state: WorkshopState


class State(Message):
    """The full state, sent on request (``get_state``)."""

    type: Literal["state"] = "state"
    seq: Seq
    state: WorkshopState


class Ack(Message):
    """A state-changing message was committed; ``duplicate`` when it had been already.

    ``idea_id`` answers ``post_idea``; ``detail`` is a French text for the person who
    acted (what closing a step wrote into the model).
    """

    type: Literal["ack"] = "ack"
    client_id: str
    duplicate: bool = False
    idea_id: str | None = None
    detail: str | None = None


class Error(Message):
    """A message was refused: ``code`` for programs, ``message`` (French) for people."""

    type: Literal["error"] = "error"
    code: str
    message: str
    client_id: str | None = None


class Results(Message):
    """The live result of a vote step, pushed at most once per tick."""

    type: Literal["results"] = "results"
    seq: Seq
    step_id: str
    tally: StepResult
    by_group: dict[str, StepResult] | None = None


class ResultsHidden(Message):
    """What a client gets instead of ``results`` while a step's tally is withheld from it.

    Sent at the same moments as ``results``, with only the number of voters: the tally
    itself never leaves the server (see « Affichage des résultats »).
    """

    type: Literal["results_hidden"] = "results_hidden"
    seq: Seq
    step_id: str
    voters: int


class IdeasDelta(Message):
    """Ideas of the running brainstorm that appeared, changed or left the wall."""

    type: Literal["ideas_delta"] = "ideas_delta"
    seq: Seq
    step_id: str
    added: list[IdeaView] = Field(default_factory=list)
    changed: list[IdeaView] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)


class StepChanged(Message):
    """The facilitator started or closed a step, or opened or closed the workshop."""

    type: Literal["step_changed"] = "step_changed"
    seq: Seq
    workshop_status: WorkshopStatus
    current_step: Step | None
    steps: list[StepSummary]


class PresenceUpdate(Message):
    """New presence counts (console and projector only)."""

    type: Literal["presence"] = "presence"
    seq: Seq
    presence: Presence


class Resync(Message):
    """Updates were lost for this client: it must send ``get_state``."""

    type: Literal["resync"] = "resync"
    reason: str


class Pong(Message):
    """Answer to ``ping``."""

    type: Literal["pong"] = "pong"
    nonce: str | None = None


ServerMessage = Annotated[
    Welcome
    | State
    | Ack
    | Error
    | Results
    | ResultsHidden
    | IdeasDelta
    | StepChanged
    | PresenceUpdate
    | Resync
    | Pong,
    Field(discriminator="type"),
]
SERVER_MESSAGE_ADAPTER: TypeAdapter[ServerMessage] = TypeAdapter(ServerMessage)


# --- Parsing ------------------------------------------------------------------------------


class ProtocolError(ValueError):
    """A client message that cannot be understood; ``code`` and French ``message``."""

    def __init__(self, code: str, message: str, client_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.client_id = client_id

    def to_message(self) -> Error:
        """The ``error`` message to send back."""
        return Error(code=self.code, message=self.message, client_id=self.client_id)


_FIELD_NAMES_FR = {
    "client_id": "identifiant de message",
    "text": "texte",
    "nickname": "pseudonyme",
    "ballot": "bulletin",
    "step_id": "étape",
    "idea_id": "idée",
    "visibility": "affichage des résultats",
}


def parse_client_message(raw: str | bytes, max_chars: int = MAX_MESSAGE_CHARS) -> ClientMessage:
    """Parse one client message, or raise :class:`ProtocolError` with a French message.

    Refuses, in this order: a message longer than ``max_chars``, one that is not a JSON
    object, one without a known ``type``, one whose fields do not fit the type.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("bad_json", "Message illisible : il doit être en UTF-8.") from None
    if len(raw) > max_chars:
        raise ProtocolError(
            "too_long", f"Message trop long ({len(raw)} caractères, {max_chars} au plus)."
        )
    try:
        data = json.loads(raw)
    except ValueError:
        raise ProtocolError("bad_json", "Message illisible : ce n'est pas du JSON.") from None
    if not isinstance(data, dict):
        raise ProtocolError("bad_json", "Message illisible : un objet JSON est attendu.")
    client_id = data.get("client_id") if isinstance(data.get("client_id"), str) else None
    if client_id is not None and len(client_id) > 64:
        client_id = None
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in _CLIENT_TYPES:
        shown = kind if isinstance(kind, str) and len(kind) <= 40 else "?"
        raise ProtocolError(
            "unknown_type", f"Type de message inconnu : « {shown} ».", client_id=client_id
        )
    try:
        return CLIENT_MESSAGE_ADAPTER.validate_python(data)
    except ValidationError as error:
        raise ProtocolError(
            "invalid_message", _describe(kind, error), client_id=client_id
        ) from None


_CLIENT_TYPES: frozenset[str] = frozenset(
    model.model_fields["type"].default
    for model in (
        Hello,
        Join,
        PostIdea,
        Upvote,
        CastBallot,
        GetState,
        Ping,
        StartStep,
        CloseStep,
        ModerateIdea,
        OpenWorkshop,
        CloseWorkshop,
        RevealResults,
        SetResultsVisibility,
    )
)


def _describe(kind: str, error: ValidationError) -> str:
    """A short French account of what is wrong with a message of type ``kind``."""
    first = error.errors(include_url=False, include_input=False)[0]
    location = [str(part) for part in first["loc"] if not str(part).startswith(kind)]
    field = next((p for p in location if not p.isdigit()), "")
    label = _FIELD_NAMES_FR.get(field, field)
    problem = _PROBLEMS_FR.get(first["type"])
    if problem is None and first["type"] == "value_error":
        problem = str(first.get("ctx", {}).get("error", "valeur invalide"))
    problem = problem or "valeur invalide"
    where = f" (champ « {label} »)" if label else ""
    return f"Message « {kind} » invalide{where} : {problem}."


_PROBLEMS_FR = {
    "missing": "champ manquant",
    "extra_forbidden": "champ inconnu",
    "string_too_long": "texte trop long",
    "string_too_short": "texte vide",
    "string_pattern_mismatch": "caractères non permis",
    "string_type": "texte attendu",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "bool_type": "vrai ou faux attendu",
    "bool_parsing": "vrai ou faux attendu",
    "list_type": "liste attendue",
    "dict_type": "objet attendu",
    "model_type": "objet attendu",
    "too_long": "trop d'éléments",
    "literal_error": "valeur non prévue",
    "union_tag_invalid": "type non prévu",
    "union_tag_not_found": "type manquant",
    "greater_than_equal": "nombre trop petit",
    "less_than_equal": "nombre trop grand",
}


def dump(message: Message) -> str:
    """Serialise a server message to the JSON text sent on the wire."""
    return message.model_dump_json(exclude_none=False)


def welcome_text(
    role: Role, participant: ParticipantView | None, seq: int, state_json: str
) -> str:
    """``dump(Welcome(...))`` around a state already serialised (shared by many phones)."""
    who = participant.model_dump_json() if participant is not None else "null"
    return (
        f'{{"type":"welcome","protocol":{PROTOCOL_VERSION},"role":"{role}",'
        f'"participant":{who},"seq":{seq},"state":{state_json}}}'
    )


def state_text(seq: int, state_json: str) -> str:
    """``dump(State(...))`` around a state already serialised."""
    return f'{{"type":"state","seq":{seq},"state":{state_json}}}'


def server_message_from_json(text: str) -> ServerMessage:
    """Parse a server message (for clients written in Python: tests, benchmarks)."""
    return SERVER_MESSAGE_ADAPTER.validate_json(text)


def json_schema() -> dict[str, Any]:
    """The JSON schema of both directions, for tools that generate clients."""
    return {
        "client": CLIENT_MESSAGE_ADAPTER.json_schema(),
        "server": SERVER_MESSAGE_ADAPTER.json_schema(),
    }
