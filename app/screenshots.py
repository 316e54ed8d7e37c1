"""Screenshots of the phone page, the projector page and the editor for the README.

``python -m app.screenshots docs/screenshots`` starts ``chemins serve`` on the demo (a
fresh instance folder, 127.0.0.1, a free port), logs in with the one-time link it
prints, starts the dot vote of the demo workshop, makes phones join and vote over the
websocket protocol, then opens the two pages in headless Chromium (Debian's
``/usr/bin/chromium`` driven by Playwright — no browser is downloaded) and saves
``telephone.png`` (360×740) and ``projecteur.png`` (1280×720), then the demo project's
changes in the editor, its pathway diagram beside the forms, as ``editeur.png``
(1400×900). The server is stopped at the end, whatever happens.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from websockets.sync.client import ClientConnection, connect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_SIZE = {"width": 360, "height": 740}
PROJECTOR_SIZE = {"width": 1280, "height": 720}
EDITOR_SIZE = {"width": 1400, "height": 900}
EDITOR_SCROLL_PX = 270
DEMO_TITLE = "Deuxième CTG 2025 - 2029 — Pornic Agglo Pays de Retz"
VOTERS = 23
GROUPS = ("elus", "professionnels", "partenaires", "associations", "habitants")
NICKNAMES = ("Camille", "Dominique", "Alix", "Sacha", "Claude", "Yannick", "Maëlle", "Noé")
STARTUP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Server:
    """A running ``chemins serve``: its process and the addresses it printed."""

    process: subprocess.Popen[str]
    base: str
    login_link: str
    code: str


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _chemins() -> str:
    """The ``chemins`` command of this virtualenv (next to its Python)."""
    return str(Path(sys.executable).with_name("chemins"))


@contextmanager
def running_server(instance: Path) -> Iterator[Server]:
    """Start ``chemins serve`` on the demo in ``instance``; stop it on exit."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        CHEMINS_INSTANCE_PATH=str(instance),
        CHEMINS_PUBLIC_URL=f"http://127.0.0.1:{port}",
        CHEMINS_MAX_CONNECTIONS="64",
        CHEMINS_HTTP_THREADS="8",
    )
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [_chemins(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        link, code = _read_banner(process)
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base)
        yield Server(process=process, base=base, login_link=link, code=code)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _read_banner(process: subprocess.Popen[str]) -> tuple[str, str]:
    assert process.stdout is not None
    link = code = None
    lines: list[str] = []
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline and (link is None or code is None):
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if found := re.search(r"(http://\S+/auth/lien/\S+)", line):
            link = found.group(1)
        if found := re.search(r"/j/([A-Z0-9]{6})", line):
            code = found.group(1)
    if link is None or code is None:
        raise click.ClickException("« chemins serve » n'a pas démarré :\n" + "".join(lines))
    return link, code


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise click.ClickException(f"Le serveur ne répond pas sur {base}.")


def log_in(server: Server) -> tuple[str, int]:
    """Use the one-time link; return the session cookie and the demo workshop's id."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(server.login_link, timeout=10) as response:
        page = response.read().decode("utf-8")
    match = re.search(r"/console/ateliers/(\d+)", page)
    cookie = next((c for c in jar if c.name == "session"), None)
    if match is None or cookie is None:
        raise click.ClickException("La connexion par le lien à usage unique a échoué.")
    return f"{cookie.name}={cookie.value}", int(match.group(1))


def _receive(ws: ClientConnection, wanted: str, client_id: str | None = None) -> dict[str, Any]:
    """The next message of type ``wanted`` (for ``client_id``), skipping broadcasts."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        message = json.loads(ws.recv(timeout=20))
        if message["type"] == "error" and (client_id is None or
                                           message.get("client_id") == client_id):
            raise click.ClickException(f"Refusé par le serveur : {message['message']}")
        if message["type"] == wanted and (client_id is None or
                                          message.get("client_id") == client_id):
            return message
    raise click.ClickException(f"Pas de message « {wanted} » du serveur.")


def _ws_url(server: Server) -> str:
    return server.base.replace("http://", "ws://") + "/ws"


def start_dot_vote(server: Server, cookie: str, workshop_id: int) -> dict[str, Any]:
    """As the facilitator, start the demo's dot vote; return that step."""
    with connect(_ws_url(server), additional_headers={"Cookie": cookie}) as ws:
        ws.send(json.dumps({"type": "hello", "protocol": 1, "role": "facilitator",
                            "workshop_id": str(workshop_id)}))
        state = _receive(ws, "welcome")["state"]
        step = next(s for s in state["steps"] if s["kind"] == "dot_vote")
        if step["status"] == "pending":
            client_id = uuid.uuid4().hex
            ws.send(json.dumps({"type": "start_step", "client_id": client_id,
                                "step_id": step["id"]}))
            _receive(ws, "ack", client_id)
        ws.send(json.dumps({"type": "get_state"}))
        current = _receive(ws, "state")["state"]["current_step"]
    return dict(current)


def phones_vote(server: Server, step: dict[str, Any], voters: int, seed: int = 7) -> None:
    """``voters`` phones join (nickname, collège) and spend their dots, some options liked more."""
    rng = random.Random(seed)
    options = [option["id"] for option in step["options"]]
    # A few changes the room cares about most, so the bars tell a story.
    weights = [rng.choice((1, 1, 2, 4, 7)) for _ in options]
    for index in range(voters):
        with connect(_ws_url(server)) as ws:
            ws.send(json.dumps({"type": "hello", "protocol": 1, "role": "phone",
                                "code": server.code}))
            _receive(ws, "welcome")
            join_id = uuid.uuid4().hex
            ws.send(json.dumps({"type": "join", "client_id": join_id,
                                "nickname": NICKNAMES[index % len(NICKNAMES)],
                                "group": GROUPS[index % len(GROUPS)]}))
            _receive(ws, "ack", join_id)
            chosen: dict[str, int] = {}
            while sum(chosen.values()) < step["budget"]:
                option = rng.choices(options, weights=weights)[0]
                if chosen.get(option, 0) < step["max_per_option"]:
                    chosen[option] = chosen.get(option, 0) + 1
            ballot_id = uuid.uuid4().hex
            ws.send(json.dumps({"type": "cast_ballot", "client_id": ballot_id,
                                "step_id": step["id"],
                                "ballot": {"kind": "dot_vote", "dots": chosen}}))
            _receive(ws, "ack", ballot_id)


def take_screenshots(server: Server, cookie: str, workshop_id: int, outdir: Path) -> list[Path]:
    """The phone page mid-ballot and the projector page with live results."""
    from playwright.sync_api import sync_playwright

    outdir.mkdir(parents=True, exist_ok=True)
    phone_png = outdir / "telephone.png"
    projector_png = outdir / "projecteur.png"
    name, value = cookie.split("=", 1)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            phone = browser.new_context(
                viewport=PHONE_SIZE, device_scale_factor=2, is_mobile=True, has_touch=True,
                locale="fr-FR",
            )
            page = phone.new_page()
            page.goto(f"{server.base}/j/{server.code}")
            page.get_by_label("Votre prénom ou pseudonyme").fill("Camille")
            page.get_by_role("radio", name="Habitants", exact=True).check()
            page.get_by_role("button", name="Participer").click()
            page.wait_for_selector(".stepper")
            for label in page.locator(".option .label").all_inner_texts()[0:3:2]:
                first_line = label.splitlines()[0]
                page.get_by_role("button", name=f"Ajouter une gommette à « {first_line} »").click()
            # A reload is the same participant with the same draft ballot (localStorage):
            # what a phone shows after a wifi drop, and a clean first screen.
            page.reload()
            page.wait_for_selector(".option.chosen")
            page.wait_for_timeout(300)
            page.screenshot(path=str(phone_png))
            phone.close()

            projector = browser.new_context(viewport=PROJECTOR_SIZE, locale="fr-FR")
            projector.add_cookies([{"name": name, "value": value, "url": server.base}])
            page = projector.new_page()
            page.goto(f"{server.base}/console/ateliers/{workshop_id}/projecteur")
            page.wait_for_selector("#live-state.online")
            page.wait_for_timeout(500)
            page.screenshot(path=str(projector_png))
            projector.close()
        finally:
            browser.close()
    return [phone_png, projector_png]


def take_editor_screenshot(server: Server, cookie: str, outdir: Path) -> Path:
    """The demo project's changes in the editor, with the live pathway diagram beside them."""
    from playwright.sync_api import sync_playwright

    outdir.mkdir(parents=True, exist_ok=True)
    editor_png = outdir / "editeur.png"
    name, value = cookie.split("=", 1)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=EDITOR_SIZE, locale="fr-FR")
            context.add_cookies([{"name": name, "value": value, "url": server.base}])
            page = context.new_page()
            page.goto(f"{server.base}/console/projets/")
            page.get_by_role("link", name=DEMO_TITLE).first.click()
            page.get_by_role("navigation", name="Pages du projet").get_by_role(
                "link", name="Changements", exact=True).click()
            page.wait_for_selector("[data-diagram-canvas] svg")
            # Past the project's header: the forms on the left, most of the diagram beside.
            page.mouse.wheel(0, EDITOR_SCROLL_PX)
            page.wait_for_timeout(400)
            page.screenshot(path=str(editor_png))
            context.close()
        finally:
            browser.close()
    return editor_png


@click.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path),
                default=Path("docs/screenshots"))
@click.option("--votants", "voters", type=int, default=VOTERS, show_default=True,
              help="Nombre de téléphones qui votent avant les captures.")
@click.option("--seulement", "only", type=click.Choice(["atelier", "editeur"]), default=None,
              help="Ne faire que les captures de l'atelier (téléphone et vidéoprojecteur) "
                   "ou que celle de l'éditeur.")
def main(outdir: Path, voters: int, only: str | None) -> None:
    """Capturer la page téléphone, la page vidéoprojecteur et l'éditeur de la démonstration."""
    with tempfile.TemporaryDirectory(prefix="chemins-captures-") as instance:
        with running_server(Path(instance)) as server:
            cookie, workshop_id = log_in(server)
            if only != "editeur":
                step = start_dot_vote(server, cookie, workshop_id)
                phones_vote(server, step, voters)
                for path in take_screenshots(server, cookie, workshop_id, outdir):
                    click.echo(f"Capture enregistrée : {path}")
            if only != "atelier":
                editor_png = take_editor_screenshot(server, cookie, outdir)
                click.echo(f"Capture enregistrée : {editor_png}")


if __name__ == "__main__":
    main()
