"""The live server's hot paths give the same results as the straightforward ones.

Frames built once for all phones, ballots parsed once and kept between ticks, the
welcome built around a state serialised once, moderation reading only the ideas it
touches: each is checked here against what it replaces, on a real SQLite file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import make_brainstorm_step, make_dot_vote_step, make_project_with_proposed_changes
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request, TextMessage

from app.live.frames import text_frame
from app.protocol import (
    ParticipantView,
    State,
    Welcome,
    WorkshopState,
    dump,
    state_text,
    welcome_text,
)
from workshops import service, store
from workshops.model import DotBallot, Option
from workshops.store import Store
from workshops.store import workshops as rows
from workshops.store.ballot_cache import BallotCache
from workshops.store.group_commit import BATCH_KEY

HANDSHAKE = (
    b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


def _wsproto_frame(text: str) -> bytes:
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(HANDSHAKE)
    assert isinstance(next(server.events()), Request)
    server.send(AcceptConnection())
    return server.send(TextMessage(data=text))


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65_535, 65_536, 200_000])
def test_a_shared_frame_is_the_frame_wsproto_writes_for_the_same_text(size: int) -> None:
    text = ("é" * (size // 2)) + ("a" * (size % 2))  # two bytes a character, then one
    assert text_frame(text) == _wsproto_frame(text)


def test_a_shared_frame_is_read_back_by_a_client_as_the_same_text() -> None:
    client = WSConnection(ConnectionType.CLIENT)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="x", target="/ws")))
    assert isinstance(next(server.events()), Request)
    client.receive_data(server.send(AcceptConnection()))
    assert isinstance(next(client.events()), AcceptConnection)
    text = '{"type":"results","seq":7,"tally":{"voters":3}} — « fin »'
    client.receive_data(text_frame(text) + text_frame("deux"))
    messages = [event.data for event in client.events() if isinstance(event, TextMessage)]
    assert messages == [text, "deux"]


# --- State texts -------------------------------------------------------------------------


def _state() -> WorkshopState:
    return WorkshopState.model_validate({
        "workshop": {"id": "1", "title": "Atelier « été »", "code": "KX7QHA",
                     "status": "open", "groups": []},
        "steps": [],
        "current_step": None,
    })


@pytest.mark.parametrize(
    "participant",
    [None, ParticipantView(token="t-1", nickname="Zoé \"Z\"", group=None)],
)
def test_the_welcome_built_around_a_shared_state_is_the_welcome_message(
    participant: ParticipantView | None,
) -> None:
    state = _state()
    text = welcome_text("phone", participant, 42, state.model_dump_json())
    assert text == dump(Welcome(role="phone", participant=participant, seq=42, state=state))


def test_the_state_built_around_a_shared_state_is_the_state_message() -> None:
    state = _state()
    assert state_text(9, state.model_dump_json()) == dump(State(seq=9, state=state))


# --- Ballot cache ------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    """A real SQLite file with the schema and a project."""
    opened = Store.open(store.sqlite_url(tmp_path / "chemins.sqlite3"))
    opened.create_schema()
    with opened.session() as session:
        store.save_project(session, make_project_with_proposed_changes(6))
    yield opened
    opened.dispose()


@pytest.fixture
def voting(db: Store) -> int:
    """An open workshop running a dot vote (3 options, 2 dots) and a brainstorm after it."""
    with db.read_session() as session:
        project = store.find_project(session, "projet-test")
        assert project is not None
        project_id = project.id
    options = [Option(id=f"opt-{n}", label=f"Option {n}") for n in range(3)]
    with db.session() as session:
        workshop_id = int(service.create_workshop(session, project_id, "Atelier").id)
        service.add_step(session, workshop_id,
                         make_dot_vote_step(id="vote", options=options, budget=2))
        service.add_step(session, workshop_id, make_brainstorm_step(id="idees"))
        service.open_workshop(session, workshop_id)
        service.start_step(session, workshop_id, "vote")
    return workshop_id


def _vote(db: Store, workshop_id: int, token: str, dots: dict[str, int], client_id: str) -> None:
    with db.session() as session:
        service.cast_ballot(session, workshop_id, token, "vote", DotBallot(dots=dots), client_id)


def _tokens(db: Store, workshop_id: int, count: int) -> list[str]:
    with db.session() as session:
        return [
            service.join(session, workshop_id, nickname=f"P{n}").participant.token
            for n in range(count)
        ]


def test_ballots_read_through_the_cache_equal_the_database_and_are_parsed_once(
    db: Store, voting: int
) -> None:
    cache = BallotCache()
    first, second, third = _tokens(db, voting, 3)
    _vote(db, voting, first, {"opt-0": 2}, "a")
    _vote(db, voting, second, {"opt-1": 1, "opt-2": 1}, "b")

    def both() -> tuple[list, list]:
        with db.read_session() as session:
            step_row = rows.step_row(session, voting, "vote")
            assert step_row is not None
            return cache.step_ballots(session, step_row.id), rows.step_ballots(
                session, step_row.id
            )

    cached, direct = both()
    assert cached == direct and len(cached) == 2
    assert cache.parsed == 2
    assert both()[0] == direct and cache.parsed == 2  # nothing changed: nothing parsed

    _vote(db, voting, first, {"opt-2": 2}, "a2")  # a revote replaces the ballot
    _vote(db, voting, third, {"opt-0": 1}, "c")
    cached, direct = both()
    assert cached == direct
    assert [ballot.dots for ballot, _ in cached] == [{"opt-2": 2}, {"opt-1": 1, "opt-2": 1},
                                                     {"opt-0": 1}]
    assert cache.parsed == 4  # only the revote and the new ballot


def test_the_broadcast_tally_through_the_cache_is_the_tally_of_the_database(
    db: Store, voting: int
) -> None:
    cache = BallotCache()
    tokens = _tokens(db, voting, 5)
    for n, token in enumerate(tokens):
        _vote(db, voting, token, {f"opt-{n % 3}": 1, f"opt-{(n + 1) % 3}": 1}, f"v{n}")
        with db.read_session() as session:
            assert service.step_results(session, voting, "vote", cache=cache) == (
                service.step_results(session, voting, "vote")
            )
            assert service.step_results(session, voting, "vote", by_group=True, cache=cache) == (
                service.step_results(session, voting, "vote", by_group=True)
            )


def test_the_console_tally_reads_the_ballots_once_for_total_and_collèges(
    db: Store, voting: int
) -> None:
    cache = BallotCache()
    for n, token in enumerate(_tokens(db, voting, 4)):
        _vote(db, voting, token, {f"opt-{n % 3}": 1}, f"v{n}")
    with db.read_session() as session:
        total, by_group = service.step_results_with_groups(session, voting, "vote", cache=cache)
        assert total == service.step_results(session, voting, "vote")
        assert by_group == service.step_results(session, voting, "vote", by_group=True)
    assert total.voters == 4
    assert cache.parsed == 4  # each ballot parsed once, though two tallies were made
    # Voters of two collèges: the total is no longer one collège's tally.
    with db.session() as session:
        groups = service.get_workshop(session, voting).groups
        assert len(groups) >= 2
        for n, group in enumerate((groups[0].id, groups[1].id, groups[1].id)):
            token = service.join(session, voting, nickname=f"G{n}", group=group).participant.token
            service.cast_ballot(session, voting, token, "vote",
                                DotBallot(dots={"opt-2": 2}), f"g{n}")
    with db.read_session() as session:
        total, by_group = service.step_results_with_groups(session, voting, "vote", cache=cache)
        assert total == service.step_results(session, voting, "vote")
        assert by_group == service.step_results(session, voting, "vote", by_group=True)
    assert total.voters == 7 and len(by_group) == 3


def test_a_cache_forgets_the_least_recently_read_steps_beyond_its_size(
    db: Store, voting: int
) -> None:
    cache = BallotCache(max_steps=1)
    (token,) = _tokens(db, voting, 1)
    _vote(db, voting, token, {"opt-0": 1}, "a")
    with db.read_session() as session:
        vote_row = rows.step_row(session, voting, "vote")
        ideas_row = rows.step_row(session, voting, "idees")
        assert vote_row is not None and ideas_row is not None
        cache.step_ballots(session, vote_row.id)
        cache.step_ballots(session, ideas_row.id)  # pushes the vote out
        cache.step_ballots(session, vote_row.id)
    assert cache.parsed == 2


# --- Moderation reads only what it touches ---------------------------------------------


def test_merging_an_idea_carries_the_ideas_merged_into_it_to_the_new_target(
    db: Store, voting: int
) -> None:
    (token,) = _tokens(db, voting, 1)
    with db.session() as session:
        service.close_step(session, voting, "vote", write_back=False)
        service.start_step(session, voting, "idees")
        ids = [
            service.post_idea(session, voting, token, "idees", "col-familles", text, text).idea_id
            for text in ("Cible", "Source", "Déjà fusionnée", "Sans rapport")
        ]
    target, source, child, unrelated = (str(i) for i in ids)
    with db.session() as session:
        service.moderate_idea(session, voting, {"action": "merge", "idea_id": child,
                                                "into": source})
        changes = service.moderate_idea(session, voting, {"action": "merge", "idea_id": source,
                                                          "into": target})
    assert changes.ideas == {int(source), int(child), int(target)}
    with db.read_session() as session:
        wall = service.workshop_state(session, voting, audience="facilitator")["ideas"]
    assert {i["id"]: i["merged_into"] for i in wall} == {
        target: None, source: target, child: target, unrelated: None,
    }


def test_ballots_read_only_the_workshop_status_yet_see_a_close_earlier_in_their_batch(
    db: Store, voting: int
) -> None:
    first, second = _tokens(db, voting, 2)
    with db.session() as session:
        session.info[BATCH_KEY] = True  # one group-commit transaction for all three units
        service.cast_ballot(session, voting, first, "vote", DotBallot(dots={"opt-0": 1}), "a")
        service.close_step(session, voting, "vote", author="Camille")
        service.close_workshop(session, voting)
        with pytest.raises(service.ServiceError) as refused:
            service.cast_ballot(session, voting, second, "vote",
                                DotBallot(dots={"opt-1": 1}), "b")
        session.commit()
    assert refused.value.code == "workshop_closed"
    with db.read_session() as session:
        assert service.step_results(session, voting, "vote").voters == 1
