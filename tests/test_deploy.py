"""The deployment files stay in step with the code: settings, commands, routes, packaging.

And the nightly backup script really saves an SQLite database (its PostgreSQL half is in
``tests/test_postgres_app.py``).
"""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import os
import re
import socket
import sqlite3
import subprocess
import time
import tomllib
import urllib.request
from pathlib import Path
from typing import Any

import click
import pytest

from app import MAX_UPLOAD_BYTES
from app.cli import main
from app.settings import SETTINGS, SETTINGS_BY_NAME, load_settings
from workshops import store
from workshops.store import Store, migrate, sqlite_url

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
GUIDE = ROOT / "docs" / "deploy.md"
ENV_NAMES = {setting.env_name for setting in SETTINGS}


def _environment_file() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (DEPLOY / "chemins.env").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def _unit(name: str) -> dict[str, list[str]]:
    """A systemd unit's keys and their values (a key may repeat)."""
    keys: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def test_the_environment_file_sets_only_real_settings_and_loads() -> None:
    environment = _environment_file()
    assert set(environment) <= ENV_NAMES
    settings = load_settings(environ=environment)
    assert settings["HOST"] == "127.0.0.1"
    assert settings["DEMO"] is False
    assert settings["PUBLIC_URL"].startswith("https://")
    assert settings["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert settings["INSTANCE_PATH"] == "/var/lib/chemins"


def test_the_service_upgrades_the_schema_then_runs_gunicorn_with_the_app_s_configuration(
) -> None:
    unit = _unit("chemins.service")
    assert unit["EnvironmentFile"] == ["/etc/chemins/chemins.env"]
    assert unit["ExecStartPre"] == ["/opt/chemins/venv/bin/chemins db upgrade"]
    (start,) = unit["ExecStart"]
    assert "--config python:app.gunicorn_conf" in start and start.endswith(" app.wsgi:app")
    assert importlib.util.find_spec("app.gunicorn_conf") is not None
    assert importlib.util.find_spec("app.wsgi") is not None
    assert unit["Restart"] == ["always"]
    assert unit["StateDirectory"] == [
        _environment_file()["CHEMINS_INSTANCE_PATH"].removeprefix("/var/lib/")
    ]


def test_the_service_limits_hold_the_connections_the_environment_file_allows() -> None:
    settings = load_settings(environ=_environment_file())
    threads = settings["MAX_CONNECTIONS"] + settings["HTTP_THREADS"]
    unit = _unit("chemins.service")
    # A websocket holds a socket and a thread; add the database pool and some files.
    assert int(unit["LimitNOFILE"][0]) >= threads + 2 * settings["DB_POOL_SIZE"] + 1000
    assert int(unit["TasksMax"][0]) >= threads + 100


def test_the_backup_timer_runs_the_backup_service_every_night() -> None:
    timer = _unit("chemins-backup.timer")
    assert timer["OnCalendar"] == ["*-*-* 02:30:00"] and timer["Persistent"] == ["true"]
    service = _unit("chemins-backup.service")
    assert service["ExecStart"] == ["/usr/local/sbin/chemins-backup"]
    assert service["EnvironmentFile"] == ["/etc/chemins/chemins.env"]


def test_nginx_passes_the_app_s_websocket_with_long_timeouts_and_serves_its_static_files(
    app: Any,
) -> None:
    conf = (DEPLOY / "nginx" / "chemins.conf").read_text(encoding="utf-8")
    assert "/ws" in {rule.rule for rule in app.url_map.iter_rules()}
    websocket = re.search(r"location = /ws \{(.*?)\n    \}", conf, re.S)
    assert websocket is not None
    block = websocket.group(1)
    assert "proxy_set_header Upgrade $http_upgrade;" in block
    assert "proxy_http_version 1.1;" in block
    timeout = re.search(r"proxy_read_timeout (\d+)h;", block)
    assert timeout is not None
    assert int(timeout.group(1)) * 3600 > 2 * SETTINGS_BY_NAME["WS_PING_INTERVAL_S"].default
    body = re.search(r"client_max_body_size (\d+)m;", conf)
    assert body is not None and int(body.group(1)) * 1024 * 1024 >= MAX_UPLOAD_BYTES
    assert app.static_url_path == "/static"
    alias = re.search(r"location /static/ \{\s*alias (\S+);", conf)
    assert alias is not None and alias.group(1).endswith("/site-packages/app/static/")
    port = _environment_file()["CHEMINS_PORT"]
    assert f"server 127.0.0.1:{port};" in conf


def test_every_data_file_of_the_packages_is_shipped_when_installed() -> None:
    # nginx serves app/static from the installed package, and the migrations run from it:
    # a file the package-data globs miss would be missing on the server.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["*"]
    missing = [
        str(path.relative_to(ROOT))
        for package in ("app", "workshops", "theory_of_change", "exports")
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".py"
        and not any(fnmatch.fnmatch(path.name, glob) for glob in globs)
    ]
    assert missing == []
    assert (migrate.MIGRATIONS_DIR / "versions" / "__init__.py").is_file()


def _commands_of(text: str) -> set[tuple[str, ...]]:
    found = set()
    for match in re.finditer(r"\bchemins(?:-admin)? ([a-z]+)(?: ([a-z]+))?", text):
        found.add(tuple(word for word in match.groups() if word))
    return found


def test_every_chemins_command_the_deployment_guide_names_exists() -> None:
    context = click.Context(main)
    commands = _commands_of(GUIDE.read_text(encoding="utf-8"))
    assert ("db", "upgrade") in commands and ("backup",) in commands
    for words in commands:
        command = main.get_command(context, words[0])
        if command is None:  # prose like « chemins est installé », not a command
            continue
        if isinstance(command, click.Group) and len(words) > 1:
            assert words[1] in command.list_commands(context), words


def test_the_deployment_guide_names_every_deployment_file() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file():
            assert str(path.relative_to(ROOT)) in guide, path


@pytest.mark.slow
def test_the_nightly_backup_saves_an_sqlite_database_and_forgets_old_ones(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path / "chemins.sqlite3")
    migrate.upgrade(url)
    opened = Store.open(url)
    with opened.session() as session:
        store.create_user(session, "anim@example.fr", "motdepasse")
    opened.dispose()
    backups = tmp_path / "sauvegardes"
    backups.mkdir()
    old, recent = backups / "chemins-2000-01-01-000000.sqlite3", backups / "autre-fichier"
    old.write_bytes(b"vieux")
    recent.write_bytes(b"garde")
    month_ago = time.time() - 30 * 86400
    os.utime(old, (month_ago, month_ago))
    done = subprocess.run(
        [str(DEPLOY / "chemins-backup")], capture_output=True, text=True, timeout=120,
        check=False,
        env={"PATH": os.environ["PATH"], "BACKUP_DIR": str(backups), "DATABASE_URL": url,
             "CHEMINS": str(ROOT / ".venv" / "bin" / "chemins"),
             "CHEMINS_INSTANCE_PATH": str(tmp_path / "instance")},
    )
    assert done.returncode == 0, done.stderr
    (saved,) = backups.glob("chemins-2*.sqlite3")
    assert done.stdout.startswith(f"Sauvegarde écrite : {saved}")
    assert not old.exists() and recent.exists()
    with sqlite3.connect(saved) as copy:
        assert copy.execute("SELECT email FROM users").fetchall() == [("anim@example.fr",)]
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]


