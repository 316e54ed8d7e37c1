"""The pathway editor in a real browser: Debian's Chromium (headless, driven by Playwright)
against the real server (``chemins serve``, the demo loaded).

A facilitator logs in through the form, opens the demo project, adds a change, links it
to a stake and to the vision, and sees the diagram redrawn with the new change and the
coherence findings follow each save (no progress marker → a warning; one marker → the
warning becomes "missing levels"). Any error in the browser's console (a script error,
a Content-Security-Policy violation, a failed request) fails the test.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from live_server import LiveServer
from playwright.sync_api import expect

from theory_of_change.demo import demo_project
from workshops.store import create_user, find_project

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 15_000
EMAIL = "navigateur@exemple.fr"
PASSWORD = "un mot de passe solide"
NEW_CHANGE = "Les grands-parents relaient auprès des jeunes parents l'information sur les services"
STAKE = "Soutenir les parents, en particulier les familles isolées ou vulnérables"

if shutil.which(CHROMIUM) is None:  # pragma: no cover - make test installs it
    pytest.skip("chromium absent : « make test » l'installe", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Console:
    """The errors a page reports in the browser's console."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.errors.append(f"{r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(
            f"{r.url} {r.status}"))


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[tuple[Any, Console]]:
    """A desktop page logged in through the log-in form (the account made as the CLI does)."""
    with live_server.database() as session:
        if session.scalars(_user_query()).first() is None:
            create_user(session, EMAIL, PASSWORD, display_name="Camille Navigateur")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    console = Console(tab)
    tab.goto(f"{live_server.base_url}/auth/connexion")
    tab.get_by_label("Adresse électronique").fill(EMAIL)
    tab.get_by_label("Mot de passe").fill(PASSWORD)
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab).to_have_url(re.compile(r"/console/$"))
    yield tab, console
    context.close()


def _user_query() -> Any:
    from sqlalchemy import select

    from workshops.store import User

    return select(User).where(User.email == EMAIL)


def _demo_id(server: LiveServer) -> int:
    with server.database() as session:
        row = find_project(session, demo_project().id)
        assert row is not None
        return row.id


def test_adding_and_linking_a_change_redraws_the_diagram_and_updates_the_findings(
    page: tuple[Any, Console], live_server: LiveServer
) -> None:
    tab, console = page
    project_id = _demo_id(live_server)
    demo = demo_project()

    # The demo, from the projects list, opens with no error finding.
    tab.goto(f"{live_server.base_url}/console/projets/")
    tab.get_by_role("link", name=demo.title).first.click()
    expect(tab.locator("#constats")).to_be_visible()
    expect(tab.locator("#constats .finding.error")).to_have_count(0)
    header_count = tab.locator("#compte-constats")
    clean_count = header_count.inner_text()
    tab.get_by_role("navigation", name="Pages du projet").get_by_role(
        "link", name="Changements", exact=True).click()
    canvas = tab.locator("[data-diagram-canvas]")
    expect(canvas.locator("svg")).to_be_visible()
    expect(canvas).not_to_contain_text("grands-parents")

    # Add a change: it is not yet on any pathway.
    adding = tab.locator("#ajouter")
    adding.get_by_label("Énoncé du changement").fill(NEW_CHANGE)
    adding.get_by_label("Parentalité").check()
    adding.get_by_role("button", name="Ajouter le changement").click()
    findings = tab.locator("#constats")
    expect(findings).to_contain_text("grands-parents relaient")
    expect(findings).to_contain_text("ne mène pas à la vision")

    # Link it to a stake and to the vision, on its own form.
    if tab.locator("form#fiche").count() == 0:
        tab.get_by_role("link", name=NEW_CHANGE).first.click()
    form = tab.locator("form#fiche")
    form.get_by_label(STAKE).check()
    form.get_by_label("Ce changement mène directement à la vision").check()
    form.get_by_role("button", name="Enregistrer les modifications").click()

    # The diagram is redrawn with the new change; the findings move on to its markers.
    expect(canvas).to_contain_text("grands-parents")
    expect(findings).not_to_contain_text("ne mène pas à la vision")
    expect(findings).to_contain_text("n'a aucun marqueur de progrès")
    expect(tab.locator("#constats .finding.warning")).to_have_count(1)
    expect(header_count).not_to_have_text(clean_count)  # the header counts it too

    # One "expect to see" marker: the warning becomes "the other levels are missing".
    tab.get_by_role("link", name="Ajouter un marqueur").click()
    marker_form = tab.locator("#ajouter")
    expect(marker_form.get_by_label("Changement observé")).to_have_value(re.compile("^chg-"))
    marker_form.get_by_label("Ce que l'on verra").fill(
        "Des grands-parents accompagnent des parents au relais petite enfance")
    marker_form.get_by_role("button", name="Ajouter le marqueur").click()
    expect(findings).not_to_contain_text("n'a aucun marqueur de progrès")
    expect(findings).to_contain_text("des marqueurs de niveau « on aimerait voir »")
    expect(tab.locator("#constats .finding.error")).to_have_count(0)

    # Every save is in the history, by the person logged in.
    tab.goto(f"{live_server.base_url}/console/projets/{project_id}/historique/")
    history = tab.locator("table.history tbody")
    expect(history.locator("tr").first).to_contain_text("Camille Navigateur")
    expect(history).to_contain_text("Marqueur de progrès ajouté")
    expect(history).to_contain_text("Changement ajouté : « Les grands-parents relaient")

    assert console.errors == []
