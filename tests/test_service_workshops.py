"""Workshop actions on a real SQLite file, without any web layer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import (
    make_brainstorm_step,
    make_choice_step,
    make_dot_vote_step,
    make_project_with_proposed_changes,
)

from theory_of_change.model import ChangeStatus
from workshops import service, store
from workshops.model import (
    ChoiceBallot,
    DotBallot,
    DotVoteStep,
    IdeasToNodes,
    Option,
    PrioritiseChanges,
    WorkshopStatus,
)
from workshops.service import FacilitatorMessage, ServiceError
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


def _project_id(db: Store) -> int:
    with db.read_session() as session:
        row = store.find_project(session, "projet-test")
        assert row is not None
        return row.id


def _change_vote() -> DotVoteStep:
    options = [
        Option(id=f"chg-{theme}", label=theme, source="change", ref=f"chg-{theme}")
        for theme in ("enfance", "jeunesse", "parentalite")
    ]
    return make_dot_vote_step(
        id="vote", options=options, budget=2, max_per_option=1,
        writeback=PrioritiseChanges(top_k=1),
    )


@pytest.fixture
def running(db: Store) -> int:
    """An open workshop whose steps are a brainstorm (running) and a dot vote on changes."""
    with db.session() as session:
        workshop = service.create_workshop(session, _project_id(db), "Atelier")
        workshop_id = int(workshop.id)
        service.add_step(
            session, workshop_id,
            make_brainstorm_step(id="idees", writeback=IdeasToNodes(target="activity")),
        )
        service.add_step(session, workshop_id, _change_vote())
        service.add_step(session, workshop_id, make_choice_step(id="vision"))
        service.open_workshop(session, workshop_id)
        service.start_step(session, workshop_id, "idees")
    return workshop_id


def _join(db: Store, workshop_id: int, group: str | None = "habitants") -> str:
    with db.session() as session:
        return service.join(session, workshop_id, nickname="Camille", group=group).participant.token


def _switch_to_vote(db: Store, workshop_id: int) -> None:
    with db.session() as session:
        service.close_step(session, workshop_id, "idees")
        service.start_step(session, workshop_id, "vote")


def test_a_new_workshop_is_a_draft_with_a_join_code_and_the_five_colleges(db: Store) -> None:
    with db.session() as session:
        workshop = service.create_workshop(session, _project_id(db), "  Atelier   de mars ")
    assert workshop.status == WorkshopStatus.draft
    assert workshop.title == "Atelier de mars"
    assert len(workshop.code) == 6
    assert [g.id for g in workshop.groups] == [
        "elus", "professionnels", "partenaires", "associations", "habitants"
    ]
    with db.read_session() as session:
        assert service.find_workshop_by_code(session, workshop.code.lower()) == workshop


def test_a_workshop_in_preparation_or_closed_admits_no_participant(db: Store) -> None:
    with db.session() as session:
        workshop = service.create_workshop(session, _project_id(db), "Atelier")
        workshop_id = int(workshop.id)
        service.add_step(session, workshop_id, make_choice_step())
    with pytest.raises(ServiceError) as draft, db.session() as session:
        service.join(session, workshop_id)
    assert draft.value.code == "workshop_not_open"
    with db.session() as session:
        service.open_workshop(session, workshop_id)
        token = service.join(session, workshop_id).participant.token
        service.close_workshop(session, workshop_id)
    with pytest.raises(ServiceError) as closed, db.session() as session:
        service.join(session, workshop_id)
    assert closed.value.code == "workshop_closed"
    assert "terminé" in closed.value.message
    with pytest.raises(ServiceError) as vote, db.session() as session:
        service.post_idea(session, workshop_id, token, "x", "y", "Idée", "c-1")
    assert vote.value.code == "workshop_closed"


def test_joining_twice_with_the_same_message_id_makes_one_participant(
    db: Store, running: int
) -> None:
    with db.session() as session:
        first = service.join(session, running, nickname="Camille", client_id="join-1")
        again = service.join(session, running, nickname="Camille", client_id="join-1")
    assert first.created and not again.created and again.duplicate
    assert again.participant.token == first.participant.token
    with db.read_session() as session:
        assert service.presence(session, running, phones=0)["participants"] == 1


@pytest.mark.parametrize(
    ("nickname", "group", "code"),
    [("x" * 41, None, "invalid_participant"), ("Camille", "inconnus", "invalid_group")],
)
def test_a_too_long_nickname_or_an_unknown_college_is_refused(
    db: Store, running: int, nickname: str, group: str | None, code: str
) -> None:
    with pytest.raises(ServiceError) as refused, db.session() as session:
        service.join(session, running, nickname=nickname, group=group)
    assert refused.value.code == code
    with db.read_session() as session:
        assert service.presence(session, running, phones=0)["participants"] == 0


def test_a_resent_idea_is_stored_once_and_acknowledged_with_the_same_id(
    db: Store, running: int
) -> None:
    token = _join(db, running)
    with db.session() as session:
        first = service.post_idea(session, running, token, "idees", "col-familles",
                                  "Un guide  des modes\nd'accueil", "idea-1")
        again = service.post_idea(session, running, token, "idees", "col-familles",
                                  "Un guide des modes d'accueil", "idea-1")
    assert not first.duplicate and again.duplicate
    assert again.idea_id == first.idea_id
    with db.read_session() as session:
        wall = service.workshop_state(session, running)["ideas"]
    assert [(idea["text"], idea["column"]) for idea in wall] == [
        ("Un guide des modes d'accueil", "col-familles")
    ]


def test_posting_ideas_is_rate_limited_per_participant(db: Store, running: int) -> None:
    token, other = _join(db, running), _join(db, running)
    limit = service.IdeaRateLimit(max_ideas=2, window=dt.timedelta(seconds=10))
    start = dt.datetime(2030, 1, 1, 9, 0, tzinfo=dt.UTC)
    with db.session() as session:
        for n in range(2):
            service.post_idea(session, running, token, "idees", "col-familles", f"Idée {n}",
                              f"i-{n}", limit=limit, now=start)
    with pytest.raises(ServiceError) as refused, db.session() as session:
        service.post_idea(session, running, token, "idees", "col-familles", "Une de trop",
                          "i-3", limit=limit, now=start + dt.timedelta(seconds=5))
    assert refused.value.code == "rate_limited"
    assert "attendez quelques secondes" in refused.value.message
    with db.session() as session:
        # Someone else may post; and the first participant may again once the window passed.
        service.post_idea(session, running, other, "idees", "col-familles", "Autre", "o-1",
                          limit=limit, now=start + dt.timedelta(seconds=5))
        later = service.post_idea(session, running, token, "idees", "col-familles",
                                  "Une de trop", "i-3", limit=limit,
                                  now=start + dt.timedelta(seconds=11))
    assert not later.duplicate


def test_a_refused_message_can_be_sent_again_and_then_counts(db: Store, running: int) -> None:
    token = _join(db, running)
    _switch_to_vote(db, running)
    with pytest.raises(ServiceError), db.session() as session:
        service.cast_ballot(session, running, token, "vote",
                            DotBallot(dots={"chg-enfance": 3}), "b-1")
    with db.session() as session:
        ack = service.cast_ballot(session, running, token, "vote",
                                  DotBallot(dots={"chg-enfance": 1}), "b-1")
    assert not ack.duplicate


def test_a_participant_upvotes_an_idea_once_and_may_withdraw(db: Store, running: int) -> None:
    author, voter = _join(db, running), _join(db, running)
    with db.session() as session:
        idea = service.post_idea(session, running, author, "idees", "col-familles", "Idée", "p")
        assert idea.idea_id is not None
        service.upvote(session, running, voter, idea.idea_id, "u-1")
        service.upvote(session, running, voter, idea.idea_id, "u-2")
    with db.read_session() as session:
        assert service.workshop_state(session, running)["ideas"][0]["upvotes"] == 1
        me = service.workshop_state(session, running, participant_token=voter)["me"]
        assert me["upvoted"] == [idea.idea_id]
    with db.session() as session:
        service.upvote(session, running, voter, idea.idea_id, "u-3", withdraw=True)
    with db.read_session() as session:
        assert service.workshop_state(session, running)["ideas"][0]["upvotes"] == 0


def test_merging_a_duplicate_folds_its_supporters_into_the_target(
    db: Store, running: int
) -> None:
    a, b, c = (_join(db, running) for _ in range(3))
    with db.session() as session:
        target = service.post_idea(session, running, a, "idees", "col-familles", "Guide", "1")
        duplicate = service.post_idea(session, running, b, "idees", "col-familles", "Guide !", "2")
        assert target.idea_id and duplicate.idea_id
        service.upvote(session, running, c, target.idea_id, "3")
        service.upvote(session, running, c, duplicate.idea_id, "4")
        service.upvote(session, running, a, duplicate.idea_id, "5")
        changes = service.moderate_idea(
            session, running, {"action": "merge", "idea_id": duplicate.idea_id,
                               "into": target.idea_id},
        )
    assert changes.ideas == {int(target.idea_id), int(duplicate.idea_id)}
    with db.read_session() as session:
        phone_wall = service.workshop_state(session, running)["ideas"]
        console_wall = service.workshop_state(session, running, audience="facilitator")["ideas"]
    assert [(i["id"], i["upvotes"], [m["id"] for m in i["merged"]]) for i in phone_wall] == [
        (target.idea_id, 2, [duplicate.idea_id])
    ]
    assert [i["merged_into"] for i in console_wall] == [None, target.idea_id]


def test_hidden_ideas_leave_the_phones_wall_but_not_the_console(
    db: Store, running: int
) -> None:
    token = _join(db, running)
    with db.session() as session:
        idea = service.post_idea(
            session, running, token, "idees", "col-familles", "Hors sujet", "1"
        )
        service.moderate_idea(session, running, {"action": "hide", "idea_id": idea.idea_id})
    with db.read_session() as session:
        assert service.workshop_state(session, running)["ideas"] == []
        console = service.workshop_state(session, running, audience="facilitator")["ideas"]
    assert [(i["text"], i["hidden"]) for i in console] == [("Hors sujet", True)]
    with pytest.raises(ServiceError) as refused, db.session() as session:
        service.upvote(session, running, token, str(idea.idea_id), "u")
    assert refused.value.code == "invalid_idea"


def test_voting_again_replaces_the_ballot_and_a_closed_step_refuses_ballots(
    db: Store, running: int
) -> None:
    token = _join(db, running)
    _switch_to_vote(db, running)
    with db.session() as session:
        service.cast_ballot(session, running, token, "vote",
                            DotBallot(dots={"chg-enfance": 1}), "b-1")
        service.cast_ballot(session, running, token, "vote",
                            DotBallot(dots={"chg-jeunesse": 1, "chg-parentalite": 1}), "b-2")
    with db.read_session() as session:
        result = service.step_results(session, running, "vote")
    assert not isinstance(result, dict) and result.kind == "dot_vote"
    assert result.voters == 1
    assert {row.option_id: row.dots for row in result.rows} == {
        "chg-enfance": 0, "chg-jeunesse": 1, "chg-parentalite": 1
    }
    with db.session() as session:
        service.close_step(session, running, "vote")
    with pytest.raises(ServiceError) as refused, db.session() as session:
        service.cast_ballot(session, running, token, "vote",
                            DotBallot(dots={"chg-enfance": 1}), "b-3")
    assert refused.value.code == "step_not_open"
    assert "est close" in refused.value.message


def test_a_ballot_the_step_does_not_accept_is_refused_with_the_domain_s_reason(
    db: Store, running: int
) -> None:
    token = _join(db, running)
    _switch_to_vote(db, running)
    with pytest.raises(ServiceError) as refused, db.session() as session:
        service.cast_ballot(session, running, token, "vote",
                            DotBallot(dots={"chg-enfance": 1, "chg-jeunesse": 1,
                                            "chg-parentalite": 1}), "b-1")
    assert refused.value.code == "invalid_ballot"
    assert refused.value.message == "Vous avez placé 3 gommettes : vous en avez 2 en tout."


def test_closing_a_vote_prioritises_the_winner_with_an_audit_trail(
    db: Store, running: int
) -> None:
    tokens = [_join(db, running, group) for group in ("elus", "habitants", "habitants")]
    _switch_to_vote(db, running)
    ballots = [{"chg-jeunesse": 1}, {"chg-jeunesse": 1, "chg-enfance": 1}, {"chg-jeunesse": 1}]
    with db.session() as session:
        for n, (token, dots) in enumerate(zip(tokens, ballots, strict=True)):
            service.cast_ballot(session, running, token, "vote", DotBallot(dots=dots), f"b{n}")
        when = dt.datetime(2030, 3, 14, 18, 30, tzinfo=dt.UTC)
        outcome = service.close_step(session, running, "vote", author="Camille", when=when)
    assert outcome.decisions
    with db.read_session() as session:
        project = store.load_project(session, _project_id(db))
        by_group = service.step_results(session, running, "vote", by_group=True)
        recorded = service.step_outcome(session, running, "vote")
        history = store.project_revisions(session, _project_id(db))
    assert project.change("chg-jeunesse").status == ChangeStatus.prioritised
    assert project.change("chg-jeunesse").priority_rank == 1
    decision = project.decisions[-1]
    assert (decision.workshop, decision.step, decision.author, decision.date) == (
        "Atelier", "Vote à gommettes", "Camille", when
    )
    assert "chg-jeunesse" in decision.nodes
    assert isinstance(by_group, dict) and set(by_group) == {"elus", "habitants"}
    assert recorded is not None and recorded["revision"] == 2
    assert [r.author for r in history] == ["Camille", None]


def test_closing_a_brainstorm_turns_the_chosen_ideas_into_activities(
    db: Store, running: int
) -> None:
    token = _join(db, running)
    with db.session() as session:
        idea = service.post_idea(session, running, token, "idees", "col-familles",
                                 "Un guichet unique petite enfance", "1")
        assert idea.idea_id
        preview = service.preview_close(session, running, "idees", chosen_idea_ids=[idea.idea_id])
        assert not preview.applied
        service.close_step(session, running, "idees", author="Camille",
                           chosen_idea_ids=[idea.idea_id])
    with db.read_session() as session:
        project = store.load_project(session, _project_id(db))
    created = [a for a in project.activities if a.title == "Un guichet unique petite enfance"]
    assert len(created) == 1
    assert [link.to for link in created[0].contributes_to] == ["chg-familles-informees"]


def test_only_one_step_runs_at_a_time(db: Store, running: int) -> None:
    with pytest.raises(ServiceError) as refused, db.session() as session:
        service.start_step(session, running, "vote")
    assert refused.value.code == "not_allowed"
    assert "Clôturez d'abord l'étape en cours" in refused.value.message


def test_a_resent_facilitator_message_is_applied_once(db: Store, running: int) -> None:
    with db.session() as session:
        user = store.create_user(session, "anim@example.fr", "motdepasse")
        user_id = user.id
    message = FacilitatorMessage(user_id=user_id, client_id="close-1")
    with db.session() as session:
        service.close_step(session, running, "idees", message=message)
    with pytest.raises(service.AlreadyProcessed), db.session() as session:
        service.close_step(session, running, "idees", message=message)


def test_the_state_gives_a_returning_phone_its_own_ballot(db: Store, running: int) -> None:
    token = _join(db, running)
    _switch_to_vote(db, running)
    with db.session() as session:
        service.cast_ballot(session, running, token, "vote",
                            DotBallot(dots={"chg-enfance": 1}), "b")
    with db.read_session() as session:
        state = service.workshop_state(session, running, participant_token=token)
        stranger = service.workshop_state(session, running)
    assert state["current_step"].id == "vote"
    assert state["me"]["ballot"] == {"kind": "dot_vote", "dots": {"chg-enfance": 1}}
    assert state["results"].voters == 1
    assert stranger["me"] is None


def test_a_comment_on_the_vision_vote_is_kept_with_the_choice(db: Store, running: int) -> None:
    token = _join(db, running)
    with db.session() as session:
        service.close_step(session, running, "idees")
        service.start_step(session, running, "vision")
        service.cast_ballot(session, running, token, "vision",
                            ChoiceBallot(choices=["d-accord"], comment="Ajouter la mobilité"), "v")
        result = service.step_results(session, running, "vision")
    assert not isinstance(result, dict) and result.kind == "choice"
    assert result.comments == ["Ajouter la mobilité"]


def test_the_demo_is_loaded_once_with_five_steps_over_the_twelve_changes(db: Store) -> None:
    from theory_of_change.demo import demo_project

    with db.session() as session:
        first = service.ensure_demo(session, demo_project())
        second = service.ensure_demo(session, demo_project())
    assert first.created and not second.created
    assert second.workshop.id == first.workshop.id
    workshop = first.workshop
    assert workshop.status == WorkshopStatus.open
    assert [s.kind for s in workshop.steps] == [
        "brainstorm", "dot_vote", "ranking", "rating", "choice"
    ]
    vote = workshop.step("priorisation")
    assert vote.title == "Choisissez 5 changements parmi 12"
    assert isinstance(vote, DotVoteStep) and len(vote.options) == 12 and vote.budget == 5
    project = demo_project()
    prioritised = [c.id for c in project.changes if c.status == ChangeStatus.prioritised]
    assert [c.ref for c in workshop.steps[0].columns] == prioritised  # type: ignore[union-attr]
    assert [o.label for o in workshop.step("vision").options] == [  # type: ignore[union-attr]
        "D'accord", "D'accord avec modifications", "Pas d'accord"
    ]


def test_an_unknown_workshop_or_step_is_a_french_error(db: Store, running: int) -> None:
    with pytest.raises(ServiceError) as workshop, db.read_session() as session:
        service.get_workshop(session, 999)
    assert (workshop.value.code, workshop.value.message) == (
        "unknown_workshop", "Cet atelier n'existe pas."
    )
    token = _join(db, running)
    with pytest.raises(ServiceError) as step, db.session() as session:
        service.cast_ballot(session, running, token, "nulle-part",
                            DotBallot(dots={"a": 1}), "x")
    assert step.value.code == "unknown_step"


def test_a_project_that_does_not_exist_cannot_get_a_workshop(db: Store) -> None:
    with pytest.raises(ServiceError) as refused, db.session() as session:
        service.create_workshop(session, 12345, "Atelier")
    assert refused.value.code == "unknown_project"


def test_steps_of_a_workshop_have_unique_ids(db: Store, running: int) -> None:
    with pytest.raises(ServiceError) as refused, db.session() as session:
        service.add_step(session, running, make_choice_step(id="vision"))
    assert refused.value.code == "invalid_step"
    assert "apparaît deux fois" in refused.value.message

