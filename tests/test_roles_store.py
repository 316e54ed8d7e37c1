"""Project roles and comments in the database (no web framework)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import make_project

from workshops import store
from workshops.store import MemberError, Role, Store
from workshops.store.comments import CommentError


@pytest.fixture
def db_store(tmp_path: Path) -> Iterator[Store]:
    """A real SQLite file with the schema and three accounts (ids 1, 2, 3)."""
    opened = Store.open(store.sqlite_url(tmp_path / "chemins.sqlite3"))
    opened.create_schema()
    with opened.session() as session:
        for name in ("camille", "dominique", "caf"):
            store.create_user(session, f"{name}@exemple.fr", "un mot de passe solide")
    yield opened
    opened.dispose()


def _ids(db_store: Store) -> dict[str, int]:
    with db_store.read_session() as session:
        return {user.email.split("@")[0]: user.id for user in store.list_users(session)}


def _new_project(db_store: Store, owner_id: int | None) -> int:
    with db_store.session() as session:
        store.save_project(session, make_project(), author="Camille", owner_id=owner_id)
        row = store.find_project(session, "projet-test")
        assert row is not None
        return row.id


def test_the_creator_of_a_project_is_its_owner_and_others_have_no_role(db_store: Store) -> None:
    users = _ids(db_store)
    project_id = _new_project(db_store, users["camille"])
    with db_store.read_session() as session:
        assert store.project_role(session, project_id, users["camille"]) is Role.owner
        assert store.project_role(session, project_id, users["dominique"]) is None
        assert [p.id for p, _ in store.projects_of_user(session, users["dominique"])] == []
        assert [(p.id, role) for p, role in store.projects_of_user(session, users["camille"])] == [
            (project_id, Role.owner)
        ]


def test_a_project_without_members_is_open_to_every_facilitator_as_owner(db_store: Store) -> None:
    users = _ids(db_store)
    project_id = _new_project(db_store, None)
    with db_store.read_session() as session:
        assert {store.project_role(session, project_id, uid) for uid in users.values()} == {
            Role.owner
        }


def test_sharing_an_open_project_keeps_whoever_shares_it_as_owner(db_store: Store) -> None:
    users = _ids(db_store)
    project_id = _new_project(db_store, None)
    with db_store.session() as session:
        added = store.add_member(session, project_id, " CAF@exemple.fr ", Role.viewer,
                                 by_user_id=users["camille"])
    assert (added.email, added.role) == ("caf@exemple.fr", Role.viewer)
    with db_store.read_session() as session:
        members = store.list_members(session, project_id)
        assert [(m.email, m.role) for m in members] == [
            ("camille@exemple.fr", Role.owner), ("caf@exemple.fr", Role.viewer)
        ]
        assert store.project_role(session, project_id, users["dominique"]) is None


def test_roles_are_ordered_viewer_editor_owner() -> None:
    assert Role.owner.allows(Role.editor) and Role.editor.allows(Role.viewer)
    assert not Role.viewer.allows(Role.editor) and not Role.editor.allows(Role.owner)
    assert [role.label for role in Role] == ["lecteur·rice", "éditeur·rice", "propriétaire"]


def test_adding_an_unknown_address_or_a_member_twice_is_refused_in_french(
    db_store: Store,
) -> None:
    users = _ids(db_store)
    project_id = _new_project(db_store, users["camille"])
    with db_store.session() as session:
        with pytest.raises(MemberError, match="Aucun compte n'existe pour « inconnu@exemple.fr »"):
            store.add_member(session, project_id, "inconnu@exemple.fr", Role.editor,
                             by_user_id=users["camille"])
        store.add_member(session, project_id, "dominique@exemple.fr", Role.editor,
                         by_user_id=users["camille"])
        with pytest.raises(MemberError, match="déjà membre"):
            store.add_member(session, project_id, "dominique@exemple.fr", Role.viewer,
                             by_user_id=users["camille"])


def test_the_last_owner_can_be_neither_removed_nor_demoted(db_store: Store) -> None:
    users = _ids(db_store)
    project_id = _new_project(db_store, users["camille"])
    with db_store.session() as session:
        with pytest.raises(MemberError, match="seule propriétaire"):
            store.remove_member(session, project_id, users["camille"])
        with pytest.raises(MemberError, match="seule propriétaire"):
            store.set_member_role(session, project_id, users["camille"], Role.editor)
        store.add_member(session, project_id, "dominique@exemple.fr", Role.owner,
                         by_user_id=users["camille"])
        store.remove_member(session, project_id, users["camille"])
    with db_store.read_session() as session:
        assert store.project_role(session, project_id, users["camille"]) is None
        assert store.project_role(session, project_id, users["dominique"]) is Role.owner


def test_a_comment_is_kept_on_its_node_trimmed_and_in_order(db_store: Store) -> None:
    users = _ids(db_store)
    project_id = _new_project(db_store, users["camille"])
    with db_store.session() as session:
        store.add_comment(session, project_id, "chg-enfance", "  Premier avis  ",
                          user_id=users["caf"], author="Conseillère Caf")
        store.add_comment(session, project_id, "chg-enfance", "Réponse", user_id=users["camille"],
                          author="Camille")
        store.add_comment(session, project_id, "vision", "Belle vision", user_id=None,
                          author="Camille")
    with db_store.read_session() as session:
        comments = store.node_comments(session, project_id, "chg-enfance")
        counts = store.comment_counts(session, project_id)
    assert [(c.author, c.text) for c in comments] == [
        ("Conseillère Caf", "Premier avis"), ("Camille", "Réponse")
    ]
    assert counts == {"chg-enfance": 2, "vision": 1}


@pytest.mark.parametrize(
    ("node_id", "text", "message"),
    [
        ("chg-enfance", "   ", "Écrivez votre commentaire"),
        ("chg-enfance", "x" * 2001, "dépasse 2\u202f000 caractères"),
        ("chg-inexistant", "Un avis", "« chg-inexistant » n'existe pas"),
    ],
)
def test_an_empty_or_too_long_comment_or_an_unknown_node_is_refused(
    db_store: Store, node_id: str, text: str, message: str
) -> None:
    project_id = _new_project(db_store, None)
    with db_store.session() as session, pytest.raises(CommentError, match=message):
        store.add_comment(session, project_id, node_id, text, user_id=None, author="Camille")
