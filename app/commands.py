"""Commands of the live app: ``chemins serve``, ``chemins user add``, ``chemins db init``."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import subprocess
import sys

import click
import segno
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import database
from app.settings import SettingError
from theory_of_change.demo import demo_project
from workshops import service, store

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


# --- chemins db -------------------------------------------------------------------------------


@click.group("db")
def db_group() -> None:
    """Base de données des ateliers et des projets."""


@db_group.command("init")
def db_init() -> None:
    """Créer les tables manquantes (les données existantes sont gardées)."""
    app = _app()
    with app.app_context():
        database.create_schema()
    click.echo(f"Base de données prête : {_safe_url(app.config['DATABASE_URL'])}")


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
    with app.app_context():
        database.create_schema()
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
    """Create the schema and, with ``demo``, the demo project and an open demo workshop."""
    with app.app_context():
        database.create_schema()
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


COMMANDS: tuple[click.Command, ...] = (serve, db_group, user_group)
