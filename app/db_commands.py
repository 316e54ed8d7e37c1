"""``chemins db``: create and upgrade the database schema (Alembic migrations).

``chemins db upgrade`` (and ``chemins db init``, the same thing under its first name)
brings the database of ``DATABASE_URL`` to the schema of the installed code, on SQLite
and PostgreSQL alike; :func:`upgrade_database` is what ``chemins serve`` runs before
starting. The migrations themselves are in :mod:`workshops.store.migrate`.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app import create_app
from app.settings import SettingError
from theory_of_change.cli import FrenchGroup
from workshops.store import migrate


class DatabaseError(click.ClickException):
    """A database command that cannot be done; shown as « Erreur : … », exit code 1."""

    def show(self, file: Any = None) -> None:
        """Print the French message on stderr."""
        click.echo(f"Erreur : {self.format_message()}", err=file is None, file=file)


def _app() -> Flask:
    """The app of Flask's CLI runner when there is one (tests), else one from the settings."""
    context = click.get_current_context(silent=True)
    info = context.find_object(ScriptInfo) if context is not None else None
    try:
        return info.load_app() if info is not None else create_app()
    except SettingError as error:
        raise DatabaseError(str(error)) from None


def _safe_url(url: str) -> str:
    """The database URL without its password."""
    return make_url(url).render_as_string(hide_password=True)


def _unreachable(url: str, error: SQLAlchemyError) -> DatabaseError:
    # The driver's own words (in English) follow, for whoever fixes the connection.
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return DatabaseError(
        f"Base de données injoignable ({_safe_url(url)}) : {detail}. Vérifiez DATABASE_URL "
        "et que le serveur de base de données est démarré."
    )


def upgrade_database(app: Flask) -> migrate.UpgradeReport:
    """Bring the app's database to the code's schema (what ``chemins serve`` runs first).

    Raises :class:`DatabaseError` (a click exception) with a French message when the database cannot
    be reached or migrated; nothing is written then.
    """
    url = app.config["DATABASE_URL"]
    try:
        return migrate.upgrade(url)
    except migrate.MigrationError as error:
        raise DatabaseError(str(error)) from None
    except SQLAlchemyError as error:
        raise _unreachable(url, error) from None


@click.group("db", cls=FrenchGroup)
def db_group() -> None:
    """Base de données des ateliers et des projets : création et mises à jour du schéma."""


def _upgrade_and_say() -> None:
    app = _app()
    report = upgrade_database(app)
    click.echo(report.describe())
    click.echo(f"Base de données prête : {_safe_url(app.config['DATABASE_URL'])}")


@db_group.command("init")
def db_init() -> None:
    """Créer ou mettre à jour les tables.

    Identique à « chemins db upgrade » : le nom des premières versions de Chemins.
    """
    _upgrade_and_say()


@db_group.command("upgrade")
@click.option(
    "--sql",
    "show_sql",
    is_flag=True,
    help="Afficher le SQL de la mise à jour sans l'exécuter (pour le relire avant).",
)
def db_upgrade(show_sql: bool) -> None:
    """Mettre à jour le schéma de la base.

    À lancer après l'installation d'une nouvelle version. Les données sont gardées ;
    tout passe ou rien ne change. Une base créée avant les migrations est reprise telle
    quelle. Faites une sauvegarde avant.
    """
    if not show_sql:
        _upgrade_and_say()
        return
    app = _app()
    url = app.config["DATABASE_URL"]
    head = migrate.head_revision()
    try:
        if migrate.database_revision(url) == head:
            click.echo(f"-- Schéma déjà à jour (révision {head}) : rien à exécuter.")
            return
        sql = migrate.upgrade_sql(url)
    except migrate.MigrationError as error:
        raise DatabaseError(str(error)) from None
    except SQLAlchemyError as error:
        raise _unreachable(url, error) from None
    click.echo(sql, nl=False)


@db_group.command("status")
def db_status() -> None:
    """Dire si le schéma de la base est à jour.

    Code de sortie 0 s'il est celui qu'attend la version installée, 1 sinon.
    """
    app = _app()
    url = app.config["DATABASE_URL"]
    try:
        current = migrate.database_revision(url)
    except SQLAlchemyError as error:
        raise _unreachable(url, error) from None
    head = migrate.head_revision()
    click.echo(f"Base de données : {_safe_url(url)}")
    click.echo(f"  Révision de la base : {current or 'aucune'}")
    click.echo(f"  Révision attendue par cette version : {head}")
    if current == head:
        click.echo("À jour.")
        return
    raise DatabaseError(
        "Le schéma n'est pas à jour : lancez « chemins db upgrade » (après une sauvegarde)."
    )


@db_group.command("revision")
@click.argument("message")
def db_revision(message: str) -> None:
    """(Développement) Écrire une nouvelle migration.

    Compare workshops/store/schema.py aux migrations existantes et écrit le script
    suivant dans workshops/store/migrations/versions/ : relisez-le avant de le valider.
    """
    try:
        path = migrate.new_revision(message)
    except migrate.MigrationError as error:
        raise DatabaseError(str(error)) from None
    click.echo(f"Migration écrite : {path}")
