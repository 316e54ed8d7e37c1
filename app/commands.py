"""Commands of the live app: ``chemins serve``, ``user add``, ``db init``, ``backup``,
``restore``."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import subprocess
import sys
from pathlib import Path

import click
import segno
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy.engine import make_url

from app import create_app
from app.db_commands import upgrade_database
from app.extensions import database
from app.settings import SettingError
from theory_of_change.demo import demo_project
from workshops import service, store
from workshops.store import backup

DEFAULT_FACILITATOR = "animation@chemins.local"


def _app() -> Flask:
    """The app of Flask's CLI runner when there is one (tests), else one from the settings."""
    context = click.get_current_context(silent=True)
    info = context.find_object(ScriptInfo) if context is not None else None
    try:
        return info.load_app() if info is not None else create_app()
    except SettingError as error:
        raise click.ClickException(str(error)) from None


def _safe_url(url: str) -> str:
    """The database URL without its password."""
    return make_url(url).render_as_string(hide_password=True)


# --- chemins user -----------------------------------------------------------------------------


@click.group("user")
def user_group() -> None:
    """Comptes des animateurs et animatrices."""


@user_group.command("add")
@click.argument("email")
@click.option("--nom", "display_name", default=None, help="Nom affiché dans la console.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Lire le mot de passe sur l'entrée standard (une ligne) au lieu de le demander.",
)
def user_add(email: str, display_name: str | None, password_stdin: bool) -> None:
    """Créer le compte d'animation EMAIL (le mot de passe est demandé deux fois)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "Mot de passe", hide_input=True, confirmation_prompt="Confirmez le mot de passe"
        )
    app = _app()
    upgrade_database(app)
    with app.app_context():
        try:
            with database.session() as db:
                user = store.create_user(db, email, password, display_name)
                address = user.email
        except store.AccountError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Compte créé : {address}")


# --- chemins serve ----------------------------------------------------------------------------


def lan_address() -> str:
    """This machine's address on the local network, found without sending any packet.

    ``connect`` on a UDP socket only picks the route and the source address; no datagram
    leaves the machine. Falls back to the addresses ``ip -4 addr`` lists, then 127.0.0.1.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.254.254.254", 1))
        address = probe.getsockname()[0]
        if not ipaddress.ip_address(address).is_loopback:
            return str(address)
    except OSError:
        pass
    finally:
        probe.close()
    return _first_ip_addr() or "127.0.0.1"


