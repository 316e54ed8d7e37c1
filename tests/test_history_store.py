"""Revisions in the database: who saved what, optimistic locking, restoring a revision."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import make_change, make_project
from sqlalchemy import delete

from theory_of_change.editing import add_change, update_fields
from theory_of_change.model import ChangeStatus, Project
from theory_of_change.revisions import conflicting_changes
from workshops import store
from workshops.store import RevisionConflict, RevisionNotFound, RevisionSummary, Store


@pytest.fixture
def db_store(tmp_path: Path) -> Iterator[Store]:
    """A real SQLite file with the schema."""
    opened = Store.open(store.sqlite_url(tmp_path / "chemins.sqlite3"))
    opened.create_schema()
    yield opened
    opened.dispose()


@pytest.fixture
def project_id(db_store: Store) -> int:
    """The test project, saved once by Camille (revision 1)."""
    with db_store.session() as session:
        store.save_project(session, make_project(), author="Camille")
        row = store.find_project(session, "projet-test")
        assert row is not None
        return row.id


def _current(db_store: Store, project_id: int) -> Project:
    with db_store.read_session() as session:
        return store.load_project(session, project_id)


def _save(db_store: Store, project: Project, author: str, expected: int | None) -> int:
    with db_store.session() as session:
        return store.save_project(session, project, author=author, expected_revision=expected)


def test_each_save_records_its_author_and_a_french_summary_of_what_changed(
    db_store: Store, project_id: int
) -> None:
    project = _current(db_store, project_id)
    with_new_change = add_change(
        project, statement="Les assistantes maternelles se forment ensemble"
    )
    assert _save(db_store, with_new_change, "Dominique", 1) == 2
    prioritised = update_fields(with_new_change, "chg-enfance", status=ChangeStatus.proposed)
    assert _save(db_store, prioritised, "Camille", 2) == 3

    with db_store.read_session() as session:
        history = store.revision_history(session, project_id)
    assert [(h.revision, h.author) for h in history] == [
        (3, "Camille"), (2, "Dominique"), (1, "Camille")
    ]
    assert history[2].summary == "Création du projet"
    assert history[1].summary == (
        "Changement ajouté : « Les assistantes maternelles se forment ensemble »"
    )
    assert history[0].summary == "Changement « Changement pour enfance » (statut)"
    assert history[0].created_at >= history[1].created_at


def test_a_save_that_changes_nothing_adds_no_revision(db_store: Store, project_id: int) -> None:
    assert _save(db_store, _current(db_store, project_id), "Dominique", 1) == 1
    with db_store.read_session() as session:
        assert [h.revision for h in store.revision_history(session, project_id)] == [1]


def test_the_second_of_two_concurrent_saves_is_refused_with_the_others_change(
    db_store: Store, project_id: int
) -> None:
    # Camille and Dominique both open revision 1 and edit the same change.
    loaded = _current(db_store, project_id)
    camille = update_fields(loaded, "chg-enfance", statement="Les enfants jouent dehors")
    dominique = update_fields(loaded, "chg-enfance", statement="Les enfants lisent davantage")
    assert _save(db_store, camille, "Camille", 1) == 2

    with pytest.raises(RevisionConflict) as refused:
        _save(db_store, dominique, "Dominique", 1)

    conflict = refused.value
    assert (conflict.current_revision, conflict.expected_revision) == (2, 1)
    assert conflict.updated_by == "Camille"
    assert conflict.theirs.change("chg-enfance").statement == "Les enfants jouent dehors"
    assert conflict.base == loaded
    assert "modifié par Camille" in str(conflict) and "révision 2" in str(conflict)
    clashes = conflicting_changes(conflict.base, dominique, conflict.theirs)
    assert [entry.key for entry in clashes] == ["chg-enfance"]
    assert "Les enfants jouent dehors" in clashes[0].fields[0].text
    # Nothing of Dominique's was written.
    assert _current(db_store, project_id).change("chg-enfance").statement == (
        "Les enfants jouent dehors"
    )
    with db_store.read_session() as session:
        assert len(store.revision_history(session, project_id)) == 2


def test_saving_from_the_current_revision_after_a_conflict_goes_through(
    db_store: Store, project_id: int
) -> None:
    loaded = _current(db_store, project_id)
    _save(db_store, update_fields(loaded, "chg-enfance", statement="Un"), "Camille", 1)
    with pytest.raises(RevisionConflict) as refused:
        _save(db_store, update_fields(loaded, "chg-jeunesse", statement="Deux"), "Dominique", 1)
    merged = update_fields(refused.value.theirs, "chg-jeunesse", statement="Deux")
    assert _save(db_store, merged, "Dominique", refused.value.current_revision) == 3
    current = _current(db_store, project_id)
    assert (current.change("chg-enfance").statement, current.change("chg-jeunesse").statement) == (
        "Un", "Deux"
    )


def test_creating_a_project_that_already_exists_is_a_conflict(
    db_store: Store, project_id: int
) -> None:
    with pytest.raises(RevisionConflict) as refused:
        _save(db_store, make_project(title="Un autre projet au même identifiant"), "Dominique", 0)
    assert refused.value.base is None
    assert refused.value.theirs.title == "CTG du Test 2025-2029"


def test_saves_without_an_expected_revision_keep_working_as_before(
    db_store: Store, project_id: int
) -> None:
    project = _current(db_store, project_id)
    with db_store.session() as session:
        assert store.save_project(session, project.model_copy(update={"title": "A"})) == 2
        assert store.save_project(session, project.model_copy(update={"title": "B"})) == 3


def test_restoring_a_revision_makes_a_new_revision_with_the_old_content(
    db_store: Store, project_id: int
) -> None:
    original = _current(db_store, project_id)
    edited = add_change(original, statement="Une nouvelle passerelle crèche-école")
    _save(db_store, edited, "Dominique", 1)
    _save(db_store, edited.model_copy(update={"title": "CTG renommée"}), "Dominique", 2)

    with db_store.session() as session:
        restored = store.restore_revision(session, project_id, 1, "Camille", expected_revision=3)
    assert restored == 4
    assert _current(db_store, project_id) == original
    with db_store.read_session() as session:
        history = store.revision_history(session, project_id)
        # The newer revisions are still there, and can be restored in turn.
        assert store.revision_project(session, project_id, 3).title == "CTG renommée"
    assert [h.revision for h in history] == [4, 3, 2, 1]
    assert history[0].note == "Restauration de la révision 1"
    assert history[0].author == "Camille"
    assert "Changement supprimé : « Une nouvelle passerelle crèche-école »" in history[0].summary


def test_restoring_an_unknown_revision_is_refused_in_french(
    db_store: Store, project_id: int
) -> None:
    with db_store.session() as session, pytest.raises(RevisionNotFound, match="pas de révision 9"):
        store.restore_revision(session, project_id, 9, "Camille")


def test_restoring_from_a_stale_page_is_a_conflict(db_store: Store, project_id: int) -> None:
    _save(db_store, make_project(title="Deuxième"), "Dominique", 1)
    with db_store.session() as session, pytest.raises(RevisionConflict):
        store.restore_revision(session, project_id, 1, "Camille", expected_revision=1)


def test_history_saved_before_summaries_existed_gets_them_from_the_bodies(
    db_store: Store, project_id: int
) -> None:
    _save(db_store, add_change(_current(db_store, project_id), **_change_fields()), "D", 1)
    with db_store.session() as session:
        session.execute(delete(RevisionSummary))
    with db_store.read_session() as session:
        history = store.revision_history(session, project_id)
    assert [h.summary for h in history] == [
        "Changement ajouté : « Les parents se rencontrent au LAEP »",
        "Création du projet",
    ]


def _change_fields() -> dict[str, object]:
    change = make_change(id="chg-laep", statement="Les parents se rencontrent au LAEP")
    return {"statement": change.statement, "id": change.id}
