"""A whole workshop in real browsers: the facilitator's laptop, the hall's projector and
five phones, all Debian's Chromium (Playwright) against the real server, cut off from
everything but it.

The facilitator logs in through the log-in form and opens the demo workshop; five phones
(360×740, touch) join at the address the projector's QR code holds; they post ideas and
upvote, spend their dots, rank; the projector follows the count and the results; the
facilitator closes each step from the console, and the pathway editor then shows the
changes the dot vote prioritised. Each page is photographed into ``artifacts/e2e/``;
any error in any browser console, or any failed request, fails the test.

Then a phone on a 2G-like connection (Chromium's network emulation): it joins and votes,
keeps a half-filled ballot across a reload, and says when the network is gone.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from browser_support import (
    PROJECTOR_VIEWPORT,
    WAIT_MS,
    PageWatch,
    chromium_missing,
    phone_context,
)
from factories import make_dot_vote_step, make_options
from live_server import FacilitatorActions, LiveServer
from playwright.sync_api import expect
from sqlalchemy import select

from theory_of_change.demo import demo_project
from workshops.service import DEMO_WORKSHOP_TITLE
from workshops.store import BallotRow, create_user

pytestmark = pytest.mark.slow

if chromium_missing():  # pragma: no cover - make test installs it
    pytest.skip("chromium absent : « make test » l'installe", allow_module_level=True)

ARTIFACTS = Path(__file__).parents[1] / "artifacts" / "e2e"
README_SCREENSHOTS = Path(__file__).parents[1] / "docs" / "screenshots"
README_SHOTS = ("telephone-gommettes", "projecteur-gommettes", "editeur-changements-priorises")
"""Photos of this test that the README shows (as ``docs/screenshots/<name>.png``)."""
COPY_TO_README = "CHEMINS_README_SCREENSHOTS"
"""Set (``make screenshots``) to copy them there; otherwise only ``artifacts/e2e`` changes."""
EMAIL = "animation-e2e@exemple.fr"
PASSWORD = "un mot de passe solide"
PHONES = (("Camille", "Élus"), ("Dominique", "Habitants"), ("Alix", "Professionnels"),
          ("Sacha", "Associations"), ("Noé", "Partenaires institutionnels"))
IDEAS = ("Une permanence des services le samedi matin",
         "Un guide des modes de garde en plusieurs langues",
         "Des ateliers parents-enfants à la médiathèque",
         "Une navette vers le relais petite enfance",
         "Un espace jeunes ouvert le mercredi")
# Dots of each phone (option positions): options 0–2 get 5 dots, 3–4 get 3, 5–6 get 2,
# so the top five is options 0–4 with no tie across the fifth place.
DOTS = ((0, 1, 2, 3, 4), (0, 1, 2, 3, 4), (0, 1, 2, 3, 4), (0, 1, 2, 5, 6), (0, 1, 2, 5, 6))
# 2G as Chromium's devtools define it: 300 ms latency, 250 kbit/s down, 50 kbit/s up.
REGULAR_2G = {"offline": False, "latency": 300, "downloadThroughput": 250 * 1024 / 8,
              "uploadThroughput": 50 * 1024 / 8}
SLOW_MS = 45_000
"""Hang guard on the throttled connection (a stuck page fails; speed is not measured here)."""


class Photographer:
    """Screenshots of each page, numbered in the order they were taken."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
        self.count = 0
        self.names: list[str] = []

    def take(self, page: Any, name: str) -> Path:
        """Save what ``page`` shows now as ``NN-name.png`` (and in the README's folder)."""
        self.count += 1
        self.names.append(name)
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path))
        if name in README_SHOTS and os.environ.get(COPY_TO_README):
            README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, README_SCREENSHOTS / f"{name}.png")
        return path


def _log_in_through_the_form(browser: Any, server: LiveServer) -> Any:
    """A desktop page logged in through the log-in form (the account made as the CLI does)."""
    with server.database() as session:
        create_user(session, EMAIL, PASSWORD, display_name="Camille Animation")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{server.base_url}/auth/connexion")
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/console/$"))
    return page


def _qr_path_data(svg: str) -> list[str]:
    return re.findall(r'\bd="([^"]+)"', svg)