def _first_ip_addr() -> str | None:
    try:
        output = subprocess.run(
            ["ip", "-4", "-o", "addr", "show", "scope", "global"],
            capture_output=True, text=True, timeout=5, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in output.splitlines():
        parts = line.split()
        if "inet" in parts:
            return parts[parts.index("inet") + 1].split("/")[0]
    return None


def _base_url(host: str, port: int, public_url: str | None) -> str:
    if public_url:
        return public_url.rstrip("/")
    if host in ("0.0.0.0", "", "::"):
        host = lan_address()
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _facilitator_link(app: Flask, base: str) -> str:
    """A one-time log-in link for the first facilitator account (created if none)."""
    ttl = dt.timedelta(minutes=app.config["LOGIN_LINK_TTL_MIN"])
    with app.app_context(), database.session() as db:
        users = store.list_users(db)
        if users:
            user = users[0]
        else:
            user = store.create_user(
                db, DEFAULT_FACILITATOR, os.urandom(24).hex(), display_name="Animation"
            )
        token = store.create_login_token(db, user.id, ttl)
    return f"{base}/auth/lien/{token}"


def prepare(app: Flask, *, demo: bool) -> service.DemoSetup | None:
    """Migrate the schema and, with ``demo``, add the demo project and an open demo workshop."""
    upgrade_database(app)
    with app.app_context():
        if not demo:
            return None
        with database.session() as db:
            return service.ensure_demo(db, demo_project())


@click.command("serve")
@click.option("--host", default=None, help="Adresse d'écoute (défaut : CHEMINS_HOST, 0.0.0.0).")
@click.option("--port", type=int, default=None, help="Port (défaut : CHEMINS_PORT, 8000).")
@click.option(
    "--demo/--sans-demo",
    default=None,
    help="Charger le projet et l'atelier de démonstration (défaut : CHEMINS_DEMO, oui).",
)
def serve(host: str | None, port: int | None, demo: bool | None) -> None:
    """Lancer le serveur des ateliers (gunicorn) avec l'atelier de démonstration prêt.

    Affiche le lien de connexion à usage unique de l'animation, l'adresse des
    participants sur le réseau local et son QR code.
    """
    app = _app()
    # Held until gunicorn and its workers end (through exec): `chemins restore` refuses
    # meanwhile; the kernel releases it however the server stops.
    backup.server_lock(app.config["DATABASE_URL"])
    host = host if host is not None else app.config["HOST"]
    port = port if port is not None else app.config["PORT"]
    demo = demo if demo is not None else app.config["DEMO"]
    setup = prepare(app, demo=demo)
    base = _base_url(host, port, app.config["PUBLIC_URL"])
    local = _base_url("127.0.0.1" if host in ("0.0.0.0", "", "::") else host, port, None)
    link = _facilitator_link(app, local)
    click.echo("Chemins — serveur des ateliers")
    click.echo(f"  Animation (lien à usage unique) : {link}")
    if setup is not None:
        join = f"{base}/j/{setup.workshop.code}"
        click.echo(f"  Atelier : {setup.workshop.title}")
        click.echo(f"  Participants : {join}   (code {setup.workshop.code})")
        segno.make(join, error="m").terminal(compact=True)
    else:
        click.echo(f"  Participants : {base}/")
    click.echo("Arrêt : Ctrl+C")
    sys.stdout.flush()
    # gunicorn opens its own connections; these must not leak into it.
    database.store(app).dispose()

    env = dict(os.environ)
    env["CHEMINS_INSTANCE_PATH"] = app.instance_path
    env.setdefault("CHEMINS_PUBLIC_URL", base)
    env["CHEMINS_HOST"] = host
    env["CHEMINS_PORT"] = str(port)
    command = [
        sys.executable, "-m", "gunicorn",
        "--config", "python:app.gunicorn_conf",
        "--bind", f"{host}:{port}",
        "app.wsgi:app",
    ]
    # exec: gunicorn takes this process's place, so Ctrl+C and kill reach it directly.
    os.execve(sys.executable, command, env)


# --- chemins backup / restore -----------------------------------------------------------------


def _confirm(question: str) -> bool:
    """Ask a yes/no question in French; only « oui » (or « o ») says yes."""
    try:
        answer = click.prompt(f"{question} [oui/non]", default="non", show_default=False)
    except click.exceptions.Abort:  # no terminal, or Ctrl+C: no
        click.echo()
        return False
    return str(answer).strip().lower() in ("o", "oui")


@click.command("backup")
@click.argument("fichier", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--remplacer", is_flag=True, help="Remplacer FICHIER s'il existe déjà.")
def backup_command(fichier: Path, remplacer: bool) -> None:
    """Sauvegarder la base SQLite dans FICHIER, même pendant un atelier en cours.

    La copie est cohérente : les votes enregistrés pendant la sauvegarde sont soit
    dedans, soit pour la prochaine, jamais à moitié. Pour PostgreSQL, utilisez pg_dump.
    """
    app = _app()
    try:
        summary = backup.backup(app.config["DATABASE_URL"], fichier, replace=remplacer)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Sauvegarde écrite : {summary.path}")
    click.echo(f"  {summary.describe()}")
    click.echo(f"Pour la restaurer, serveur arrêté : chemins restore {summary.path}")


@click.command("restore")
@click.argument("fichier", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--oui", "yes", is_flag=True, help="Ne pas demander de confirmation.")
def restore_command(fichier: Path, yes: bool) -> None:
    """Remplacer la base SQLite par la sauvegarde FICHIER (serveur arrêté).

    La base actuelle est d'abord copiée à côté d'elle (« …avant-restauration-<date> ») :
    rien n'est perdu si la sauvegarde n'était pas la bonne. Pour PostgreSQL, utilisez
    pg_restore.
    """
    app = _app()
    url = app.config["DATABASE_URL"]
    try:
        incoming = backup.summarise(fichier)
        target = backup.database_path(url)
        if backup.in_use(url):
            raise backup.BackupError(
                "Un serveur Chemins utilise cette base : arrêtez-le (Ctrl+C) avant de "
                "restaurer, puis relancez-le."
            )
        current = backup.summarise(target, read_only=False) if target.is_file() else None
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Sauvegarde : {fichier} — {incoming.describe()}")
    click.echo(f"Base actuelle : {target} — "
               f"{current.describe() if current is not None else 'absente'}")
    if not yes and not _confirm(
        "Remplacer la base actuelle par cette sauvegarde ? Une copie de la base actuelle "
        "sera gardée."
    ):
        raise click.ClickException("Restauration annulée : rien n'a changé.")
    try:
        restored = backup.restore(url, fichier)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    if restored.previous is not None:
        click.echo(f"Base d'avant gardée : {restored.previous}")
    click.echo(f"Base restaurée : {restored.summary.describe()}")


COMMANDS: tuple[click.Command, ...] = (serve, user_group, backup_command, restore_command)
