"""Brainstorm operations: posting, moderating (hide, edit, merge, move, cluster), upvoting."""

from __future__ import annotations

import pytest
from factories import make_brainstorm_step, make_idea

from workshops import brainstorm as bs
from workshops.brainstorm import BrainstormError
from workshops.tallies import tally


def test_posting_collapses_spaces_and_ties_the_idea_to_its_step_and_author() -> None:
    idea = bs.post_idea(make_brainstorm_step(), "col-enfance", "  Un accueil\n\nle   mercredi ",
                        author="t1", idea_id="i1")
    assert (idea.id, idea.step_id, idea.column, idea.text, idea.author) == (
        "i1", "etape-idees", "col-enfance", "Un accueil le mercredi", "t1"
    )


def test_posting_refuses_empty_too_long_unknown_column_and_closed_step() -> None:
    step = make_brainstorm_step(max_idea_length=20)
    with pytest.raises(BrainstormError, match="L'idée est vide"):
        bs.post_idea(step, "col-enfance", " \n ")
    with pytest.raises(BrainstormError, match="L'idée compte 21 caractères : 20 au plus"):
        bs.post_idea(step, "col-enfance", "x" * 21)
    with pytest.raises(BrainstormError, match="La colonne « col-x » n'existe pas"):
        bs.post_idea(step, "col-x", "Idée")
    with pytest.raises(BrainstormError, match="close"):
        bs.post_idea(make_brainstorm_step(status="closed"), "col-enfance", "Idée")


def test_two_posts_get_different_ids_by_default() -> None:
    step = make_brainstorm_step()
    assert bs.post_idea(step, "col-enfance", "A").id != bs.post_idea(step, "col-enfance", "A").id


def test_hide_unhide_and_edit_return_new_ideas() -> None:
    idea = make_idea()
    hidden = bs.hide(idea)
    assert (hidden.hidden, idea.hidden) == (True, False)
    assert bs.unhide(hidden).hidden is False
    assert bs.edit(idea, " Guide  corrigé ").text == "Guide corrigé"
    with pytest.raises(BrainstormError, match="vide"):
        bs.edit(idea, "")


def test_upvoting_twice_is_a_no_op_and_hidden_or_merged_ideas_cannot_be_upvoted() -> None:
    once = bs.upvote(make_idea(), "t1")
    assert bs.upvote(once, "t1") == once
    assert bs.upvote(once, "t2").upvoters == ["t1", "t2"]
    assert bs.withdraw_upvote(once, "t1").upvoters == []
    assert bs.withdraw_upvote(once, "t9") == once
    with pytest.raises(BrainstormError, match="masquée"):
        bs.upvote(bs.hide(make_idea()), "t1")
    with pytest.raises(BrainstormError, match="fusionnée"):
        bs.upvote(make_idea(merged_into="i0"), "t1")


def test_merge_folds_duplicates_into_the_target_and_the_wall_unites_their_upvoters() -> None:
    ideas = [
        make_idea(id="i1", upvoters=["t1", "t2"]),
        make_idea(id="i2", text="Guide des modes d'accueil", upvoters=["t2", "t3"]),
        make_idea(id="i3", text="Un guide", upvoters=["t4"]),
    ]
    merged = bs.merge(ideas, ["i2", "i3"], "i1")
    assert [i.merged_into for i in merged] == [None, "i1", "i1"]
    assert [i.upvoters for i in merged] == [["t1", "t2"], ["t2", "t3"], ["t4"]]  # nothing lost
    assert ideas[1].merged_into is None  # the list given is untouched
    # {t1, t2} ∪ {t2, t3} ∪ {t4} = 4 people.
    assert bs.merged_upvoters(merged, "i1") == {"t1", "t2", "t3", "t4"}
    card = tally(make_brainstorm_step(), [], ideas=merged).columns[0].ideas
    assert [(c.id, c.upvotes, [m.id for m in c.merged]) for c in card] == [
        ("i1", 4, ["i2", "i3"])
    ]
    # A participant who had upvoted a duplicate and upvotes the target still counts once.
    again = bs.replace(merged, [bs.upvote(merged[0], "t3")])
    assert tally(make_brainstorm_step(), [], ideas=again).columns[0].ideas[0].upvotes == 4


def test_merging_into_a_source_flattens_the_chain_and_unmerge_restores() -> None:
    ideas = [make_idea(id=f"i{n}") for n in (1, 2, 3)]
    first = bs.merge(ideas, ["i3"], "i2")
    second = bs.merge(first, ["i2"], "i1")
    assert [i.merged_into for i in second] == [None, "i1", "i1"]
    restored = bs.unmerge(second, "i2")
    assert [i.merged_into for i in restored] == [None, None, "i1"]
    with pytest.raises(BrainstormError, match="n'a pas été fusionnée"):
        bs.unmerge(restored, "i1")


def test_impossible_merges_are_refused_in_french() -> None:
    ideas = [make_idea(id="i1"), make_idea(id="i2", merged_into="i1"),
             make_idea(id="i3", hidden=True), make_idea(id="i4", step_id="autre-etape")]
    with pytest.raises(BrainstormError, match="avec elle-même"):
        bs.merge(ideas, ["i1"], "i1")
    with pytest.raises(BrainstormError, match="déjà été fusionnée"):
        bs.merge(ideas, ["i1"], "i2")
    with pytest.raises(BrainstormError, match="masquée"):
        bs.merge(ideas, ["i1"], "i3")
    with pytest.raises(BrainstormError, match="même étape"):
        bs.merge(ideas, ["i4"], "i1")
    with pytest.raises(BrainstormError, match="n'existe pas"):
        bs.merge(ideas, ["inconnue"], "i1")
    with pytest.raises(BrainstormError, match="au moins une idée"):
        bs.merge(ideas, [], "i1")


def test_move_and_cluster() -> None:
    step = make_brainstorm_step()
    moved = bs.move(make_idea(), "col-enfance", step=step)
    assert moved.column == "col-enfance"
    with pytest.raises(BrainstormError, match="La colonne « col-x » n'existe pas"):
        bs.move(make_idea(), "col-x", step=step)
    ideas = [make_idea(id="i1"), make_idea(id="i2"), make_idea(id="i3")]
    grouped = bs.cluster(ideas, ["i1", "i3"], "  Information  des familles ")
    assert [i.cluster for i in grouped] == ["Information des familles", None,
                                            "Information des familles"]
    assert [i.cluster for i in bs.cluster(grouped, ["i1"], None)] == [
        None, None, "Information des familles"
    ]
    with pytest.raises(BrainstormError, match="Donnez un nom"):
        bs.cluster(ideas, ["i1"], "  ")