def _join_address(screen: Any, server: LiveServer) -> str:
    """The address the projector's QR code holds, checked against the code it draws."""
    qr = screen.locator(".qr svg[role=img]")
    expect(qr).to_be_visible()
    label = qr.get_attribute("aria-label") or ""
    found = re.search(r"(https?://\S+/j/[A-Z0-9]+)$", label)
    assert found, label
    address = found.group(1)
    code = screen.locator(".join-code").inner_text().strip()
    assert address == f"{server.base_url}/j/{code}"
    assert screen.locator(".join-url").inner_text().strip() == server.base_url.split("//")[1]
    # segno draws the same modules for the same address: the QR code holds exactly it.
    expected = segno.make(address, error="m", micro=False).svg_inline(
        scale=1, border=2, dark="#000000", light="#ffffff", omitsize=True)
    assert _qr_path_data(qr.evaluate("(svg) => svg.outerHTML")) == _qr_path_data(expected)
    return address


def _start_from_the_workshop_page(desk: Any, workshop_url: str, title: str) -> str:
    """Start the step whose title begins with ``title``; its whole title."""
    desk.goto(workshop_url)
    line = desk.locator(".step-list > li", has_text=title)
    whole = line.locator("strong").first.inner_text()
    line.get_by_role("button", name="Lancer").click()
    expect(desk.locator("h1")).to_have_text(whole)
    expect(desk.locator("#step-status")).to_have_text("en cours")
    return str(whole)


def _close_from_the_console(desk: Any, photos: Photographer, name: str) -> None:
    desk.get_by_role("link", name="Clôturer l'étape…").click()
    preview = desk.get_by_role("heading", name="Ce que la clôture écrira dans le modèle")
    expect(preview).to_be_visible()
    photos.take(desk, f"console-cloture-{name}")
    desk.get_by_role("button", name="Clôturer l'étape").click()
    expect(desk.locator("#step-status")).to_have_text("close")