@pytest.mark.parametrize("url", ["mysql://chemins@localhost/chemins", "oracle://x"])
def test_the_backup_refuses_a_database_it_does_not_know_in_french(
    url: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [str(DEPLOY / "chemins-backup")], capture_output=True, text=True, timeout=30,
        check=False,
        env={"PATH": os.environ["PATH"], "BACKUP_DIR": str(tmp_path), "DATABASE_URL": url},
    )
    assert done.returncode == 2
    assert "n'est ni PostgreSQL ni SQLite ; rien n'est sauvegardé" in done.stderr
    assert list(tmp_path.iterdir()) == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_the_service_s_commands_start_a_server_that_answers_healthz(tmp_path: Path) -> None:
    unit = _unit("chemins.service")
    venv_bin = str(ROOT / ".venv" / "bin")
    (prepare,), (start,) = unit["ExecStartPre"], unit["ExecStart"]
    environment = {
        **_environment_file(),
        "CHEMINS_INSTANCE_PATH": str(tmp_path / "instance"),
        "CHEMINS_PORT": str(_free_port()),
        "CHEMINS_MAX_CONNECTIONS": "20",
        "PATH": os.environ["PATH"],
        "MPLCONFIGDIR": str(tmp_path / "matplotlib"),
    }
    del environment["DATABASE_URL"]  # SQLite in the instance folder
    upgrade = subprocess.run(
        prepare.replace("/opt/chemins/venv/bin", venv_bin).split(), env=environment,
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    assert upgrade.stdout.startswith("Tables créées (révision 0001).")
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as errors, subprocess.Popen(
        start.replace("/opt/chemins/venv/bin", venv_bin).split(), env=environment,
        stdout=subprocess.DEVNULL, stderr=errors, cwd=tmp_path,
    ) as server:
        try:
            url = f"http://127.0.0.1:{environment['CHEMINS_PORT']}/healthz"
            answer = None
            for _ in range(600):  # gunicorn and the app start in a few seconds
                try:
                    with urllib.request.urlopen(url, timeout=5) as response:
                        answer = (response.status, json.loads(response.read()))
                    break
                except OSError:
                    assert server.poll() is None, log.read_text(errors="replace")
                    time.sleep(0.1)
            assert answer == (200, {"status": "ok", "database": "ok"})
        finally:
            server.terminate()
            server.wait(timeout=30)
