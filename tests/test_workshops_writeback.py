"""Closing a step writes its result into a new project, with an audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import (
    make_brainstorm_step,
    make_choice_step,
    make_dot_vote_step,
    make_idea,
    make_project,
    make_project_with_proposed_changes,
    make_ranking_step,
    make_workshop,
    revalidated,
)

from theory_of_change.model import ActivityKind, ChangeStatus, MarkerLevel
from workshops.model import (
    ChoiceBallot,
    Column,
    DotBallot,
    IdeasToNodes,
    PrioritiseChanges,
    RankingBallot,
)
from workshops.options import (
    VISION_AGREE,
    VISION_AGREE_WITH_CHANGES,
    VISION_DISAGREE,
    options_from_changes,
    options_from_ideas,
)
from workshops.tallies import tally
from workshops.writeback import WriteBackError, apply_step_result, preview

WHEN = dt.datetime(2025, 11, 18, 18, 30, tzinfo=dt.UTC)


def statuses(project) -> dict[str, tuple[str, int | None]]:
    return {c.id: (c.status.value, c.priority_rank) for c in project.changes}


# --- Prioritise the top 5 of 12 changes -----------------------------------------------------


def twelve_changes_vote(**writeback):
    project = make_project_with_proposed_changes(12)
    step = make_dot_vote_step(
        title="Priorisation des changements",
        options=options_from_changes(project),
        budget=5,
        max_per_option=1,
        writeback=PrioritiseChanges(top_k=5, **writeback),
    )
    workshop = make_workshop(steps=[step])
    return project, workshop, step, [c.id for c in project.changes]


def test_top_5_of_12_changes_are_prioritised_in_order_with_an_audit_trail() -> None:
    project, workshop, step, c = twelve_changes_vote()
    sets = [
        (6, [0, 1, 2, 3, 4]),  # six voters: one dot on each of c1..c5
        (1, [0, 1, 2, 3, 5]),
        (1, [0, 1, 2, 5, 6]),
        (1, [0, 1, 5, 6, 7]),
        (1, [0, 5, 6, 7, 8]),
    ]
    cast = [DotBallot(dots={c[i]: 1 for i in picks}) for n, picks in sets for _ in range(n)]
    # c1 = 6 + 1 + 1 + 1 + 1 = 10   c2 = 6 + 1 + 1 + 1 = 9   c3 = 6 + 1 + 1 = 8
    # c4 = 6 + 1 = 7                c5 = 6                   c6 = 1 + 1 + 1 + 1 = 4
    # c7 = 1 + 1 + 1 = 3            c8 = 1 + 1 = 2           c9 = 1     c10..c12 = 0
    # 10 + 9 + 8 + 7 + 6 + 4 + 3 + 2 + 1 = 50 dots = 10 voters × 5.
    result = tally(step, cast)
    assert [r.dots for r in result.rows][:9] == [10, 9, 8, 7, 6, 4, 3, 2, 1]

    outcome = apply_step_result(project, workshop, step, result, when=WHEN, author="Claire")

    after = statuses(outcome.project)
    assert [after[c[i]] for i in range(5)] == [("prioritised", rank) for rank in (1, 2, 3, 4, 5)]
    assert {after[c[i]] for i in range(5, 12)} == {("proposed", None)}
    assert {s for s in statuses(project).values()} == {("proposed", None)}  # not mutated
    assert outcome.applied and outcome.warnings == [] and outcome.tied == []

    (decision,) = outcome.decisions
    assert outcome.project.decisions == [decision]
    assert (decision.date, decision.workshop, decision.step, decision.author) == (
        WHEN, "Atelier de priorisation", "Priorisation des changements", "Claire"
    )
    assert decision.nodes == c[:5]
    assert decision.summary.startswith(
        "Priorisation des changements (vote à gommettes, 10 votants) : 1. Les familles"
    )
    assert "5. Changement pour acces-aux-droits" in decision.summary
    assert outcome.summary[0] == (
        "« Les familles connaissent les modes d'accueil du territoire » : priorisé, rang 1, "
        "10 gommettes."
    )
    assert outcome.summary[-1] == "7 autres changements du vote : statut inchangé."


def tie_vote(ties: str):
    project = make_project_with_proposed_changes(6)
    step = make_dot_vote_step(options=options_from_changes(project), budget=3,
                              max_per_option=1,
                              writeback=PrioritiseChanges(top_k=3, ties=ties))
    c = [change.id for change in project.changes]
    cast = [DotBallot(dots={c[i]: 1 for i in picks})
            for picks in ([0, 1, 2], [0, 1, 3], [0, 2, 3], [0, 4, 5])]
    # c1 = 4; c2 = 2, c3 = 2, c4 = 2 (tied 2nd for the 2 places left); c5 = 1, c6 = 1.
    outcome = apply_step_result(project, make_workshop(steps=[step]), step, tally(step, cast),
                                when=WHEN, author=None)
    return outcome, c


def test_a_tie_across_the_kth_place_is_reported_and_left_undecided_by_default() -> None:
    outcome, c = tie_vote("leave_proposed")
    after = statuses(outcome.project)
    assert after[c[0]] == ("prioritised", 1)
    assert {after[i] for i in c[1:]} == {("proposed", None)}
    assert outcome.tied == c[1:4]
    (warning,) = outcome.warnings
    assert warning.startswith("Égalité à la 2e place entre « Changement pour enfance »")
    assert "« Changement pour jeunesse » et « Changement pour parentalite » pour 2 places " \
           "restantes : ces changements restent proposés" in warning
    assert "Égalité non départagée à la 2e place" in outcome.decisions[0].summary


def test_a_tie_across_the_kth_place_can_prioritise_all_tied_changes() -> None:
    outcome, c = tie_vote("include_all")
    after = statuses(outcome.project)
    assert [after[i] for i in c[:4]] == [("prioritised", 1)] + [("prioritised", 2)] * 3
    assert outcome.warnings[0].endswith("soit 4 changements au lieu de 3.")
    assert "rang 2 (ex æquo)" in outcome.summary[1]


def test_a_ranking_prioritises_by_schulze_or_borda_as_configured() -> None:
    # The Wikipedia example: Schulze gives E > A > C > B > D, Borda E > A > B > C > D
    # (E = 102, A = 98, B = 92, C = 89, D = 69 points).
    project = make_project_with_proposed_changes(5)
    c = dict(zip("ABCDE", (ch.id for ch in project.changes), strict=True))
    spec = [(5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"), (7, "CAEBD"),
            (2, "CBADE"), (7, "DCEBA"), (8, "EBADC")]
    cast = [RankingBallot(order=[c[x] for x in order]) for n, order in spec for _ in range(n)]
    for method, expected in (("schulze", "EAC"), ("borda", "EAB")):
        step = make_ranking_step(options=options_from_changes(project),
                                 writeback=PrioritiseChanges(top_k=3, method=method))
        outcome = apply_step_result(project, make_workshop(steps=[step]), step,
                                    tally(step, cast), when=WHEN, author=None)
        after = statuses(outcome.project)
        assert [after[c[x]] for x in expected] == [("prioritised", r) for r in (1, 2, 3)]
        assert {x for x in "ABCDE" if after[c[x]][0] == "proposed"} == set("ABCDE") - set(
            expected
        )
    assert "102 points Borda" in outcome.summary[0]


def test_a_change_no_longer_in_the_top_k_goes_back_to_proposed() -> None:
    project = make_project()  # five prioritised changes, ranks 1..5
    step = make_ranking_step(
        options=options_from_changes(project, statuses=[ChangeStatus.prioritised]),
        writeback=PrioritiseChanges(top_k=2),
    )
    order = ["chg-jeunesse", "chg-enfance"]  # partial ranking: the other three tie last
    outcome = apply_step_result(project, make_workshop(steps=[step]), step,
                                tally(step, [RankingBallot(order=order)]), when=WHEN,
                                author=None)
    after = statuses(outcome.project)
    assert after["chg-jeunesse"] == ("prioritised", 1)
    assert after["chg-enfance"] == ("prioritised", 2)
    assert after["chg-familles-informees"] == ("proposed", None)
    assert "« Les familles connaissent les modes d'accueil du territoire » : n'est plus " \
           "priorisé, redevient proposé." in outcome.summary
    assert set(outcome.decisions[0].nodes) == set(after)


def test_a_rank_already_held_outside_the_vote_is_flagged() -> None:
    base = make_project_with_proposed_changes(6)
    changes = [ch.model_copy(update={"status": ChangeStatus.prioritised, "priority_rank": 1})
               if ch.id == "chg-familles-informees" else ch for ch in base.changes]
    project = revalidated(base.model_copy(update={"changes": changes}))
    step = make_dot_vote_step(options=options_from_changes(project),  # the 5 others
                              writeback=PrioritiseChanges(top_k=1))
    cast = [DotBallot(dots={"chg-enfance": 1})]
    outcome = apply_step_result(project, make_workshop(steps=[step]), step, tally(step, cast),
                                when=WHEN, author=None)
    assert outcome.warnings == [
        "« Les familles connaissent les modes d'accueil du territoire », hors de ce vote, a "
        "déjà le rang 1 : revoyez l'ordre des priorités."
    ]


def test_nobody_voting_writes_nothing() -> None:
    project, workshop, step, _ = twelve_changes_vote()
    outcome = apply_step_result(project, workshop, step, tally(step, []), when=WHEN, author=None)
    assert outcome.decisions == [] and outcome.project == project
    assert outcome.summary == ["Personne n'a voté : aucun changement n'est priorisé."]


def test_a_change_removed_from_the_project_since_the_vote_is_refused() -> None:
    project, workshop, step, c = twelve_changes_vote()
    smaller = make_project()  # has none of the chg-extra-* changes
    result = tally(step, [DotBallot(dots={c[0]: 1})])
    with pytest.raises(WriteBackError, match="Le changement « Changement proposé numéro 6 » "
                                             "n'existe plus dans le projet"):
        apply_step_result(smaller, workshop, step, result, when=WHEN, author=None)


# --- Preview ----------------------------------------------------------------------------------


def test_preview_shows_what_closing_will_write_without_applying_it() -> None:
    project, workshop, step, c = twelve_changes_vote()
    result = tally(step, [DotBallot(dots={c[2]: 1})])
    seen = preview(project, workshop, step, result, when=WHEN)
    done = apply_step_result(project, workshop, step, result, when=WHEN, author=None)
    assert not seen.applied and seen.headline == "Clore cette étape écrira dans le modèle :"
    assert seen.summary == done.summary and seen.project == done.project
    assert seen.text.splitlines()[1].startswith("- « Changement pour jeunesse » : priorisé, rang 1")
    assert project.decisions == []


def test_a_step_without_writeback_writes_nothing_and_another_steps_result_is_refused() -> None:
    project = make_project()
    step = make_dot_vote_step()
    workshop = make_workshop()
    outcome = preview(project, workshop, step, tally(step, []))
    assert outcome.headline == "Clore cette étape n'écrira rien dans le modèle."
    assert outcome.summary == ["Cette étape n'écrit rien dans le modèle."]
    with pytest.raises(WriteBackError, match="n'est pas celui de l'étape"):
        apply_step_result(project, workshop, make_ranking_step(), tally(step, []), when=WHEN,
                          author=None)


# --- Vision vote ------------------------------------------------------------------------------


def test_the_vision_vote_is_recorded_with_its_counts_and_comments() -> None:
    project = make_project()
    step = make_choice_step()
    cast = [ChoiceBallot(choices=[VISION_AGREE])] * 5 + [
        ChoiceBallot(choices=[VISION_AGREE_WITH_CHANGES], comment="Citer les aînés"),
        ChoiceBallot(choices=[VISION_AGREE_WITH_CHANGES]),
        ChoiceBallot(choices=[VISION_DISAGREE]),
    ]
    outcome = apply_step_result(project, make_workshop(), step, tally(step, cast), when=WHEN,
                                author="Claire")
    (decision,) = outcome.project.decisions
    # 5 / 8 = 62.5 % → 62 % (rounded to even), 2 / 8 = 25 %, 1 / 8 = 12.5 % → 12 %.
    assert decision.summary == (
        "Vote sur la vision (8 votants) : d'accord : 5 (62 %), d'accord avec modifications : "
        "2 (25 %), pas d'accord : 1 (12 %). Commentaires : « Citer les aînés »"
    )
    assert decision.nodes == ["vision"] and decision.step == "Validez-vous la vision ?"
    assert outcome.project.changes == project.changes  # nothing else written


# --- Ideas into the model ---------------------------------------------------------------------


def brainstorm(target: str, **writeback):
    step = make_brainstorm_step(writeback=IdeasToNodes(target=target, **writeback))
    return step, make_workshop(steps=[step])


def test_chosen_ideas_become_activities_of_their_columns_change() -> None:
    project = make_project()
    before = project.model_dump()
    step, workshop = brainstorm("activity")
    ideas = [
        make_idea(id="i1", text="Guide des modes d'accueil"),
        make_idea(id="i2", text="Guide des modes d'accueil", column="col-enfance"),
        make_idea(id="i3", text="Jamais choisie"),
    ]
    outcome = apply_step_result(project, workshop, step, tally(step, [], ideas=ideas),
                                when=WHEN, author=None, chosen_ideas=ideas[:2])
    new = outcome.project.activities[len(project.activities):]
    # Same text twice: unique_slug adds "-2" to the second id.
    assert [(a.id, a.kind, [link.to for link in a.contributes_to], a.themes) for a in new] == [
        ("act-guide-des-modes-d-accueil", ActivityKind.new, ["chg-familles-informees"],
         ["petite-enfance"]),
        ("act-guide-des-modes-d-accueil-2", ActivityKind.new, ["chg-enfance"], ["enfance"]),
    ]
    (decision,) = outcome.decisions
    assert decision.nodes == ["act-guide-des-modes-d-accueil", "act-guide-des-modes-d-accueil-2"]
    assert decision.summary.startswith("2 idées transformées en actions (remue-méninges")
    assert project.model_dump() == before  # the given project is untouched


def test_chosen_ideas_become_progress_markers_of_the_columns_change() -> None:
    step, workshop = brainstorm("marker", marker_level=MarkerLevel.love)
    idea = make_idea(text="Les parents viennent au guichet")
    outcome = apply_step_result(make_project(), workshop, step, tally(step, [], ideas=[idea]),
                                when=WHEN, author=None, chosen_ideas=[idea])
    marker = outcome.project.marker("mq-les-parents-viennent-au-guichet")
    assert (marker.change, marker.level, marker.text) == (
        "chg-familles-informees", MarkerLevel.love, "Les parents viennent au guichet"
    )
    assert outcome.summary == [
        "Nouveau marqueur de progrès « Les parents viennent au guichet » "
        "(mq-les-parents-viennent-au-guichet) du changement « Les familles connaissent les "
        "modes d'accueil du territoire »."
    ]


def test_an_idea_outside_a_change_column_cannot_become_a_marker() -> None:
    step = make_brainstorm_step(columns=[Column(id="libre", label="Idées libres")],
                                writeback=IdeasToNodes(target="marker"))
    idea = make_idea(column="libre")
    with pytest.raises(WriteBackError, match="rattachée à un changement"):
        apply_step_result(make_project(), make_workshop(steps=[step]), step,
                          tally(step, [], ideas=[idea]), when=WHEN, author=None,
                          chosen_ideas=[idea])


def test_chosen_ideas_become_stakes_of_their_columns_theme() -> None:
    step = make_brainstorm_step(
        columns=[Column(id="col-jeunesse", label="Jeunesse", ref="jeunesse")],
        writeback=IdeasToNodes(target="stake"),
    )
    idea = make_idea(column="col-jeunesse", text="Des lieux pour les 15-18 ans")
    outcome = apply_step_result(make_project(), make_workshop(steps=[step]), step,
                                tally(step, [], ideas=[idea]), when=WHEN, author=None,
                                chosen_ideas=[idea])
    stake = outcome.project.stake("enjeu-des-lieux-pour-les-15-18-ans")
    assert (stake.title, stake.theme, stake.retained) == (
        "Des lieux pour les 15-18 ans", "jeunesse", True
    )


def test_a_vote_on_ideas_turns_its_top_ideas_into_activities() -> None:
    ideas = [make_idea(id="i1", text="Guide papier"), make_idea(id="i2", text="Site internet"),
             make_idea(id="i3", text="Permanence")]
    brainstorm_step = make_brainstorm_step()
    vote = make_dot_vote_step(id="vote-idees", options=options_from_ideas(ideas),
                              writeback=IdeasToNodes(target="activity", top_k=1))
    workshop = make_workshop(steps=[brainstorm_step, vote])
    # Site internet: 2 + 1 = 3 dots; Guide papier: 1; Permanence: 0.
    cast = [DotBallot(dots={"i2": 2, "i1": 1}), DotBallot(dots={"i2": 1})]
    outcome = apply_step_result(make_project(), workshop, vote, tally(vote, cast), when=WHEN,
                                author=None, chosen_ideas=ideas)
    assert outcome.nodes == ["act-site-internet"]
    activity = outcome.project.activity("act-site-internet")
    assert [link.to for link in activity.contributes_to] == ["chg-familles-informees"]


def test_a_merged_idea_cannot_be_chosen() -> None:
    step, workshop = brainstorm("activity")
    ideas = [make_idea(id="i1"), make_idea(id="i2", merged_into="i1")]
    with pytest.raises(WriteBackError, match="a été fusionnée dans une autre"):
        apply_step_result(make_project(), workshop, step, tally(step, [], ideas=ideas),
                          when=WHEN, author=None, chosen_ideas=ideas[1:])
