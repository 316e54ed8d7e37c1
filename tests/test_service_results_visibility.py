"""Hidden results in the service: what is kept, revealed and persisted, on a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import (
    make_brainstorm_step,
    make_dot_vote_step,
    make_project_with_proposed_changes,
)

from workshops import service, store
from workshops.model import DotBallot, ResultsVisibility
from workshops.service import AlreadyProcessed, FacilitatorMessage, ServiceError
from workshops.store import Store


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    """A real SQLite file with the schema and the test project."""
    opened = Store.open(store.sqlite_url(tmp_path / "chemins.sqlite3"))
    opened.create_schema()
    with opened.session() as session:
        store.save_project(session, make_project_with_proposed_changes(6))
    yield opened
    opened.dispose()


@pytest.fixture
def voting(db: Store) -> int:
    """An open workshop whose dot vote « vote » runs in « à la révélation » mode, two ballots
    cast; a brainstorm « idees » and a dot vote « plus-tard » wait."""
    with db.session() as session:
        project = store.find_project(session, "projet-test")
        assert project is not None
        workshop_id = int(service.create_workshop(session, project.id, "Atelier").id)
        service.add_step(session, workshop_id, make_dot_vote_step(
            id="vote", results_visibility=ResultsVisibility.on_reveal))
        service.add_step(session, workshop_id, make_brainstorm_step(id="idees"))
        service.add_step(session, workshop_id, make_dot_vote_step(id="plus-tard"))
        service.open_workshop(session, workshop_id)
        service.start_step(session, workshop_id, "vote")
        for n, dots in enumerate(({"opt-a": 2}, {"opt-a": 1, "opt-b": 1})):
            token = service.join(session, workshop_id).participant.token
            service.cast_ballot(session, workshop_id, token, "vote", DotBallot(dots=dots),
                                f"vote-{n}")
    return workshop_id


def _state(db: Store, workshop_id: int, audience: service.Audience) -> dict[str, object]:
    with db.read_session() as session:
        return service.workshop_state(session, workshop_id, audience=audience)


def _facilitator(db: Store, client_id: str) -> FacilitatorMessage:
    with db.session() as session:
        user = store.find_user(session, "anim@example.fr") or store.create_user(
            session, "anim@example.fr", "motdepasse")
        return FacilitatorMessage(user_id=user.id, client_id=client_id)


def test_a_hidden_tally_leaves_the_state_of_phones_and_projector_with_only_the_voters(
    db: Store, voting: int
) -> None:
    for audience in ("phone", "projector"):
        state = _state(db, voting, audience)
        assert state["results"] is None
        assert state["results_hidden"] == {"step_id": "vote", "voters": 2}
    console = _state(db, voting, "facilitator")
    assert console["results_hidden"] is None
    assert console["results"].voters == 2  # type: ignore[attr-defined]
    with db.read_session() as session:
        assert service.results_withheld_from(session, voting, "vote") == {"phone", "projector"}


def test_closing_an_on_reveal_step_keeps_its_results_hidden_until_revealed(
    db: Store, voting: int
) -> None:
    with db.session() as session:
        service.close_step(session, voting, "vote")
    assert _state(db, voting, "projector")["results_hidden"] == {"step_id": "vote", "voters": 2}
    with db.session() as session:
        changes = service.reveal_results(session, voting, "vote")
    assert changes.results == {"vote"} and changes.steps
    for audience in ("phone", "projector"):
        state = _state(db, voting, audience)
        assert state["results_hidden"] is None
        assert [row.dots for row in state["results"].rows] == [3, 1, 0, 0]  # type: ignore[attr-defined]


def test_revealing_is_persisted_and_summarised_in_the_step_list(db: Store, voting: int) -> None:
    with db.session() as session:
        service.reveal_results(session, voting, "vote")
    with db.read_session() as session:
        workshop = service.get_workshop(session, voting)
    step = workshop.step("vote")
    assert step.results_revealed is True  # type: ignore[union-attr]
    summaries = {s["id"]: s for s in service.step_summaries(workshop)}
    assert summaries["vote"]["results_visibility"] == "on_reveal"
    assert summaries["vote"]["results_revealed"] is True
    assert summaries["idees"]["results_visibility"] is None
    assert summaries["idees"]["results_revealed"] is False


def test_revealing_twice_changes_nothing_the_second_time(db: Store, voting: int) -> None:
    with db.session() as session:
        first = service.reveal_results(session, voting, "vote")
    with db.session() as session:
        again = service.reveal_results(session, voting, "vote")
    assert not first.empty
    assert again.empty
    with db.read_session() as session:
        assert service.get_workshop(session, voting).step("vote").results_revealed  # type: ignore[union-attr]


def test_a_resent_reveal_message_is_recognised_and_not_applied_twice(
    db: Store, voting: int
) -> None:
    message = _facilitator(db, "reveler-1")
    with db.session() as session:
        service.reveal_results(session, voting, "vote", message=message)
    with pytest.raises(AlreadyProcessed) as resend, db.session() as session:
        service.reveal_results(session, voting, "vote", message=message)
    assert resend.value.client_id == "reveler-1"
    visibility = _facilitator(db, "mode-1")
    with db.session() as session:
        service.set_results_visibility(session, voting, "plus-tard", "live", message=visibility)
    with pytest.raises(AlreadyProcessed), db.session() as session:
        service.set_results_visibility(session, voting, "plus-tard", "on_reveal",
                                       message=visibility)
    with db.read_session() as session:
        later = service.get_workshop(session, voting).step("plus-tard")
    assert later.results_visibility == ResultsVisibility.live  # type: ignore[union-attr]


def test_a_refused_reveal_does_not_use_up_its_message_id(db: Store, voting: int) -> None:
    message = _facilitator(db, "reveler-tot")
    with pytest.raises(ServiceError), db.session() as session:
        service.reveal_results(session, voting, "plus-tard", message=message)
    with db.session() as session:
        service.close_step(session, voting, "vote")
        service.start_step(session, voting, "plus-tard")
    with db.session() as session:
        changes = service.reveal_results(session, voting, "plus-tard", message=message)
    assert changes.results == {"plus-tard"}


@pytest.mark.parametrize(
    ("step_id", "code", "message"),
    [
        ("idees", "not_allowed",
         "« Quelles actions pour ces changements ? » est un remue-méninges : il n'a pas de "
         "résultats à révéler, ses idées s'affichent au fil de l'eau."),
        ("inconnue", "unknown_step", "L'étape « inconnue » n'existe pas dans cet atelier."),
        ("plus-tard", "not_allowed",
         "L'étape « Vote à gommettes » n'a pas encore été lancée : il n'y a pas encore de "
         "résultats à révéler."),
    ],
)
def test_revealing_a_brainstorm_an_unknown_or_a_pending_step_is_refused_in_french(
    db: Store, voting: int, step_id: str, code: str, message: str
) -> None:
    with pytest.raises(ServiceError) as refused, db.session() as session:
        service.reveal_results(session, voting, step_id)
    assert (refused.value.code, refused.value.message) == (code, message)


def test_the_mode_of_a_running_step_changes_what_phones_and_projector_receive(
    db: Store, voting: int
) -> None:
    with db.session() as session:
        changes = service.set_results_visibility(session, voting, "vote", "after_vote")
    assert changes.results == {"vote"} and changes.steps
    assert _state(db, voting, "phone")["results"] is not None  # the page waits for the vote
    assert _state(db, voting, "projector")["results_hidden"] == {"step_id": "vote", "voters": 2}
    with db.session() as session:
        service.set_results_visibility(session, voting, "vote", ResultsVisibility.live)
    assert _state(db, voting, "projector")["results"] is not None
    with db.session() as session:
        unchanged = service.set_results_visibility(session, voting, "vote", "live")
    assert unchanged.empty


def test_the_mode_of_a_closed_step_or_a_bad_mode_is_refused_in_french(
    db: Store, voting: int
) -> None:
    with pytest.raises(ServiceError) as bad, db.session() as session:
        service.set_results_visibility(session, voting, "vote", "secret")
    assert bad.value.code == "not_allowed"
    assert "Affichage des résultats inconnu : « secret »" in bad.value.message
    with db.session() as session:
        service.close_step(session, voting, "vote")
    with pytest.raises(ServiceError) as closed, db.session() as session:
        service.set_results_visibility(session, voting, "vote", "live")
    assert "est close : son affichage des résultats ne change plus" in closed.value.message


def test_a_step_added_with_a_mode_keeps_it(db: Store, voting: int) -> None:
    with db.session() as session:
        service.add_step(session, voting, make_dot_vote_step(
            id="en-direct", results_visibility=ResultsVisibility.live))
    with db.read_session() as session:
        added = service.get_workshop(session, voting).step("en-direct")
    assert added.results_visibility == ResultsVisibility.live  # type: ignore[union-attr]
    assert added.results_revealed is False  # type: ignore[union-attr]
