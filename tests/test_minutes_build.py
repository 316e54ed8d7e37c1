"""The minutes of a workshop: what ``build_minutes`` gathers, computed with the tallies.

The workshop is ``make_minutes_inputs``: 12 participants, a brainstorm with a merge and a
hidden idea, a dot vote of 5 among 12 with a tie at the 5th place, a ranking that is a
Condorcet cycle, a rating on two criteria, a vision vote with comments, a pending step.
"""

from __future__ import annotations

import datetime as dt

import pytest
from factories import (
    MINUTES_DOTS,
    MinutesInputs,
    make_brainstorm_step,
    make_idea,
    make_minutes_inputs,
    make_participant,
    make_ranking_step,
    make_workshop,
    minutes_token,
)

from theory_of_change.model import Decision
from workshops.minutes import (
    Minutes,
    MinutesError,
    build_minutes,
    condorcet_cycle,
    summarise_participants,
)
from workshops.model import (
    ChoiceBallot,
    DotBallot,
    Option,
    RankingBallot,
    StepKind,
    StepStatus,
)
from workshops.tallies import (
    BrainstormResult,
    ChoiceResult,
    DotVoteResult,
    RankingResult,
    RatingResult,
)

GENERATED_ON = dt.date(2025, 6, 13)


def minutes_of(inputs: MinutesInputs, **options: object) -> Minutes:
    return build_minutes(
        inputs.workshop, inputs.participants, inputs.ideas, inputs.ballots, inputs.decisions,
        generated_on=GENERATED_ON, **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def inputs() -> MinutesInputs:
    return make_minutes_inputs()


@pytest.fixture(scope="module")
def minutes(inputs: MinutesInputs) -> Minutes:
    return minutes_of(inputs, project_title=inputs.project.title)


# --- Header and participants ------------------------------------------------------------------


def test_minutes_name_the_workshop_the_project_and_the_day_it_was_held(
    minutes: Minutes,
) -> None:
    assert minutes.title == "Compte-rendu de l'atelier « Atelier du cercle projet de territoire »"
    assert minutes.project_id == "projet-test"
    assert minutes.project_title == "CTG du Test 2025-2029"
    assert minutes.workshop_status_label == "terminé"
    assert minutes.generated_on == GENERATED_ON
    # Without held_on, the day comes from the decisions (closed at 10 h 30…11 h 50, Paris).
    assert minutes.held_on == [dt.date(2025, 6, 12)]


def test_held_on_given_wins_over_the_dates_of_the_decisions(inputs: MinutesInputs) -> None:
    minutes = minutes_of(inputs, held_on=dt.date(2025, 6, 11))
    assert minutes.held_on == [dt.date(2025, 6, 11)]


def test_participants_are_counted_by_college_and_said_in_one_french_sentence(
    minutes: Minutes,
) -> None:
    summary = minutes.participants
    assert summary.total == 12
    assert [(g.label, g.count) for g in summary.groups] == [
        ("Élus", 4),
        ("Professionnels", 3),
        ("Partenaires institutionnels", 2),
        ("Associations", 0),
        ("Habitants", 2),
        ("Sans collège indiqué", 1),
    ]
    assert summary.sentence == (
        "12 participants dont 4 élus, 3 professionnels, 2 partenaires institutionnels, "
        "2 habitants et 1 sans collège indiqué."
    )


def test_minutes_are_anonymous_unless_nicknames_are_asked_for(
    inputs: MinutesInputs, minutes: Minutes
) -> None:
    assert minutes.participants.nicknames == []
    assert "Camille" not in minutes.model_dump_json()
    named = minutes_of(inputs, named=True)
    assert named.participants.nicknames == ["Camille", "Dominique"]


def test_a_college_of_one_is_written_in_the_singular() -> None:
    workshop = make_workshop()
    people = [
        make_participant(token="a", group="elus"),
        make_participant(token="b", group="partenaires"),
        make_participant(token="c", group="habitants"),
        make_participant(token="d", group="habitants"),
    ]
    summary = summarise_participants(workshop, people)
    assert summary.sentence == (
        "4 participants dont 1 élu, 1 partenaire institutionnel et 2 habitants."
    )


def test_a_workshop_without_participants_says_so() -> None:
    summary = summarise_participants(make_workshop(), [])
    assert summary.total == 0
    assert summary.sentence == "Aucun participant ne s'est connecté à cet atelier."
    assert all(group.count == 0 for group in summary.groups)


# --- Steps ------------------------------------------------------------------------------------


def test_every_step_comes_in_order_with_its_kind_title_prompt_and_status(
    minutes: Minutes,
) -> None:
    assert [(s.number, s.kind, s.status) for s in minutes.steps] == [
        (1, StepKind.brainstorm, StepStatus.closed),
        (2, StepKind.dot_vote, StepStatus.closed),
        (3, StepKind.ranking, StepStatus.closed),
        (4, StepKind.rating, StepStatus.closed),
        (5, StepKind.choice, StepStatus.closed),
        (6, StepKind.choice, StepStatus.pending),
    ]
    dot_vote = minutes.steps[1]
    assert dot_vote.title == "Priorisez 5 changements parmi 12"
    assert dot_vote.prompt == "Placez vos 5 gommettes sur les changements qui comptent le plus."
    assert dot_vote.kind_label == "vote à gommettes"
    assert dot_vote.rules == (
        "5 gommettes par participant, au plus 1 sur une même option, parmi 12 options."
    )
    assert [s.participation for s in minutes.steps] == [12, 12, 12, 6, 12, 0]


def test_a_step_never_started_has_no_result(minutes: Minutes) -> None:
    pending = minutes.steps[5]
    assert pending.status_label == "à venir"
    assert pending.result is None
    assert pending.by_group == [] and pending.decisions == []


def test_brainstorm_shows_ideas_by_column_with_merges_and_without_hidden_ideas(
    minutes: Minutes,
) -> None:
    step = minutes.steps[0]
    assert isinstance(step.result, BrainstormResult)
    walls = {
        column.label: [(card.id, card.upvotes, [m.id for m in card.merged])
                       for card in column.ideas]
        for column in step.result.columns
    }
    # idee-1 (1, 2, 3) ∪ merged idee-2 (3, 4) → 4 upvotes; idee-4 is hidden.
    assert walls == {
        "Les familles sont informées": [("idee-1", 4, ["idee-2"]), ("idee-3", 1, [])],
        "Changement pour l'enfance": [("idee-5", 2, []), ("idee-6", 0, [])],
    }
    assert (step.ideas_posted, step.ideas_merged, step.ideas_hidden, step.upvotes) == (
        6, 1, 1, 7,
    )
    assert step.notes == ["1 idée masquée par l'animation ne figure pas dans ce compte-rendu."]
    assert "hors sujet" not in step.model_dump_json()


def test_a_hidden_idea_merged_into_a_visible_one_is_not_shown_under_it() -> None:
    step = make_brainstorm_step(status=StepStatus.closed)
    workshop = make_workshop(steps=[step])
    ideas = [
        make_idea(id="cible"),
        make_idea(id="doublon", text="Même idée", merged_into="cible"),
        make_idea(id="insulte", text="Propos déplacé", merged_into="cible", hidden=True),
    ]
    minutes = build_minutes(workshop, [], ideas, [], [], generated_on=GENERATED_ON)
    result = minutes.steps[0].result
    assert isinstance(result, BrainstormResult)
    card = result.columns[0].ideas[0]
    assert [m.id for m in card.merged] == ["doublon"]
    assert minutes.steps[0].ideas_hidden == 1
    assert minutes.steps[0].ideas_merged == 1


def test_dot_vote_keeps_the_tie_at_the_fifth_place_as_a_tie(minutes: Minutes) -> None:
    step = minutes.steps[1]
    assert isinstance(step.result, DotVoteResult)
    rows = step.result.rows
    assert [(r.option_id, r.dots) for r in rows[:10]] == list(MINUTES_DOTS.items())
    assert [r.rank for r in rows] == [1, 2, 3, 4, 5, 5, 7, 8, 9, 10, 11, 11]
    assert [r.option_id for r in rows if r.tied and r.dots] == [
        "chg-acces-aux-droits", "chg-extra-6",
    ]
    assert step.notes == [
        "Égalité au 5e rang entre «\u00a0Changement pour acces-aux-droits\u00a0» et "
        "«\u00a0Changement proposé numéro 6\u00a0» (5 gommettes chacune)."
    ]


def test_vote_results_are_broken_down_by_college_and_add_up(minutes: Minutes) -> None:
    step = minutes.steps[1]
    assert isinstance(step.result, DotVoteResult)
    assert [(g.label, g.voters) for g in step.by_group] == [
        ("Élus", 4),
        ("Professionnels", 3),
        ("Partenaires institutionnels", 2),
        ("Habitants", 2),
        ("Sans collège indiqué", 1),
    ]
    for row in step.result.rows:
        by_group = [
            next(r.dots for r in group.result.rows if r.option_id == row.option_id)  # type: ignore[union-attr]
            for group in step.by_group
        ]
        assert sum(by_group) == row.dots


def test_ranking_reports_the_condorcet_cycle_and_the_borda_tie(minutes: Minutes) -> None:
    step = minutes.steps[2]
    result = step.result
    assert isinstance(result, RankingResult)
    # A beats B 8–4, B beats C 9–3, C beats A 7–5: Schulze still orders A, B, C.
    assert result.schulze.ranks == [["piste-laep"], ["piste-mercredi"], ["piste-pij"]]
    assert result.schulze.condorcet_winner is None
    assert condorcet_cycle(result) == [
        ("piste-laep", "piste-mercredi"),
        ("piste-mercredi", "piste-pij"),
        ("piste-pij", "piste-laep"),
    ]
    assert step.notes == [
        "Cycle de Condorcet : «\u00a0Ouvrir un lieu d'accueil enfants-parents\u00a0» bat "
        "«\u00a0Développer l'accueil du mercredi\u00a0» (8 contre 4), «\u00a0Développer "
        "l'accueil du mercredi\u00a0» bat «\u00a0Créer un point information jeunesse "
        "itinérant\u00a0» (9 contre 3) et «\u00a0Créer un point information jeunesse "
        "itinérant\u00a0» bat «\u00a0Ouvrir un lieu d'accueil enfants-parents\u00a0» (7 contre "
        "5). Il n'y a donc pas de gagnant de Condorcet.",
        "Méthode de Borda : égalité au 1er rang entre «\u00a0Ouvrir un lieu d'accueil "
        "enfants-parents\u00a0» et «\u00a0Développer l'accueil du mercredi\u00a0» (13 points "
        "chacune).",
    ]


def _ranking_minutes(*orders: str) -> Minutes:
    step = make_ranking_step(
        status=StepStatus.closed,
        options=[Option(id=c, label=f"Piste {c}") for c in "ABC"],
    )
    workshop = make_workshop(steps=[step])
    ballots = [(step.id, RankingBallot(order=list(order)), None) for order in orders]
    return build_minutes(workshop, [], [], ballots, [], generated_on=GENERATED_ON)


def test_a_symmetric_cycle_is_an_all_way_tie_under_schulze() -> None:
    step = _ranking_minutes("ABC", "BCA", "CAB").steps[0]
    assert (
        "Méthode de Schulze : «\u00a0Piste A\u00a0», «\u00a0Piste B\u00a0» et "
        "«\u00a0Piste C\u00a0» sont à égalité au 1er rang."
    ) in step.notes
    assert step.notes[0].startswith("Cycle de Condorcet : ")


def test_a_condorcet_winner_is_named() -> None:
    step = _ranking_minutes("ABC", "ACB", "BAC").steps[0]
    assert step.notes[0] == (
        "Gagnant de Condorcet : «\u00a0Piste A\u00a0» gagne chacun de ses duels."
    )


def test_rating_places_each_option_in_the_matrix(minutes: Minutes) -> None:
    result = minutes.steps[3].result
    assert isinstance(result, RatingResult)
    cells = {row.option_id: row.quadrant.label for row in result.rows if row.quadrant}
    assert cells == {
        "act-guide": "Impact fort / Faisabilité forte",
        "act-navette": "Impact fort / Faisabilité faible",
        "act-cafe": "Impact faible / Faisabilité forte",
        "act-portail": "Impact faible / Faisabilité faible",
    }
    guide = next(row for row in result.rows if row.option_id == "act-guide")
    # Impact 5, 4, 5, 4, 5, 4 → 4,5; faisabilité 5, 5, 4, 4, 5, 4 → 4,5.
    assert [(s.mean, s.median, s.count) for s in guide.stats] == [(4.5, 4.5, 6), (4.5, 4.5, 6)]
    assert [(g.label, g.voters) for g in minutes.steps[3].by_group] == [
        ("Élus", 4), ("Professionnels", 2),
    ]


def test_vision_vote_keeps_its_comments_without_their_authors(minutes: Minutes) -> None:
    step = minutes.steps[4]
    result = step.result
    assert isinstance(result, ChoiceResult)
    assert [(r.label, r.count) for r in result.rows] == [
        ("D'accord", 7), ("D'accord avec modifications", 4), ("Pas d'accord", 1),
    ]
    assert result.comments == ["Ajouter la mobilité des jeunes", "Trop vague sur les moyens"]
    assert minutes_token(8) not in step.model_dump_json()


# --- What was written into the model ------------------------------------------------------------


def test_only_this_workshops_decisions_are_kept_in_date_order(minutes: Minutes) -> None:
    assert [d.step for d in minutes.decisions] == [
        "Quelles actions pour ces changements ?",
        "Priorisez 5 changements parmi 12",
        "Validez-vous la vision ?",
    ]
    assert all(d.workshop == "Atelier du cercle projet de territoire" for d in minutes.decisions)
    assert "Décision d'un autre atelier." not in minutes.model_dump_json()


def test_each_step_carries_what_closing_it_wrote(minutes: Minutes) -> None:
    written = {step.number: [d.summary for d in step.decisions] for step in minutes.steps}
    assert written[1][0].startswith("1 idée transformée en action")
    assert "Égalité non départagée à la 5e place" in written[2][0]
    assert written[3] == [] and written[4] == []
    assert written[5][0].startswith("Vote sur la vision (12 votants) : d'accord : 7 (58 %)")


# --- Bad input and round trip ---------------------------------------------------------------


def test_a_ballot_for_a_step_the_workshop_lacks_is_refused_in_french(
    inputs: MinutesInputs,
) -> None:
    ballots = [*inputs.ballots, ("etape-inconnue", DotBallot(dots={"x": 1}), None)]
    with pytest.raises(MinutesError, match="l'étape « etape-inconnue », qui n'existe pas"):
        build_minutes(inputs.workshop, inputs.participants, inputs.ideas, ballots, [],
                      generated_on=GENERATED_ON)


def test_a_ballot_of_the_wrong_kind_is_refused_in_french(inputs: MinutesInputs) -> None:
    ballots = [("etape-gommettes", ChoiceBallot(choices=["x"]), None)]
    with pytest.raises(MinutesError, match="Un bulletin de type « choice »"):
        build_minutes(inputs.workshop, inputs.participants, inputs.ideas, ballots, [],
                      generated_on=GENERATED_ON)


def test_an_open_step_is_marked_provisional() -> None:
    step = make_ranking_step(status=StepStatus.open)
    workshop = make_workshop(steps=[step], status="open", current_step=step.id)
    ballots = [(step.id, RankingBallot(order=["opt-a"]), "elus")]
    minutes = build_minutes(workshop, [], [], ballots, [], generated_on=GENERATED_ON)
    assert minutes.steps[0].notes[0] == "Résultats provisoires : l'étape était encore en cours."


def test_minutes_cross_the_wire_as_json_unchanged(minutes: Minutes) -> None:
    assert Minutes.model_validate_json(minutes.model_dump_json()) == minutes


def test_a_decision_without_time_zone_is_taken_as_utc_and_sorted_with_the_others(
    inputs: MinutesInputs,
) -> None:
    naive = Decision(date=dt.datetime(2025, 6, 12, 7, 0), summary="Saisie à la main.",
                     workshop=inputs.workshop.title, step="Hors étape")
    minutes = build_minutes(
        inputs.workshop, inputs.participants, inputs.ideas, inputs.ballots,
        [*inputs.decisions, naive], generated_on=GENERATED_ON,
    )
    # 7 h UTC is 9 h in Paris, before the first step closed (8 h 30 UTC).
    assert [d.summary for d in minutes.decisions][0] == "Saisie à la main."
    assert minutes.held_on == [dt.date(2025, 6, 12)]
