"""Tallies, checked against results computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from factories import (
    make_brainstorm_step,
    make_choice_step,
    make_dot_vote_step,
    make_idea,
    make_options,
    make_rating_step,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from workshops.model import (
    ChoiceBallot,
    ChoiceStep,
    DotBallot,
    Option,
    RankingBallot,
    RankingStep,
    RatingBallot,
)
from workshops.options import VISION_AGREE, VISION_AGREE_WITH_CHANGES, VISION_DISAGREE
from workshops.tallies import (
    STEP_RESULT_ADAPTER,
    TallyError,
    tally,
    tally_by_group,
)
from workshops.tallies.ranking import borda_points


def letters_step(letters: str) -> RankingStep:
    """A ranking whose option ids are single letters, as in the textbook examples."""
    return RankingStep(
        id="classement", title="Classement", options=[Option(id=c, label=c) for c in letters]
    )


def ballots(*spec: tuple[int, str]) -> list[RankingBallot]:
    """``(count, "ACB")`` → ``count`` ballots ranking A, then C, then B."""
    return [RankingBallot(order=list(order)) for count, order in spec for _ in range(count)]


# --- Dot vote --------------------------------------------------------------------------------


def test_dot_vote_sums_dots_counts_voters_and_sorts() -> None:
    step = make_dot_vote_step()  # options opt-a..opt-d, 3 dots, at most 2 per option
    cast = [
        DotBallot(dots={"opt-a": 2, "opt-b": 1}),
        DotBallot(dots={"opt-b": 2, "opt-c": 1}),
        DotBallot(dots={"opt-a": 1, "opt-c": 1, "opt-d": 1}),
        DotBallot(dots={"opt-b": 1}),
    ]
    # A: 2 + 1 = 3 dots from 2 voters; B: 1 + 2 + 1 = 4 from 3; C: 1 + 1 = 2 from 2; D: 1 from 1.
    result = tally(step, cast)
    assert [(r.option_id, r.dots, r.voters, r.rank, r.tied) for r in result.rows] == [
        ("opt-b", 4, 3, 1, False),
        ("opt-a", 3, 2, 2, False),
        ("opt-c", 2, 2, 3, False),
        ("opt-d", 1, 1, 4, False),
    ]
    assert (result.voters, result.dots_cast) == (4, 10)  # 3 + 3 + 3 + 1 dots


def test_dot_vote_ties_share_a_rank_and_voters_do_not_break_them() -> None:
    step = make_dot_vote_step()
    cast = [
        DotBallot(dots={"opt-a": 2, "opt-b": 1}),
        DotBallot(dots={"opt-b": 2, "opt-c": 1}),
        DotBallot(dots={"opt-a": 1, "opt-c": 1, "opt-d": 1}),
        DotBallot(dots={"opt-b": 1}),
        DotBallot(dots={"opt-c": 1}),
    ]
    # C now has 1 + 1 + 1 = 3 dots (3 voters), as many as A (2 voters): both 2nd, D is 4th.
    result = tally(step, cast)
    assert [(r.option_id, r.dots, r.rank, r.tied) for r in result.rows] == [
        ("opt-b", 4, 1, False),
        ("opt-c", 3, 2, True),
        ("opt-a", 3, 2, True),
        ("opt-d", 1, 4, False),
    ]


def test_dot_vote_without_ballots_ties_every_option_at_zero() -> None:
    result = tally(make_dot_vote_step(), [])
    assert {(r.dots, r.rank, r.tied) for r in result.rows} == {(0, 1, True)}
    assert result.voters == 0


def test_a_ballot_of_another_kind_is_refused_by_the_tally() -> None:
    with pytest.raises(TallyError, match="Vote à gommettes"):
        tally(make_dot_vote_step(), [RankingBallot(order=["opt-a"])])


# --- Ranking: Borda -------------------------------------------------------------------------


def test_borda_on_four_options_and_five_voters_with_a_partial_ranking() -> None:
    step = letters_step("ABCD")
    cast = ballots((1, "ABCD"), (1, "ACBD"), (1, "BCAD"), (1, "CBAD"), (1, "BA"))
    # With 4 options the places give 3, 2, 1, 0 points. The 5th voter ranks only B, A:
    # C and D share the points of the two last places, (1 + 0) / 2 = 0.5 each.
    # A = 3 + 3 + 1 + 1 + 2 = 10      B = 2 + 1 + 3 + 2 + 3 = 11
    # C = 1 + 2 + 2 + 3 + 0.5 = 8.5   D = 0 + 0 + 0 + 0 + 0.5 = 0.5
    # Total 30 = 5 voters × (3 + 2 + 1 + 0).
    result = tally(step, cast)
    assert [(r.option_id, r.score, r.rank, r.tied) for r in result.borda] == [
        ("B", 11.0, 1, False),
        ("A", 10.0, 2, False),
        ("C", 8.5, 3, False),
        ("D", 0.5, 4, False),
    ]
    assert result.voters == 5


def test_borda_ties_are_reported_as_ties() -> None:
    # A = 2 + 1 = 3, B = 1 + 2 = 3, C = 0 + 0 = 0.
    result = tally(letters_step("ABC"), ballots((1, "ABC"), (1, "BAC")))
    assert [(r.option_id, r.rank, r.tied) for r in result.borda] == [
        ("A", 1, True),
        ("B", 1, True),
        ("C", 3, False),
    ]


# --- Ranking: Schulze -----------------------------------------------------------------------

WIKIPEDIA_45_VOTERS = (
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
)


def test_schulze_on_the_wikipedia_example_of_45_voters() -> None:
    result = tally(letters_step("ABCDE"), ballots(*WIKIPEDIA_45_VOTERS)).schulze
    # d[A][B]: voters ranking A above B = 5 (ACBED) + 5 (ADECB) + 3 (CABED) + 7 (CAEBD) = 20,
    # so d[B][A] = 45 − 20 = 25. The whole matrix, as on Wikipedia:
    assert result.pairwise == {
        "A": {"B": 20, "C": 26, "D": 30, "E": 22},
        "B": {"A": 25, "C": 16, "D": 33, "E": 18},
        "C": {"A": 19, "B": 29, "D": 17, "E": 24},
        "D": {"A": 15, "B": 12, "C": 28, "E": 14},
        "E": {"A": 23, "B": 27, "C": 21, "D": 31},
    }
    # Strongest paths, e.g. A → B: A→D (30), D→C (28), C→B (29): weakest link 28.
    assert result.strongest_paths == {
        "A": {"B": 28, "C": 28, "D": 30, "E": 24},
        "B": {"A": 25, "C": 28, "D": 33, "E": 24},
        "C": {"A": 25, "B": 29, "D": 29, "E": 24},
        "D": {"A": 25, "B": 28, "C": 28, "E": 24},
        "E": {"A": 25, "B": 28, "C": 28, "D": 31},
    }
    # E beats everyone on paths (25 > 24, 28 > 24, …): E > A > C > B > D, no tie.
    assert result.ranks == [["E"], ["A"], ["C"], ["B"], ["D"]]
    assert [(r.option_id, r.rank, r.tied, r.score) for r in result.rows] == [
        ("E", 1, False, 4.0),
        ("A", 2, False, 3.0),
        ("C", 3, False, 2.0),
        ("B", 4, False, 1.0),
        ("D", 5, False, 0.0),
    ]
    # No Condorcet winner: E, first under Schulze, loses its duel with C (21 against 24), and
    # A, B, C form a cycle (A beats C 26:19, C beats B 29:16, B beats A 25:20).
    assert result.condorcet_winner is None


def test_schulze_condorcet_cycle_of_three_voters_is_an_all_way_tie() -> None:
    step = letters_step("ABC")
    result = tally(step, ballots((1, "ABC"), (1, "BCA"), (1, "CAB")))
    # A beats B 2:1 (voters 1 and 3), B beats C 2:1 (voters 1 and 2), C beats A 2:1
    # (voters 2 and 3): every strongest path has strength 2 both ways.
    assert result.schulze.pairwise == {
        "A": {"B": 2, "C": 1},
        "B": {"A": 1, "C": 2},
        "C": {"A": 2, "B": 1},
    }
    assert result.schulze.strongest_paths == {
        "A": {"B": 2, "C": 2},
        "B": {"A": 2, "C": 2},
        "C": {"A": 2, "B": 2},
    }
    assert result.schulze.ranks == [["A", "B", "C"]]
    assert {(r.rank, r.tied) for r in result.schulze.rows} == {(1, True)}
    assert result.schulze.condorcet_winner is None
    # Borda agrees: each option gets 2 + 1 + 0 = 3 points.
    assert {(r.score, r.rank) for r in result.borda} == {(3.0, 1)}


def test_schulze_reports_a_tie_between_two_options_above_a_third() -> None:
    # A > B > C and B > A > C: A and B tie 1:1, both beat C 2:0.
    result = tally(letters_step("ABC"), ballots((1, "ABC"), (1, "BAC"))).schulze
    assert result.ranks == [["A", "B"], ["C"]]
    assert [(r.option_id, r.rank, r.tied) for r in result.rows] == [
        ("A", 1, True),
        ("B", 1, True),
        ("C", 3, False),
    ]
    assert result.condorcet_winner is None


def test_schulze_with_partial_rankings_finds_the_condorcet_winner() -> None:
    # Ballots [A], [A, B], [B]: a ranked option beats every unranked one.
    # d[A][B] = 1 + 1 + 0 = 2 > d[B][A] = 1; d[A][C] = 2 > 0; d[B][C] = 0 + 1 + 1 = 2 > 0.
    result = tally(letters_step("ABC"), ballots((1, "A"), (1, "AB"), (1, "B"))).schulze
    assert result.condorcet_winner == "A"
    assert result.ranks == [["A"], ["B"], ["C"]]


# --- Rating ---------------------------------------------------------------------------------


def test_rating_means_medians_and_quadrants() -> None:
    step = make_rating_step()  # opt-a..opt-c, 1–5, impact then faisabilité, split at 3
    cast = [
        RatingBallot(scores={"opt-a": {"impact": 5, "faisabilite": 2},
                             "opt-b": {"impact": 3, "faisabilite": 4},
                             "opt-c": {"impact": 1, "faisabilite": 1}}),
        RatingBallot(scores={"opt-a": {"impact": 4, "faisabilite": 1},
                             "opt-b": {"impact": 3, "faisabilite": 5},
                             "opt-c": {"impact": 2}}),
        RatingBallot(scores={"opt-a": {"impact": 4, "faisabilite": 3},
                             "opt-b": {"impact": 2, "faisabilite": 4}}),
    ]
    result = tally(step, cast)
    rows = {row.option_id: row for row in result.rows}
    stats = {
        oid: [(s.count, round(s.mean or 0, 3), s.median) for s in row.stats]
        for oid, row in rows.items()
    }
    # A: impact 5, 4, 4 → mean 13/3 ≈ 4.333, median 4; faisabilité 2, 1, 3 → mean 2, median 2.
    # B: impact 3, 3, 2 → mean 8/3 ≈ 2.667, median 3; faisabilité 4, 5, 4 → 13/3, median 4.
    # C: impact 1, 2 → mean 1.5, median (1 + 2) / 2 = 1.5; faisabilité 1 → 1, 1.
    assert stats == {
        "opt-a": [(3, 4.333, 4.0), (3, 2.0, 2.0)],
        "opt-b": [(3, 2.667, 3.0), (3, 4.333, 4.0)],
        "opt-c": [(2, 1.5, 1.5), (1, 1.0, 1.0)],
    }
    # Quadrants split the means at 3: B's impact median is 3 but its mean 2.667 is below.
    assert {oid: row.quadrant.label for oid, row in rows.items() if row.quadrant} == {
        "opt-a": "Impact fort / Faisabilité faible",
        "opt-b": "Impact faible / Faisabilité forte",
        "opt-c": "Impact faible / Faisabilité faible",
    }
    assert [row.option_id for row in result.rows] == ["opt-a", "opt-b", "opt-c"]
    assert [q.id for q in result.quadrants] == ["high-high", "high-low", "low-high", "low-low"]
    assert (result.voters, result.midpoint) == (3, 3.0)


def test_rating_mean_on_the_midpoint_is_high_and_unrated_options_have_no_quadrant() -> None:
    step = make_rating_step()
    result = tally(step, [RatingBallot(scores={"opt-a": {"impact": 3, "faisabilite": 3},
                                               "opt-b": {"impact": 5}})])
    rows = {row.option_id: row for row in result.rows}
    assert rows["opt-a"].quadrant is not None and rows["opt-a"].quadrant.id == "high-high"
    assert rows["opt-b"].quadrant is None  # faisabilité not rated
    assert rows["opt-c"].stats[0].mean is None and rows["opt-c"].stats[0].count == 0


def test_rating_on_one_criterion_has_no_matrix() -> None:
    step = make_rating_step(criteria=[{"id": "impact", "label": "Impact"}])
    result = tally(step, [RatingBallot(scores={"opt-a": {"impact": 4}})])
    assert result.quadrants == []
    assert all(row.quadrant is None for row in result.rows)


# --- Choice ---------------------------------------------------------------------------------


def test_vision_vote_counts_shares_and_comments_without_authors() -> None:
    step = make_choice_step()
    cast = [
        ChoiceBallot(choices=[VISION_AGREE]),
        ChoiceBallot(choices=[VISION_AGREE_WITH_CHANGES], comment="Ajouter les aînés"),
        ChoiceBallot(choices=[VISION_AGREE]),
        ChoiceBallot(choices=[VISION_DISAGREE], comment="Trop vague"),
        ChoiceBallot(choices=[VISION_AGREE_WITH_CHANGES]),
    ]
    result = tally(step, cast)
    # 2 / 5 = 40 %, 2 / 5 = 40 %, 1 / 5 = 20 %.
    assert [(r.option_id, r.count, r.share, r.rank, r.tied) for r in result.rows] == [
        (VISION_AGREE, 2, 0.4, 1, True),
        (VISION_AGREE_WITH_CHANGES, 2, 0.4, 1, True),
        (VISION_DISAGREE, 1, 0.2, 3, False),
    ]
    assert result.comments == ["Ajouter les aînés", "Trop vague"]
    assert result.voters == 5


def test_multiple_choice_shares_are_per_voter_and_may_exceed_one_in_total() -> None:
    step = ChoiceStep(id="q", title="Quels publics ?", options=make_options(3), multiple=True)
    cast = [
        ChoiceBallot(choices=["opt-a", "opt-b"]),
        ChoiceBallot(choices=["opt-a"]),
        ChoiceBallot(choices=["opt-a", "opt-b", "opt-c"]),
        ChoiceBallot(choices=["opt-b"]),
    ]
    # A: 3 of 4 voters = 0.75; B: 3 / 4 = 0.75; C: 1 / 4 = 0.25 → total 1.75.
    result = tally(step, cast)
    assert [(r.option_id, r.count, r.share) for r in result.rows] == [
        ("opt-a", 3, 0.75),
        ("opt-b", 3, 0.75),
        ("opt-c", 1, 0.25),
    ]


# --- By group -------------------------------------------------------------------------------


def test_every_result_can_be_broken_down_by_group() -> None:
    step = make_dot_vote_step()
    cast = [
        (DotBallot(dots={"opt-a": 2, "opt-b": 1}), "elus"),
        (DotBallot(dots={"opt-b": 2, "opt-c": 1}), "habitants"),
        (DotBallot(dots={"opt-c": 2, "opt-b": 1}), None),
        (DotBallot(dots={"opt-b": 1}), "habitants"),
    ]
    by_group = tally_by_group(step, cast)
    assert list(by_group) == ["elus", "habitants", None]  # first met, no collège last
    dots = {g: {r.option_id: r.dots for r in result.rows} for g, result in by_group.items()}
    # Habitants: B = 2 + 1 = 3, C = 1; élus: A 2, B 1; without collège: C 2, B 1.
    assert dots == {
        "elus": {"opt-a": 2, "opt-b": 1, "opt-c": 0, "opt-d": 0},
        "habitants": {"opt-b": 3, "opt-c": 1, "opt-a": 0, "opt-d": 0},
        None: {"opt-c": 2, "opt-b": 1, "opt-a": 0, "opt-d": 0},
    }
    assert by_group["habitants"].voters == 2


def test_ranking_by_group_gives_each_group_its_own_order() -> None:
    step = letters_step("ABC")
    cast = [
        (RankingBallot(order=list("ABC")), "elus"),
        (RankingBallot(order=list("ABC")), "elus"),
        (RankingBallot(order=list("CBA")), "habitants"),
    ]
    by_group = tally_by_group(step, cast)
    assert by_group["elus"].schulze.ranks == [["A"], ["B"], ["C"]]
    assert by_group["habitants"].schulze.ranks == [["C"], ["B"], ["A"]]


# --- Brainstorm -----------------------------------------------------------------------------


def brainstorm_ideas() -> list:
    return [
        make_idea(id="i1", upvoters=["t1", "t2"]),
        make_idea(id="i2", text="Guide des modes d'accueil", upvoters=["t2", "t3"],
                  merged_into="i1"),
        make_idea(id="i3", text="Permanence au centre social", upvoters=["t4"]),
        make_idea(id="i4", text="Message déplacé", hidden=True, upvoters=["t1", "t2", "t3"]),
        make_idea(id="i5", column="col-enfance", text="Accueil du mercredi", author="t9"),
        make_idea(id="autre", step_id="une-autre-etape", upvoters=["t1", "t2", "t3", "t4"]),
    ]


def test_brainstorm_wall_folds_merges_unites_upvoters_and_hides_hidden_ideas() -> None:
    result = tally(make_brainstorm_step(), [], ideas=brainstorm_ideas())
    familles, enfance = result.columns
    # i1 gets {t1, t2} ∪ {t2, t3} = 3 upvoters (t2 once); i3 has 1; i4 is hidden.
    assert [(c.id, c.upvotes) for c in familles.ideas] == [("i1", 3), ("i3", 1)]
    assert [m.id for m in familles.ideas[0].merged] == ["i2"]
    assert familles.ideas[0].merged[0].text == "Guide des modes d'accueil"
    assert [(c.id, c.upvotes) for c in enfance.ideas] == [("i5", 0)]
    assert result.ideas == 3  # i1, i3, i5
    assert result.contributors == 2  # jeton-habitant-1 and t9


def test_brainstorm_by_group_counts_only_that_groups_upvotes() -> None:
    group_of = {"t1": "elus", "t2": "habitants", "t3": "habitants", "t4": None}
    by_group = tally_by_group(
        make_brainstorm_step(), [], ideas=brainstorm_ideas(), group_of=group_of
    )
    assert list(by_group) == ["elus", "habitants", None]
    upvotes = {
        g: {c.id: c.upvotes for c in result.columns[0].ideas} for g, result in by_group.items()
    }
    # i1 ∪ i2 = {t1, t2, t3}: élus t1 → 1, habitants t2, t3 → 2; i3 = {t4} (no collège).
    assert upvotes == {
        "elus": {"i1": 1, "i3": 0},
        "habitants": {"i1": 2, "i3": 0},
        None: {"i1": 0, "i3": 1},
    }


def test_results_cross_the_wire_as_json_and_come_back_equal() -> None:
    result = tally(letters_step("ABCDE"), ballots(*WIKIPEDIA_45_VOTERS))
    assert STEP_RESULT_ADAPTER.validate_json(STEP_RESULT_ADAPTER.dump_json(result)) == result


# --- Properties -----------------------------------------------------------------------------

OPTION_IDS = "ABCDE"


@st.composite
def rankings(draw: st.DrawFn) -> tuple[str, list[list[str]]]:
    """A set of 2 to 5 options and up to 12 partial rankings of them."""
    options = OPTION_IDS[: draw(st.integers(min_value=2, max_value=5))]
    ballot = st.permutations(list(options)).flatmap(
        lambda order: st.integers(min_value=1, max_value=len(order)).map(lambda n: order[:n])
    )
    return options, draw(st.lists(ballot, max_size=12))


@settings(max_examples=150, deadline=None)
@given(rankings())
def test_a_condorcet_winner_is_always_alone_in_first_place_under_schulze(
    case: tuple[str, list[list[str]]],
) -> None:
    options, orders = case
    result = tally(letters_step(options), [RankingBallot(order=o) for o in orders]).schulze
    if result.condorcet_winner is not None:
        assert result.ranks[0] == [result.condorcet_winner]
    # The ranks always list every option exactly once.
    assert sorted(o for group in result.ranks for o in group) == sorted(options)


@settings(max_examples=150, deadline=None)
@given(rankings())
def test_borda_hands_out_the_same_total_whatever_the_ballots(
    case: tuple[str, list[list[str]]],
) -> None:
    options, orders = case
    result = tally(letters_step(options), [RankingBallot(order=o) for o in orders])
    n = len(options)
    # Every ballot, complete or partial, gives (n − 1) + … + 1 + 0 = n(n − 1)/2 points.
    assert sum(row.score for row in result.borda) == len(orders) * n * (n - 1) / 2


def _duels_one_ballot_at_a_time(options: str, orders: list[list[str]]) -> dict[str, dict]:
    """The duel matrix by its definition: each ballot, each pair, one at a time."""
    duels = {a: {b: 0 for b in options if b != a} for a in options}
    for order in orders:
        place = {option: order.index(option) if option in order else len(options)
                 for option in options}
        for a in options:
            for b in options:
                if a != b and place[a] < place[b]:
                    duels[a][b] += 1
    return duels


def _borda_by_the_points_of_each_ballot(options: str, orders: list[list[str]]) -> dict:
    totals = {option: Fraction(0) for option in options}
    for order in orders:
        for option, points in borda_points(list(options), order).items():
            totals[option] += points
    return totals


@settings(max_examples=150, deadline=None)
@given(rankings())
def test_the_counted_duels_and_borda_totals_equal_their_definitions(
    case: tuple[str, list[list[str]]],
) -> None:
    options, orders = case
    result = tally(letters_step(options), [RankingBallot(order=o) for o in orders])
    assert result.schulze.pairwise == _duels_one_ballot_at_a_time(options, orders)
    expected = _borda_by_the_points_of_each_ballot(options, orders)
    assert {row.option_id: row.score for row in result.borda} == {
        option: float(total) for option, total in expected.items()
    }


def test_brainstorm_by_group_counts_upvoters_missing_from_the_mapping_without_collège() -> None:
    by_group = tally_by_group(make_brainstorm_step(), [], ideas=brainstorm_ideas(), group_of={})
    # Nobody's collège is known: one wall, every upvote counted (i1 ∪ i2 = 3, i3 = 1).
    assert list(by_group) == [None]
    assert [(c.id, c.upvotes) for c in by_group[None].columns[0].ideas] == [("i1", 3), ("i3", 1)]
