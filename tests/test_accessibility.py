"""Accessibility (RGAA / WCAG 2.1 AA) of every page, in Debian's Chromium on the real server.

One walk (:func:`visits`) opens every page once, in the state a real session leaves it —
the phone page at each kind of step, the projector showing each kind of result, the
console, the editor, history, dashboard, documents, diagnostic, minutes — and runs
axe-core (bundled by ``axe-playwright-python``, nothing fetched) on it. The tests then
read the walk: no serious or critical violation; the moderate and minor ones listed in
the accessibility statement; ``lang="fr"`` and the statement linked on every page; every
table named (a caption for results) with scoped headers; text at 200 % on a 360-px phone
without horizontal scrolling or a hidden submit button; the projector's colours told
apart under simulated colour blindness. The browser reaches nothing but the server, as
in a hall without internet: the walk also fails on any request or asset outside it, and
on any script error or failed request. Keyboard-only use of the phone page (a dot vote, a ranking)
and of the console (starting a step, moderating an idea), and a visible focus on every
stop of the tab order, are tests of their own.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from browser_support import (
    PROJECTOR_VIEWPORT,
    WAIT_MS,
    PageWatch,
    chromium_missing,
    facilitator_context,
    phone_context,
    remote_assets,
)
from factories import make_brainstorm_step, make_dot_vote_step, make_options, make_ranking_step
from live_server import LiveServer, PhoneActions
from page_tour import Tour, facilitator_pages, play_demo_steps, prepare_tour, public_pages
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

if chromium_missing():  # pragma: no cover - make test installs it
    pytest.skip("chromium absent : « make test » l'installe", allow_module_level=True)

AXE_OPTIONS = {
    "runOnly": {"type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
BLOCKING = ("serious", "critical")
# The phone draws every kind of result with one function: two kinds cover it.
VOTED_IN_THE_BROWSER = ("dot_vote", "rating")
DIAGRAM_CHECKED_ON = "projet : changements"
# Pages the walk reaches by a link: every page of the project's navigation (those added
# later too), and the first link matching a selector on a page: {page: ((name, link),)}.
NAVIGATION_FROM = "projet : vue d'ensemble"
FOLLOWED = {
    "diagnostic": (("enjeu proposé par le diagnostic", "a[href*='/enjeux-proposes/']"),),
    "tableau de bord": (("jalon", "a[href*='/jalons/']:not([href$='/nouveau'])"),),
    "projet : actions": (("fiche action", "a[href$='/fiche']"),),
}
# Pages that answer an error status on purpose, with a French page.
EXPECTED_STATUS = {"page introuvable": 404, "code inconnu": 400,
                   "atelier terminé (téléphone)": 410}
STATEMENT = "/accessibilite"

# Known phone.js defects the walk would tolerate, node by node (none left);
# test_the_phone_page_has_no_serious_violation_before_any_result checks without tolerance.
PHONE_JS_DEFECTS: set[tuple[str, str]] = set()

OKABE_ITO = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00",
             "#cc79a7"}
MIN_DELTA_E = 15.0
"""Smallest CIE76 colour difference allowed between two chart colours under a simulated
dichromacy (10 is already plainly different side by side; 15 leaves room for a projector)."""

# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
DICHROMACIES = {
    "protanopie": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deutéranopie": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopie": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}

INSPECT_JS = r"""() => {
  const named = (table) => {
    if (table.caption) { return table.caption.textContent.trim(); }
    const ids = (table.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
    return ids.map((id) => (document.getElementById(id) || {textContent: ""}).textContent)
      .join(" ").trim() || (table.getAttribute("aria-label") || "").trim();
  };
  const tables = Array.from(document.querySelectorAll("table")).map((table) => ({
    caption: named(table),
    hasCaption: !!table.caption && table.caption.textContent.trim() !== "",
    headers: table.querySelectorAll("th").length,
    unscoped: Array.from(table.querySelectorAll("th")).filter((th) => !th.scope).length,
    results: !!table.closest("#results, .my-results"),
  }));
  const links = Array.from(document.querySelectorAll("a[href]"))
    .filter((a) => new URL(a.href).pathname === "/accessibilite");
  return {lang: document.documentElement.lang, tables: tables, statementLinks: links.length};
}"""

ZOOM_JS = """(selector) => {
  const root = document.documentElement;
  root.style.fontSize = "200%";
  const button = document.querySelector(selector);
  let reachable = null;
  if (button) {
    button.scrollIntoView({block: "center"});
    const box = button.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    reachable = box.width > 0 && box.bottom <= window.innerHeight && box.top >= 0
      && !!hit && (hit === button || button.contains(hit));
  }
  const overflow = Math.max(root.scrollWidth, document.body.scrollWidth) - root.clientWidth;
  root.style.fontSize = "";
  window.scrollTo(0, 0);
  return {overflow: overflow, reachable: reachable};
}"""

FOCUS_JS = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) { return null; }
  // A radio drawn as a scale keeps its input invisible: its label shows the focus.
  const shown = element.matches(".scale input") ? element.closest("label") : element;
  const style = getComputedStyle(shown);
  const box = shown.getBoundingClientRect();
  return {
    what: element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
      + " « " + (element.getAttribute("aria-label") || element.textContent || element.name
      || "").trim().slice(0, 40) + " »",
    outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
    shadow: style.boxShadow !== "none",
    visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < window.innerHeight && box.left < window.innerWidth,
  };
}"""


@dataclass
class Visit:
    """What one page showed: axe's violations and the facts the tests check."""

    name: str
    url: str
    violations: list[dict[str, Any]]
    lang: str
    statement_links: int
    tables: list[dict[str, Any]]
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    remote_assets: list[str] = field(default_factory=list)
    zoom: dict[str, Any] | None = None
    colours: dict[str, str] = field(default_factory=dict)

    def blocking(self) -> list[str]:
        """The serious and critical violations, one line per element."""
        return [f"{self.name} : {v['id']} ({v['impact']}) {target} — {v['help']}"
                for v in self.violations if v["impact"] in BLOCKING
                for target in v["targets"]]


def start_axe(page: Any, exclude: tuple[str, ...] = ()) -> None:
    """Start axe-core on the page as it is now (injected if it is not yet); do not wait.

    The page checks itself while the test loads the next page in another tab.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_FILE_PATH.read_text(encoding="utf-8"))
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    page.evaluate(
        "([context, options]) => { window.cheminsAxe = axe.run(context || document, options); }",
        [context, AXE_OPTIONS])


def run_axe(page: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """axe-core's findings on the page as it is now."""
    start_axe(page, exclude)
    return dict(page.evaluate("() => window.cheminsAxe"))


def inspect(watch: PageWatch, name: str, exclude: tuple[str, ...] = (),
            started: bool = False) -> Visit:
    """axe-core's findings on the page as it is now; its language, links, tables, network.

    ``started``: :func:`start_axe` already runs on it. The network and console seen since
    the previous visit of the same tab go with this visit.
    """
    page = watch.page
    if not started:
        start_axe(page, exclude)
    response = page.evaluate("() => window.cheminsAxe")
    violations = []
    for violation in response["violations"]:
        targets = [" ".join(node["target"]) for node in violation["nodes"]
                   if (violation["id"], " ".join(node["target"])) not in PHONE_JS_DEFECTS]
        if targets:
            violations.append({"id": violation["id"], "impact": violation["impact"],
                               "help": violation["help"], "targets": targets})
    facts = page.evaluate(INSPECT_JS)
    base_url = re.match(r"https?://[^/]+", page.url)
    assert base_url is not None, page.url
    visit = Visit(name=name, url=page.url, violations=violations, lang=facts["lang"],
                  statement_links=facts["statementLinks"], tables=facts["tables"],
                  errors=list(watch.errors), outside=watch.outside(base_url.group(0)),
                  remote_assets=remote_assets(page.content(), base_url.group(0)))
    watch.errors.clear()
    watch.requests.clear()
    return visit


@pytest.fixture(scope="module")
def tour(live_server: LiveServer) -> Iterator[Tour]:
    """The server's pages, a facilitator logged in and a closed workshop."""
    prepared = prepare_tour(live_server)
    yield prepared
    prepared.facilitator.close()


@pytest.fixture(scope="module")
def visits(browser: Any, tour: Tour) -> dict[str, Visit]:
    """Every page visited once (axe-core run on each), by name, in the hall's cut-off world.

    The phone joins the demo workshop and follows it through its five steps, voting in
    the browser; the projector and the console are looked at during each step; then the
    public pages and every facilitator page.
    """
    server = tour.server
    found: dict[str, Visit] = {}
    phones = phone_context(browser)
    desks = facilitator_context(browser, tour.facilitator, server)
    screens = facilitator_context(browser, tour.facilitator, server, PROJECTOR_VIEWPORT)
    watches = []
    for context in (phones, desks, screens):
        context.add_init_script(path=AXE_FILE_PATH)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        watches.append(PageWatch(page))
    phone, desk, screen = watches

    def visit(watch: PageWatch, name: str, exclude: tuple[str, ...] = ()) -> Visit:
        found[name] = inspect(watch, name, exclude)
        return found[name]

    workshop = f"{server.base_url}/console/ateliers/{tour.demo_workshop_id}"
    phone.page.goto(f"{server.base_url}/j/{tour.demo_code}")
    expect(phone.page.locator("#join")).to_be_visible()
    visit(phone, "téléphone : rejoindre").zoom = phone.page.evaluate(
        ZOOM_JS, "#join-form button[type=submit]")
    phone.page.get_by_role("button", name="Participer").click()
    expect(phone.page.locator("#connection")).to_have_text("En ligne")
    screen.page.goto(f"{workshop}/projecteur")
    visit(screen, "projecteur : accueil")

    for step in play_demo_steps(tour):
        kind = step["kind"]
        expect(phone.page.locator(".step-head h1")).to_have_text(step["title"])
        expect(phone.page.locator("#toast")).to_be_hidden()  # a passing message, not a loss
        visit(phone, f"téléphone : {kind}").zoom = phone.page.evaluate(
            ZOOM_JS, "#step form button[type=submit]")
        if kind in VOTED_IN_THE_BROWSER:
            _vote_in_the_browser(phone.page, kind)
            visit(phone, f"téléphone : {kind} après le vote")

        screen.page.goto(f"{workshop}/projecteur")
        expect(screen.page.locator("#live-state")).to_have_class(re.compile("online"))
        visit(screen, f"projecteur : {kind}").colours = screen.page.evaluate(COLOURS_JS)

        desk.page.goto(f"{workshop}/etapes/{step['id']}")
        if kind == "brainstorm":  # the moderation tools, unfolded
            desk.page.locator(".idea details summary").first.click()
        visit(desk, f"console : étape {kind}")
        if kind in ("brainstorm", "dot_vote"):  # ideas to pick; a write-back to preview
            desk.page.goto(f"{workshop}/etapes/{step['id']}/cloture")
            visit(desk, f"console : clôture {kind}")

    expect(phone.page.locator(".step-head .notice")).to_contain_text("Cette étape est close")
    visit(phone, "téléphone : étape close")
    more_phones, more_desks = PageWatch(phones.new_page()), PageWatch(desks.new_page())
    for watch in (more_phones, more_desks):
        watch.page.set_default_timeout(WAIT_MS)
    walk(server.base_url, (phone, more_phones), found,
         [(spec.name, spec.path, ()) for spec in public_pages(tour)])
    # The diagram beside every editor page is one partial: checked in full once.
    walk(server.base_url, (desk, more_desks), found,
         [(spec.name, spec.path,
           () if spec.name == DIAGRAM_CHECKED_ON else (".diagram-canvas svg",))
          for spec in facilitator_pages(tour)])
    for context in (phones, desks, screens):
        context.close()
    return found


def walk(base_url: str, tabs: tuple[PageWatch, PageWatch], found: dict[str, Visit],
         queue: list[tuple[str, str, tuple[str, ...]]]) -> None:
    """Visit each ``(name, path, excluded selectors)`` of ``queue``, two tabs in turn.

    While axe-core checks a page in one tab, the next page loads in the other. Pages
    reached only by a link (FOLLOWED) join the queue when the page linking to them is
    read.
    """
    seen = {path.split("?")[0] for _, path, _ in queue}
    pending: tuple[PageWatch, str, tuple[str, ...]] | None = None
    index = 0
    while index < len(queue) or pending is not None:
        current = None
        if index < len(queue):
            name, path, exclude = queue[index]
            tab = tabs[index % 2]
            tab.page.goto(base_url + path)
            start_axe(tab.page, exclude)
            current = (tab, name, exclude)
            index += 1
        if pending is not None:
            tab, name, exclude = pending
            found[name] = inspect(tab, name, exclude, started=True)
            for link_name, href in _followed_links(tab.page, name):
                if href and href.split("?")[0] not in seen:
                    seen.add(href.split("?")[0])
                    queue.append((link_name, href, exclude or (".diagram-canvas svg",)))
        pending = current


def _followed_links(page: Any, name: str) -> list[tuple[str, str]]:
    """The links of page ``name`` that the walk follows (see FOLLOWED)."""
    if name == NAVIGATION_FROM:
        return [(f"projet : {a.inner_text().strip()}", a.get_attribute("href") or "")
                for a in page.locator(".project-nav a").all()]
    links = []
    for link_name, selector in FOLLOWED.get(name, ()):
        link = page.locator(selector).first
        assert link.count() == 1, f"pas de lien {selector} sur {name}"
        links.append((link_name, link.get_attribute("href") or ""))
    return links


def _vote_in_the_browser(phone: Any, kind: str) -> None:
    """Fill the ballot with the mouse and send it; wait for the server's ack."""
    if kind == "dot_vote":
        phone.locator(".stepper button:not(.secondary)").first.click()
    else:  # a rating: the middle of each scale
        for scale in phone.locator(".scale").all():
            scale.locator("label").nth(2).click()
    phone.locator("#step form button[type=submit]").click()
    expect(phone.locator(".submit-bar .state")).to_have_class(re.compile(r"\bok\b"))
    expect(phone.locator(".my-results table")).to_be_visible()


COLOURS_JS = """() => {
  const colour = (selector, property) => {
    const node = document.querySelector(selector);
    return node ? getComputedStyle(node)[property] : null;
  };
  const found = {
    "barre": colour("#results .bar .fill", "fill"),
    "fond de barre": colour("#results .bar .track", "fill"),
    "case forte-forte": colour("#results .quadrant.high-high", "borderTopColor"),
    "case faible-faible": colour("#results .quadrant.low-low", "borderTopColor"),
    "case mixte": colour("#results .quadrant.high-low", "borderTopColor"),
    "idée": colour("#results .idea", "borderLeftColor"),
  };
  return Object.fromEntries(Object.entries(found).filter(([, value]) => value));
}"""


# --- axe-core on every page ------------------------------------------------------------


def test_the_walk_covers_every_kind_of_page(visits: dict[str, Visit], tour: Tour) -> None:
    kinds = ("brainstorm", "dot_vote", "ranking", "rating", "choice")
    expected = {f"téléphone : {kind}" for kind in kinds} | {
        f"projecteur : {kind}" for kind in kinds} | {
        f"console : étape {kind}" for kind in kinds} | {
        page.name for page in public_pages(tour) + facilitator_pages(tour)}
    assert expected <= set(visits)
    assert {"enjeu proposé par le diagnostic", "jalon", "fiche action",
            "projet : Équipements et services"} <= set(visits)
    assert len(visits) >= 70
    assert {name: visit.url for name, visit in visits.items()
            if not visit.url.startswith(tour.server.base_url)} == {}


def test_no_page_has_a_serious_or_critical_axe_violation(visits: dict[str, Visit]) -> None:
    blocking = [line for visit in visits.values() for line in visit.blocking()]
    assert blocking == [], "\n".join(blocking)


def test_the_statement_lists_exactly_the_moderate_and_minor_findings(
    visits: dict[str, Visit], client: Any
) -> None:
    statement = client.get(STATEMENT).get_data(as_text=True)
    listed = set(re.findall(r'data-axe-rule="([a-z0-9-]+)"', statement))
    found = {v["id"]: visit.name for visit in visits.values() for v in visit.violations
             if v["impact"] not in BLOCKING}
    unlisted = {rule: page for rule, page in found.items() if rule not in listed}
    assert unlisted == {}, f"à décrire dans la déclaration d'accessibilité : {unlisted}"
    assert listed <= set(found), f"corrigés, à retirer de la déclaration : {listed - set(found)}"


def test_the_phone_page_has_no_serious_violation_before_any_result(
    browser: Any, tour: Tour
) -> None:
    """What the walk tolerates in phone.js (PHONE_JS_DEFECTS), checked without tolerance."""
    context = phone_context(browser)
    page = context.new_page()
    page.goto(f"{tour.server.base_url}/j/{_open_workshop(tour, 'Défauts connus')}")
    page.get_by_role("button", name="Participer").click()
    expect(page.locator(".stepper").first).to_be_visible(timeout=WAIT_MS)
    response = run_axe(page)
    context.close()
    blocking = [(v["id"], " ".join(node["target"])) for v in response["violations"]
                if v["impact"] in BLOCKING for node in v["nodes"]]
    assert blocking == []


def test_every_page_is_in_french_and_links_to_the_accessibility_statement(
    visits: dict[str, Visit]
) -> None:
    not_french = [visit.name for visit in visits.values() if visit.lang != "fr"]
    unlinked = [visit.name for visit in visits.values() if visit.statement_links == 0
                and visit.name != "compte-rendu public"]
    assert not_french == []
    assert unlinked == []


def test_every_table_has_a_caption_or_a_name_and_scoped_headers(
    visits: dict[str, Visit]
) -> None:
    # The public minutes are a document exports/minutes writes (a known defect, listed in
    # the statement): the pages' templates are checked here.
    faults = [f"{visit.name} : « {table['caption'] or 'sans légende'} »"
              for visit in visits.values() if visit.name != "compte-rendu public"
              for table in visit.tables
              if not table["caption"] or table["unscoped"] or not table["headers"]]
    assert faults == [], "\n".join(faults)


def test_results_are_also_given_as_text_tables(visits: dict[str, Visit]) -> None:
    for kind in ("dot_vote", "ranking", "rating", "choice"):
        phone = (f"téléphone : {kind} après le vote",) if kind in VOTED_IN_THE_BROWSER else ()
        for where in (f"projecteur : {kind}", f"console : étape {kind}", *phone):
            tables = [t for t in visits[where].tables if t["results"]]
            assert tables, f"pas de tableau de résultats : {where}"
            assert all(t["hasCaption"] and t["headers"] and not t["unscoped"] for t in tables)


def test_text_at_200_percent_on_a_phone_needs_no_sideways_scroll_and_keeps_submit_reachable(
    visits: dict[str, Visit]
) -> None:
    zoomed = {name: visit.zoom for name, visit in visits.items() if visit.zoom is not None}
    assert len(zoomed) == 6  # the join form and the five kinds of step
    assert {name: z["overflow"] for name, z in zoomed.items() if z["overflow"] > 0} == {}
    assert {name: z["reachable"] for name, z in zoomed.items() if not z["reachable"]} == {}


# --- Offline: the same walk, in a browser that reaches nothing but the server -------------


def test_no_page_requests_anything_outside_the_server(visits: dict[str, Visit]) -> None:
    requested = {name: visit.outside for name, visit in visits.items() if visit.outside}
    assert requested == {}


def test_no_page_names_an_asset_outside_the_server(visits: dict[str, Visit]) -> None:
    named = {name: visit.remote_assets for name, visit in visits.items()
             if visit.remote_assets}
    assert named == {}


def test_every_page_renders_without_a_script_error_or_a_failed_request(
    visits: dict[str, Visit]
) -> None:
    faults = {}
    for name, visit in visits.items():
        status = EXPECTED_STATUS.get(name)
        left = [error for error in visit.errors if status is None
                or not (f"HTTP {status} " in error or f"status of {status} " in error)]
        if left:
            faults[name] = left
    assert faults == {}


# --- Colours ------------------------------------------------------------------------------


def _hex(css_colour: str) -> str:
    red, green, blue = (int(part) for part in re.findall(r"\d+", css_colour)[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def _lab(linear_rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    red, green, blue = linear_rgb
    x = (0.4124 * red + 0.3576 * green + 0.1805 * blue) / 0.95047
    y = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    z = (0.0193 * red + 0.1192 * green + 0.9505 * blue) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _seen_by(colour: str, matrix: tuple[tuple[float, ...], ...]) -> tuple[float, float, float]:
    rgb = [_linear(int(colour[i:i + 2], 16)) for i in (1, 3, 5)]
    simulated = [min(1.0, max(0.0, sum(row[k] * rgb[k] for k in range(3)))) for row in matrix]
    return _lab((simulated[0], simulated[1], simulated[2]))


def test_the_projector_draws_its_charts_in_the_okabe_ito_palette(
    visits: dict[str, Visit]
) -> None:
    colours = {f"{name} / {part}": _hex(value) for name, visit in visits.items()
               if name.startswith("projecteur") for part, value in visit.colours.items()
               if part != "fond de barre"}
    assert {"projecteur : rating / case forte-forte", "projecteur : dot_vote / barre",
            "projecteur : brainstorm / idée"} <= set(colours)
    assert {where: c for where, c in colours.items() if c not in OKABE_ITO} == {}
    css = (Path(__file__).parents[1] / "app/static/chemins.css").read_text(encoding="utf-8")
    chart_variables = re.findall(r"--chart(?:-\d)?:\s*(#[0-9a-f]{6})", css)
    assert len(chart_variables) == 4
    assert set(chart_variables) <= OKABE_ITO


def test_the_projector_colours_stay_apart_for_colour_blind_viewers(
    visits: dict[str, Visit]
) -> None:
    shown = {_hex(value) for name, visit in visits.items() if name.startswith("projecteur")
             for value in visit.colours.values()}
    assert len(shown) >= 4  # three quadrant colours and the bars' track at least
    too_close = []
    for vision, matrix in DICHROMACIES.items():
        for first, second in itertools.combinations(sorted(shown), 2):
            a, b = _seen_by(first, matrix), _seen_by(second, matrix)
            distance = sum((p - q) ** 2 for p, q in zip(a, b, strict=True)) ** 0.5
            if distance < MIN_DELTA_E:
                too_close.append(f"{vision} : {first} et {second} ({distance:.1f})")
    assert too_close == []


# --- Keyboard only --------------------------------------------------------------------------


def tab_to(page: Any, target: Any, key: str = "Tab", presses: int = 60) -> None:
    """Press ``key`` until ``target`` has the focus; fail if it never gets it."""
    for _ in range(presses):
        page.keyboard.press(key)
        if target.evaluate("(node) => node === document.activeElement"):
            return
    raise AssertionError(f"{target} jamais atteint avec {key} en {presses} appuis")


FOCUSED_NAME_JS = """() => {
  const node = document.activeElement;
  return node ? (node.getAttribute("aria-label") || node.textContent || "").trim() : "";
}"""


def tab_through(page: Any, last: Any, presses: int = 80) -> set[str]:
    """The names of the tab stops met from the current focus up to ``last`` (included)."""
    names = set()
    for _ in range(presses):
        page.keyboard.press("Tab")
        names.add(page.evaluate(FOCUSED_NAME_JS))
        if last.evaluate("(node) => node === document.activeElement"):
            return names
    raise AssertionError(f"{last} jamais atteint avec Tab en {presses} appuis")


def controls_of(page: Any) -> set[str]:
    """The names of every button of the ballot on the phone page."""
    return set(page.locator("#step form button").evaluate_all(
        "(buttons) => buttons.map((b) => (b.getAttribute('aria-label') || b.textContent).trim())"))


def _open_workshop(tour: Tour, title: str) -> str:
    """A workshop of the demo project with a dot vote (started) then a ranking; its code."""
    facilitator = tour.facilitator
    facilitator.close()
    facilitator.create_workshop(tour.project_id, title)
    facilitator.add_steps([
        make_dot_vote_step(options=make_options(3), budget=2, max_per_option=1),
        make_ranking_step(options=make_options(3)),
    ])
    code = str(facilitator.connect()["state"]["workshop"]["code"])
    facilitator.open_workshop()
    facilitator.start_step("etape-gommettes")
    return code


def _ballots_of(server: LiveServer, nickname: str) -> list[dict[str, Any]]:
    """The ballots the participant called ``nickname`` cast, oldest first."""
    from sqlalchemy import select

    from workshops.store import BallotRow, ParticipantRow

    with server.database() as session:
        bodies = session.execute(
            select(BallotRow.body)
            .join(ParticipantRow, ParticipantRow.id == BallotRow.participant_id)
            .where(ParticipantRow.nickname == nickname).order_by(BallotRow.id)
        ).scalars().all()
    return [dict(body) for body in bodies]


def test_a_phone_joins_dot_votes_and_ranks_with_the_keyboard_alone(
    browser: Any, tour: Tour
) -> None:
    code = _open_workshop(tour, "Au clavier")
    context = phone_context(browser)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    watch = PageWatch(page)
    page.goto(f"{tour.server.base_url}/j/{code}")
    expect(page.locator("#join")).to_be_visible()

    tab_to(page, page.get_by_label("Votre prénom ou pseudonyme"))
    page.keyboard.type("Clavier")
    habitants = page.get_by_role("radio", name="Habitants", exact=True)
    tab_to(page, page.get_by_role("radio", name="Je préfère ne pas le dire"))
    page.keyboard.press("ArrowUp")  # arrows move within a group of radio buttons
    expect(habitants).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Participer"))
    page.keyboard.press("Enter")

    budget = page.locator(".budget strong")
    expect(budget).to_have_text("2 / 2")
    submit = page.get_by_role("button", name="Envoyer mon vote")
    assert len(controls_of(page)) == 7  # − and + for three options, and the submit button
    assert controls_of(page) <= tab_through(page, submit)
    tab_to(page, page.get_by_role("button", name="Ajouter une gommette à « Option A »"))
    page.keyboard.press("Enter")
    expect(budget).to_have_text("1 / 2")
    tab_to(page, page.get_by_role("button", name="Ajouter une gommette à « Option C »"))
    page.keyboard.press("Space")
    expect(budget).to_have_text("0 / 2")
    tab_to(page, page.get_by_role("button", name="Retirer une gommette de « Option C »"),
           key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(budget).to_have_text("1 / 2")
    tab_to(page, page.get_by_role("button", name="Ajouter une gommette à « Option B »"),
           key="Shift+Tab")
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Envoyer mon vote"))
    page.keyboard.press("Enter")
    expect(page.locator(".submit-bar .state")).to_have_text(re.compile("vote est enregistré"))
    assert _ballots_of(tour.server, "Clavier") == [
        {"kind": "dot_vote", "dots": {"opt-a": 1, "opt-b": 1}}]

    tour.facilitator.close_step("etape-gommettes")
    tour.facilitator.start_step("etape-classement")
    expect(page.locator(".step-head h1")).to_have_text("Classez les options")
    labels = page.locator("#step ol.option-list .label")
    expect(labels).to_have_text(["Option A", "Option B", "Option C"])
    assert len(controls_of(page)) == 7  # ↑ and ↓ for three options, and the submit button
    assert controls_of(page) <= tab_through(page, submit)
    down_a = page.get_by_role("button", name="Descendre « Option A »")
    tab_to(page, down_a)
    page.keyboard.press("Enter")
    expect(labels).to_have_text(["Option B", "Option A", "Option C"])
    expect(down_a).to_be_focused()  # the moved option keeps the focus: press again
    page.keyboard.press("Space")
    expect(labels).to_have_text(["Option B", "Option C", "Option A"])
    tab_to(page, page.get_by_role("button", name="Monter « Option C »"), key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(labels).to_have_text(["Option C", "Option B", "Option A"])
    tab_to(page, page.get_by_role("button", name="Envoyer mon vote"))
    page.keyboard.press("Enter")
    expect(page.locator(".submit-bar .state")).to_have_text(re.compile("vote est enregistré"))
    assert _ballots_of(tour.server, "Clavier")[1:] == [
        {"kind": "ranking", "order": ["opt-c", "opt-b", "opt-a"]}]
    assert watch.errors == []
    context.close()


def test_the_facilitator_starts_a_step_and_hides_an_idea_with_the_keyboard_alone(
    browser: Any, tour: Tour
) -> None:
    facilitator = tour.facilitator
    facilitator.close()
    workshop_id = facilitator.create_workshop(tour.project_id, "Console au clavier")
    step = make_brainstorm_step()
    facilitator.add_steps([step])
    code = facilitator.connect()["state"]["workshop"]["code"]
    facilitator.open_workshop()
    context = facilitator_context(browser, facilitator, tour.server)
    desk = context.new_page()
    desk.set_default_timeout(WAIT_MS)
    watch = PageWatch(desk)
    desk.goto(f"{tour.server.base_url}/console/ateliers/{workshop_id}/etapes/{step.id}")
    expect(desk.locator("#step-status")).to_have_text("à venir")

    tab_to(desk, desk.get_by_role("button", name="Lancer l'étape"))
    desk.keyboard.press("Enter")
    expect(desk.locator("#step-status")).to_have_text("en cours")
    expect(desk.locator("#live-state")).to_have_class(re.compile("online"))

    phone = PhoneActions(tour.server, code)
    phone.join(nickname="Sacha")
    text = "Une navette vers le relais petite enfance"
    idea_id = phone.post_idea(step.id, "col-familles", text)
    phone.wait_until(lambda: idea_id in phone.wall, "idée sur le mur du téléphone")
    card = desk.locator(".idea", has_text=text)
    expect(card).to_be_visible()
    tab_to(desk, card.locator("summary"))
    desk.keyboard.press("Enter")
    tab_to(desk, card.get_by_role("button", name="Masquer"))
    desk.keyboard.press("Enter")
    expect(desk.locator(".idea", has_text=text).locator(".badge.hidden-idea")).to_have_text(
        "masquée")
    # Hidden: it leaves the participants' wall.
    phone.wait_until(lambda: idea_id not in phone.wall or phone.wall[idea_id].get("hidden"),
                     "idée masquée sur le téléphone")
    phone.close()
    assert watch.errors == []
    context.close()


def test_every_stop_of_the_tab_order_shows_a_visible_focus(browser: Any, tour: Tour) -> None:
    server = tour.server
    pages = [
        ("téléphone", f"/j/{_open_workshop(tour, 'Focus visible')}", True),
        ("connexion", "/auth/connexion", False),
        ("déclaration", STATEMENT, False),
        ("console", f"/console/ateliers/{tour.demo_workshop_id}", False),
        ("éditeur", f"/console/projets/{tour.project_id}/changements", False),
    ]
    phones = phone_context(browser)
    desks = facilitator_context(browser, tour.facilitator, server)
    faults: list[str] = []
    stops = 0
    for name, path, on_phone in pages:
        page = (phones if on_phone else desks).new_page()
        page.goto(server.base_url + path)
        if on_phone:
            page.get_by_role("button", name="Participer").click()
            expect(page.locator(".stepper").first).to_be_visible(timeout=WAIT_MS)
            page.mouse.click(1, 300)  # the focus starts from the page, as after a tap
        for _ in range(25):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUS_JS)
            if focus is None:
                continue
            stops += 1
            if focus["outline"] < 2 or not focus["shadow"] or not focus["visible"]:
                faults.append(f"{name} : {focus}")
        page.close()
    phones.close()
    desks.close()
    assert stops >= 100
    assert faults == []


# --- The statement itself ---------------------------------------------------------------------


def test_the_statement_says_what_was_tested_how_the_results_and_whom_to_tell(
    client: Any
) -> None:
    response = client.get(STATEMENT)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "<h1>Déclaration d'accessibilité</h1>" in page
    for heading in ("État de conformité", "Ce qui est vérifié à chaque test",
                    "Résultats", "Défauts connus", "Signaler un défaut", "Voies de recours"):
        assert f">{heading}</h2>" in page, heading
    for fact in ("axe-core", "WCAG 2.1", "RGAA", "clavier", "200 %", "Okabe", "Chromium",
                 "tests/test_accessibility.py"):
        assert fact in page, fact


def test_every_server_drawn_page_links_to_the_statement_in_its_footer(client: Any) -> None:
    for path in ("/", "/auth/connexion", "/nulle-part", STATEMENT):
        page = client.get(path).get_data(as_text=True)
        footer = page.split('<footer class="site-footer">', 1)[1].split("</footer>", 1)[0]
        assert f'href="{STATEMENT}"' in footer, path