def test_a_whole_workshop_from_five_phones_to_the_prioritised_changes(
    browser: Any, live_server: LiveServer
) -> None:
    photos = Photographer(ARTIFACTS)
    server = live_server
    watches: dict[str, PageWatch] = {}

    # The facilitator logs in and opens the demo workshop from the console.
    desk = _log_in_through_the_form(browser, server)
    watches["console"] = PageWatch(desk)
    photos.take(desk, "console-ateliers")
    desk.get_by_role("link", name=DEMO_WORKSHOP_TITLE).click()
    expect(desk.locator("h1")).to_have_text(DEMO_WORKSHOP_TITLE)
    workshop_url = desk.url
    photos.take(desk, "console-atelier")

    # The projector, in its own window: the QR code says where phones go.
    projector_context = browser.new_context(viewport=PROJECTOR_VIEWPORT, locale="fr-FR")
    projector_context.add_cookies(desk.context.cookies())
    screen = projector_context.new_page()
    screen.set_default_timeout(WAIT_MS)
    watches["projecteur"] = PageWatch(screen)
    screen.goto(f"{workshop_url}/projecteur")
    expect(screen.locator("#live-state")).to_have_class(re.compile("online"))
    expect(screen.locator("#participant-count")).to_have_text("0")
    join_address = _join_address(screen, server)
    photos.take(screen, "projecteur-accueil")

    # Five phones scan it and join, each with a nickname and a group.
    phones = []
    for index, (nickname, group) in enumerate(PHONES):
        context = phone_context(browser)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        watches[f"téléphone {nickname}"] = PageWatch(page)
        page.goto(join_address)
        page.get_by_label("Votre prénom ou pseudonyme").fill(nickname)
        page.get_by_role("radio", name=group, exact=True).check()
        if index == 0:
            photos.take(page, "telephone-rejoindre")
        page.get_by_role("button", name="Participer").click()
        expect(page.get_by_role("heading", name="En attente de la prochaine étape")).to_be_visible()
        phones.append(page)
    expect(screen.locator("#participant-count")).to_have_text("5")
    expect(screen.locator("#participant-label")).to_have_text("participants")

    # Brainstorm: each phone posts an idea, then supports its neighbour's.
    brainstorm = "Quelles actions pour chaque chemin de changement ?"
    _start_from_the_workshop_page(desk, workshop_url, brainstorm)
    for page, idea in zip(phones, IDEAS, strict=True):
        expect(page.locator(".step-head h1")).to_have_text(brainstorm)
        page.get_by_label("Votre idée", exact=True).fill(idea)
        page.get_by_role("button", name="Envoyer l'idée").click()
        expect(page.locator("#idee-etat")).to_have_class(re.compile(r"\bok\b"))
    for index, page in enumerate(phones):
        card = page.locator(".phone-idea", has_text=IDEAS[(index + 1) % len(IDEAS)])
        card.get_by_role("button", name=re.compile("^Soutenir cette idée")).click()
        withdraw = card.get_by_role("button", name=re.compile("^Retirer mon soutien"))
        expect(withdraw).to_have_attribute("aria-pressed", "true")
    photos.take(phones[0], "telephone-idees")
    expect(screen.locator("#results .idea")).to_have_count(5)
    expect(screen.locator("#voter-count")).to_have_text("5 ont contribué")
    expect(screen.locator("#results")).to_contain_text("▲ 1 soutien")
    photos.take(screen, "projecteur-idees")
    expect(desk.locator("#wall .idea")).to_have_count(5)
    photos.take(desk, "console-mur-idees")
    _close_from_the_console(desk, photos, "idees")

    # Dot vote: five dots each, one per change; the projector counts the voters.
    dot_vote_title = _start_from_the_workshop_page(desk, workshop_url, "Choisissez 5 changements")
    labels: list[str] = []
    for page, positions in zip(phones, DOTS, strict=True):
        expect(page.locator(".step-head h1")).to_have_text(dot_vote_title)
        options = page.locator("#step .option-list > li")
        labels = options.locator(".label").all_inner_texts()
        for position in positions:
            options.nth(position).get_by_role("button", name=re.compile("^Ajouter")).click()
        expect(page.locator(".budget strong")).to_have_text("0 / 5")
        page.get_by_role("button", name="Envoyer mon vote").click()
        expect(page.locator(".submit-bar .state")).to_have_class(re.compile(r"\bok\b"))
    photos.take(phones[0], "telephone-gommettes")
    expect(screen.locator("#voter-count")).to_have_text("5 ont voté")
    expect(screen.locator("#results [data-role=voters]")).to_have_text(
        "5 votants · 25 gommettes posées")
    top_rows = screen.locator("#results tbody tr").all_inner_texts()[:3]
    assert {row.split("\t")[1] for row in top_rows} == set(labels[:3])
    photos.take(screen, "projecteur-gommettes")
    desk.reload()
    expect(desk.locator("#presence-voters")).to_have_text("5")
    _close_from_the_console(desk, photos, "gommettes")
    outcome = desk.locator("section", has=desk.locator("#bilan"))
    expect(outcome).to_contain_text("prioris")
    photos.take(desk, "console-bilan-gommettes")

    # Ranking: each phone moves its last option up once per place it wants it higher.
    ranking = "Classez les changements prioritaires"
    _start_from_the_workshop_page(desk, workshop_url, ranking)
    for index, page in enumerate(phones):
        expect(page.locator(".step-head h1")).to_have_text(ranking)
        last = page.locator("#step ol.option-list .label").last.inner_text()
        for _ in range(index % 3):
            page.get_by_role("button", name=f"Monter « {last} »").click()
        page.get_by_role("button", name="Envoyer mon vote").click()
        expect(page.locator(".submit-bar .state")).to_have_class(re.compile(r"\bok\b"))
    photos.take(phones[1], "telephone-classement")
    expect(screen.locator("#voter-count")).to_have_text("5 ont voté")
    expect(screen.locator("#results [data-role=voters]")).to_have_text("5 votants")
    expect(screen.locator("#results [data-role=condorcet]")).to_contain_text("Condorcet")
    photos.take(screen, "projecteur-classement")
    desk.goto(workshop_url)
    desk.locator(".step-list > li", has_text=ranking).get_by_role(
        "link", name="Suivre en direct").click()
    _close_from_the_console(desk, photos, "classement")
    expect(phones[0].locator(".step-head .notice")).to_contain_text("Cette étape est close")

    # The model: exactly the five changes the dots chose are prioritised.
    console_nav = desk.get_by_role("navigation", name="Console")
    console_nav.get_by_role("link", name="Projets", exact=True).click()
    desk.get_by_role("link", name=demo_project().title).first.click()
    desk.get_by_role("navigation", name="Pages du projet").get_by_role(
        "link", name="Changements", exact=True).click()
    for label in labels[:5]:
        line = desk.locator(".item-title", has_text=label).first.locator("xpath=..")
        expect(line.locator(".badge.prioritised")).to_contain_text("priorité")
    for label in labels[5:7]:
        line = desk.locator(".item-title", has_text=label).first.locator("xpath=..")
        expect(line.locator(".badge.prioritised")).to_have_count(0)
    desk.locator(".badge.prioritised").first.scroll_into_view_if_needed()
    photos.take(desk, "editeur-changements-priorises")

    assert {name: watch.errors for name, watch in watches.items() if watch.errors} == {}
    assert photos.count >= 14
    assert set(README_SHOTS) <= set(photos.names)  # what the README shows is photographed here
    for page in phones:
        page.context.close()
    projector_context.close()
    desk.context.close()


