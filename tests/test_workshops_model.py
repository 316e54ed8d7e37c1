"""The workshop model: steps, their write-back, participants, ideas, lifecycle."""

from __future__ import annotations

import pytest
from factories import (
    make_brainstorm_step,
    make_choice_step,
    make_dot_vote_step,
    make_idea,
    make_options,
    make_participant,
    make_project,
    make_ranking_step,
    make_rating_step,
    make_workshop,
)
from pydantic import ValidationError

from workshops.model import (
    STEP_ADAPTER,
    DotVoteStep,
    IdeasToNodes,
    ParticipantGroup,
    PrioritiseChanges,
    RecordVisionVote,
    StepStatus,
    WorkshopError,
    WorkshopStatus,
    check_participant,
    close_step,
    close_workshop,
    open_step,
    open_workshop,
    show_step,
)
from workshops.options import options_from_changes


def test_a_workshop_has_the_five_usual_groups_by_default_and_they_can_be_changed() -> None:
    assert [g.id for g in make_workshop().groups] == [
        "elus", "professionnels", "partenaires", "associations", "habitants",
    ]
    assert make_workshop().group_label("partenaires") == "Partenaires institutionnels"
    custom = make_workshop(groups=[ParticipantGroup(id="parents", label="Parents")])
    assert custom.group_ids() == ["parents"]


def test_duplicate_groups_or_steps_and_unknown_current_step_are_refused() -> None:
    with pytest.raises(ValidationError, match="le collège « elus » apparaît deux fois"):
        make_workshop(groups=[{"id": "elus", "label": "Élus"}, {"id": "elus", "label": "É"}])
    with pytest.raises(ValidationError, match="l'étape « etape-gommettes » apparaît deux fois"):
        make_workshop(steps=[make_dot_vote_step(), make_dot_vote_step()])
    with pytest.raises(ValidationError, match="l'étape courante « nulle-part » n'existe pas"):
        make_workshop(current_step="nulle-part")


def test_the_join_code_must_use_the_alphabet() -> None:
    with pytest.raises(ValidationError):
        make_workshop(code="KXO9HA")


def test_steps_parse_from_json_by_kind() -> None:
    step = STEP_ADAPTER.validate_python(
        {"kind": "dot_vote", "id": "v", "title": "Vote", "options": [{"id": "a", "label": "A"}],
         "budget": 5, "max_per_option": 2}
    )
    assert isinstance(step, DotVoteStep) and step.kind_label == "vote à gommettes"


def test_duplicate_options_and_inconsistent_limits_are_refused() -> None:
    with pytest.raises(ValidationError, match="l'option « opt-a » apparaît deux fois"):
        make_dot_vote_step(options=make_options(2) + make_options(1))
    with pytest.raises(ValidationError, match="le maximum par option \\(4\\) dépasse"):
        make_dot_vote_step(budget=3, max_per_option=4)
    with pytest.raises(ValidationError):
        make_rating_step(criteria=[{"id": c, "label": c} for c in ("a", "b", "c")])
    with pytest.raises(ValidationError, match="l'échelle de notation"):
        make_rating_step(scale_min=5, scale_max=5)
    with pytest.raises(ValidationError, match="vient du modèle mais n'a pas de référence"):
        make_ranking_step(options=[{"id": "x", "label": "X", "source": "change"},
                                   {"id": "y", "label": "Y"}])


def test_a_writeback_is_checked_against_the_step_kind() -> None:
    with pytest.raises(ValidationError, match="ne peut pas enregistrer le vote sur la vision"):
        make_dot_vote_step(writeback=RecordVisionVote())
    with pytest.raises(ValidationError, match="un remue-méninges ne peut pas prioriser"):
        make_brainstorm_step(writeback=PrioritiseChanges())
    with pytest.raises(ValidationError, match="notation.*ne peut pas prioriser"):
        make_rating_step(writeback=PrioritiseChanges(top_k=1))
    with pytest.raises(ValidationError, match="le vote sur la vision est un choix unique"):
        make_choice_step(multiple=True)


