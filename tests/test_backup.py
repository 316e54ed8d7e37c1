"""``chemins backup`` and ``chemins restore``: consistent while writing, nothing lost.

The kill -9 test (``test_reliability_kill.py``) also backs up the real server's database
in the middle of its vote, and checks that a restore is refused while the server runs.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from factories import make_dot_vote_step, make_project

from app.commands import backup_command, restore_command
from app.extensions import database
from workshops import service, store
from workshops.model import DotBallot
from workshops.store import backup

VOTERS = 30


@pytest.fixture
def voting(app: Any) -> tuple[int, list[str]]:
    """An open workshop whose dot vote runs, and its participants' tokens."""
    with app.app_context(), database.session() as db:
        store.save_project(db, make_project())
        project = store.find_project(db, "projet-test")
        assert project is not None
        workshop_id = int(service.create_workshop(db, project.id, "Atelier").id)
        service.add_step(db, workshop_id, make_dot_vote_step(id="vote"))
        service.open_workshop(db, workshop_id)
        service.start_step(db, workshop_id, "vote")
        tokens = [service.join(db, workshop_id).participant.token for _ in range(VOTERS)]
    return workshop_id, tokens


def _vote(app: Any, workshop_id: int, token: str, client_id: str, option: str) -> None:
    database.store(app).write(
        lambda db: service.cast_ballot(db, workshop_id, token, "vote",
                                       DotBallot(dots={option: 1}), client_id)
    )


def ballot_invariant(path: Path) -> tuple[int, int]:
    """(ballot messages recorded, ballot revisions): each ballot's transaction adds one to each."""
    with sqlite3.connect(path) as connection:
        messages = connection.execute(
            "SELECT count(*) FROM processed_messages WHERE kind = 'cast_ballot'").fetchone()[0]
        revisions = connection.execute(
            "SELECT coalesce(sum(revisions), 0) FROM ballots").fetchone()[0]
    connection.close()
    return messages, revisions


def test_backups_taken_while_ballots_are_written_are_each_a_consistent_snapshot(
    app: Any, runner: Any, voting: tuple[int, list[str]], tmp_path: Path
) -> None:
    workshop_id, tokens = voting
    stop = threading.Event()
    cast: list[int] = []

    def keep_voting() -> None:
        number = 0
        while not stop.is_set():
            token = tokens[number % VOTERS]
            _vote(app, workshop_id, token, f"v{number}", ("opt-a", "opt-b")[number % 2])
            number += 1
            cast.append(number)

    writer = threading.Thread(target=keep_voting)
    writer.start()
    try:
        snapshots = []
        for n in range(5):
            while len(cast) < 20 * (n + 1):  # ballots keep arriving between backups
                stop.wait(0.01)
            target = tmp_path / f"sauvegarde-{n}.sqlite3"
            result = runner.invoke(backup_command, [str(target)])
            assert result.exit_code == 0, result.output
            assert result.output.startswith(f"Sauvegarde écrite : {target}")
            assert "bulletins" in result.output
            snapshots.append(ballot_invariant(target))
    finally:
        stop.set()
        writer.join()
    # Each copy holds whole transactions only: every recorded ballot message is a revision.
    for messages, revisions in snapshots:
        assert messages == revisions
    counts = [messages for messages, _ in snapshots]
    assert counts == sorted(counts) and counts[0] >= 20 and counts[-1] > counts[0]
    live_path = backup.database_path(app.config["DATABASE_URL"])
    assert ballot_invariant(live_path)[0] == len(cast) > counts[-1]
    # The copy is one self-contained file (no write-ahead log beside it).
    assert not (tmp_path / "sauvegarde-4.sqlite3-wal").exists()
    with sqlite3.connect(tmp_path / "sauvegarde-4.sqlite3") as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    copy.close()


def test_backup_refuses_to_overwrite_a_file_unless_asked(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    target = tmp_path / "sauvegarde.sqlite3"
    target.write_text("précieux", encoding="utf-8")
    refused = runner.invoke(backup_command, [str(target)])
    assert refused.exit_code == 1
    assert "existe déjà : choisissez un autre nom, ou ajoutez --remplacer" in refused.output
    assert target.read_text(encoding="utf-8") == "précieux"
    replaced = runner.invoke(backup_command, [str(target), "--remplacer"])
    assert replaced.exit_code == 0, replaced.output
    assert backup.summarise(target).rows["workshops"] == 0


def test_restore_brings_the_backup_back_and_keeps_the_current_database(
    app: Any, runner: Any, voting: tuple[int, list[str]], tmp_path: Path
) -> None:
    workshop_id, tokens = voting
    _vote(app, workshop_id, tokens[0], "avant", "opt-a")
    saved = tmp_path / "sauvegarde.sqlite3"
    assert runner.invoke(backup_command, [str(saved)]).exit_code == 0
    for n, token in enumerate(tokens[1:6]):
        _vote(app, workshop_id, token, f"apres-{n}", "opt-b")
    database.store(app).dispose()  # the app's connections, as a stopped server's

    declined = runner.invoke(restore_command, [str(saved)], input="non\n")
    assert declined.exit_code == 1
    assert "Restauration annulée : rien n'a changé." in declined.output
    assert "1 bulletin," in declined.output and "6 bulletins" in declined.output

    accepted = runner.invoke(restore_command, [str(saved)], input="oui\n")
    assert accepted.exit_code == 0, accepted.output
    assert "Base restaurée : 1 projet, 1 atelier, 30 participants, 1 bulletin, 0 idée" in (
        accepted.output)
    previous = next(tmp_path.glob("instance/chemins.sqlite3.avant-restauration-*"))
    assert f"Base d'avant gardée : {previous}" in accepted.output
    assert backup.summarise(previous).rows["ballots"] == 6
    with app.app_context(), database.read_session() as db:
        tally = service.step_results(db, workshop_id, "vote")
    assert (tally.voters, [(r.option_id, r.dots) for r in tally.rows][:1]) == (  # type: ignore[union-attr]
        1, [("opt-a", 1)])


def test_restore_refuses_a_file_that_is_not_a_chemins_backup(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("pas une base", encoding="utf-8")
    other = tmp_path / "autre.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    for path, message in [
        (text, "n'est pas une base de données SQLite"),
        (other, "n'est pas une sauvegarde de Chemins (tables absentes : projects"),
        (tmp_path / "absente.sqlite3", "n'existe pas"),
    ]:
        result = runner.invoke(restore_command, [str(path), "--oui"])
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert "Traceback" not in result.output


def test_backup_and_restore_send_postgresql_users_to_pg_dump(tmp_path: Path) -> None:
    url = "postgresql+psycopg://chemins@localhost/chemins"
    with pytest.raises(backup.BackupError, match="pg_dump --format=custom"):
        backup.backup(url, tmp_path / "copie.sqlite3")
    with pytest.raises(backup.BackupError, match="pg_restore"):
        backup.restore(url, tmp_path / "copie.sqlite3")
    assert not (tmp_path / "copie.sqlite3").exists()