# --- A phone on a 2G-like connection ----------------------------------------------------------


@pytest.fixture(scope="module")
def facilitator(live_server: LiveServer) -> Iterator[FacilitatorActions]:
    """A facilitator for the module, logged in by the one-time link the server printed."""
    actions = FacilitatorActions(live_server)
    actions.log_in()
    yield actions
    actions.close()


@pytest.fixture
def slow_phone(browser: Any, facilitator: FacilitatorActions) -> Iterator[tuple[Any, Any, str]]:
    """A phone on 2G facing a running dot vote (3 options, 2 dots): page, context, step."""
    facilitator.close()
    step = make_dot_vote_step(options=make_options(3), budget=2, max_per_option=1)
    code = facilitator.run_step(step, "Atelier en 2G")
    context = phone_context(browser)
    page = context.new_page()
    page.set_default_timeout(SLOW_MS)
    devtools = context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.send("Network.emulateNetworkConditions", REGULAR_2G)
    page.goto(f"{facilitator.server.base_url}/j/{code}")
    yield page, context, step.id
    context.close()


def _join_and_wait_for_the_ballot(page: Any) -> None:
    page.get_by_role("button", name="Participer").click()
    expect(page.get_by_role("button", name="Ajouter une gommette à « Option A »")).to_be_visible()
    expect(page.locator("#connection")).to_have_text("En ligne")


def test_on_2g_a_phone_joins_votes_and_keeps_a_half_filled_ballot_across_a_reload(
    slow_phone: tuple[Any, Any, str], live_server: LiveServer
) -> None:
    page, _, _ = slow_phone
    watch = PageWatch(page)
    _join_and_wait_for_the_ballot(page)
    page.get_by_role("button", name="Ajouter une gommette à « Option B »").click()
    expect(page.locator(".budget strong")).to_have_text("1 / 2")

    page.reload()  # half filled, not sent: the draft is the phone's own
    expect(page.locator(".option.chosen")).to_have_count(1)
    expect(page.locator(".option.chosen .label")).to_have_text("Option B")
    expect(page.locator(".budget strong")).to_have_text("1 / 2")
    expect(page.locator("#join")).to_be_hidden()

    page.get_by_role("button", name="Ajouter une gommette à « Option C »").click()
    page.get_by_role("button", name="Envoyer mon vote").click()
    expect(page.locator(".submit-bar .state")).to_have_text(re.compile("vote est enregistré"))
    with live_server.database() as session:
        last = session.scalars(select(BallotRow.body).order_by(BallotRow.id.desc())).first()
    assert last == {"kind": "dot_vote", "dots": {"opt-b": 1, "opt-c": 1}}
    assert watch.errors == []


def test_on_2g_the_phone_says_when_the_network_is_gone(
    slow_phone: tuple[Any, Any, str]
) -> None:
    page, context, _ = slow_phone
    _join_and_wait_for_the_ballot(page)
    context.set_offline(True)
    expect(page.locator("#connection")).to_have_text("Hors ligne")
    expect(page.locator("#connection")).to_have_class(re.compile(r"\boffline\b"))
    context.set_offline(False)


def test_on_2g_a_vote_made_offline_waits_and_the_phone_says_when_it_is_back(
    slow_phone: tuple[Any, Any, str], live_server: LiveServer
) -> None:
    page, context, _ = slow_phone
    _join_and_wait_for_the_ballot(page)
    context.set_offline(True)
    expect(page.locator("#connection")).to_have_text("Hors ligne")
    page.get_by_role("button", name="Ajouter une gommette à « Option A »").click()
    page.get_by_role("button", name="Envoyer mon vote").click()
    # Checked at once: the vote cannot have left a phone without network.
    assert "Hors ligne" in page.locator(".submit-bar .state").inner_text()

    context.set_offline(False)
    expect(page.locator("#connection")).to_have_text("En ligne")
    expect(page.locator(".submit-bar .state")).to_have_text(re.compile("vote est enregistré"))


def test_the_readme_shows_exactly_the_screenshots_this_test_takes() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r'src="docs/screenshots/([^"/]+)\.png"', readme))
    assert shown == set(README_SHOTS)
    for name in README_SHOTS:
        assert (README_SCREENSHOTS / f"{name}.png").stat().st_size > 10_000, name