def test_prioritising_needs_change_options_and_enough_of_them() -> None:
    with pytest.raises(ValidationError, match="toutes les options doivent être des changements"):
        make_dot_vote_step(writeback=PrioritiseChanges(top_k=2))
    options = options_from_changes(make_project(), statuses=["prioritised"])  # 5 changes
    assert make_dot_vote_step(options=options, writeback=PrioritiseChanges(top_k=5))
    with pytest.raises(ValidationError, match="prioriser 6 changements parmi 5 options"):
        make_dot_vote_step(options=options, writeback=PrioritiseChanges(top_k=6))


def test_ideas_to_nodes_needs_idea_options_and_a_count_on_a_vote() -> None:
    idea_options = [{"id": f"i{n}", "label": f"Idée {n}", "source": "idea", "ref": f"i{n}"}
                    for n in range(3)]
    assert make_dot_vote_step(options=idea_options, writeback=IdeasToNodes(top_k=2))
    with pytest.raises(ValidationError, match="indiquez combien d'idées retenir"):
        make_dot_vote_step(options=idea_options, writeback=IdeasToNodes())
    with pytest.raises(ValidationError, match="toutes les options\\s+doivent être des idées"):
        make_ranking_step(writeback=IdeasToNodes(top_k=1))
    with pytest.raises(ValidationError, match="l'animateur choisit les idées"):
        make_brainstorm_step(writeback=IdeasToNodes(top_k=3))


def test_participants_have_a_short_optional_nickname_and_a_group_of_the_workshop() -> None:
    assert make_participant(nickname="   ").nickname is None
    with pytest.raises(ValidationError):
        make_participant(nickname="x" * 41)
    workshop = make_workshop()
    assert check_participant(workshop, make_participant()).group == "habitants"
    with pytest.raises(WorkshopError, match="Le collège « parents » n'existe pas"):
        check_participant(workshop, make_participant(group="parents"))


def test_ideas_are_stripped_limited_to_280_characters_and_upvoted_once_each() -> None:
    assert make_idea(text="  Une idée  ").text == "Une idée"
    assert make_idea(text="x" * 280)
    with pytest.raises(ValidationError):
        make_idea(text="x" * 281)
    with pytest.raises(ValidationError):
        make_idea(text="   ")
    assert make_idea(upvoters=["t1", "t2", "t1"]).upvoters == ["t1", "t2"]


def test_steps_run_one_at_a_time_and_a_closed_one_never_reopens() -> None:
    workshop = open_workshop(make_workshop())
    assert workshop.status == WorkshopStatus.open
    running = open_step(workshop, "etape-idees")
    assert (running.current_step, running.step("etape-idees").status) == (
        "etape-idees", StepStatus.open
    )
    with pytest.raises(WorkshopError, match="Clôturez d'abord l'étape en cours"):
        open_step(running, "etape-gommettes")
    with pytest.raises(WorkshopError, match="Clôturez d'abord l'étape « Quelles actions"):
        close_workshop(running)
    closed = close_step(running, "etape-idees")
    assert closed.step("etape-idees").status == StepStatus.closed
    assert closed.current_step == "etape-idees"  # its results stay on screen
    with pytest.raises(WorkshopError, match="est close : elle ne peut pas être relancée"):
        open_step(closed, "etape-idees")
    with pytest.raises(WorkshopError, match="seule une étape en cours peut être close"):
        close_step(closed, "etape-gommettes")
    following = open_step(closed, "etape-gommettes")
    assert following.current_step == "etape-gommettes"
    assert show_step(following, "etape-idees").current_step == "etape-idees"
    over = close_workshop(close_step(following, "etape-gommettes"))
    assert (over.status, over.current_step) == (WorkshopStatus.closed, None)
    assert make_workshop().status == WorkshopStatus.draft  # nothing was mutated


def test_a_workshop_must_be_open_and_have_steps_to_run() -> None:
    with pytest.raises(WorkshopError, match="Ouvrez l'atelier"):
        open_step(make_workshop(), "etape-idees")
    with pytest.raises(WorkshopError, match="Ajoutez au moins une étape"):
        open_workshop(make_workshop(steps=[]))
    with pytest.raises(WorkshopError, match="L'étape « inconnue » n'existe pas"):
        open_step(open_workshop(make_workshop()), "inconnue")


def test_two_open_steps_cannot_be_loaded() -> None:
    with pytest.raises(ValidationError, match="une seule étape peut être ouverte"):
        make_workshop(steps=[make_dot_vote_step(status="open"), make_ranking_step(status="open")])
