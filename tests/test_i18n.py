"""Languages of the pages (issue 8, item 6): choosing one, switching, and the catalogues.

French is the source language; English must be complete for what a participant or a
visitor reads: the phone pages, the projector page, the error pages, the accessibility
statement, the partials they include and the scripts' catalogues (app/i18n_messages.py).
The completeness test extracts the texts from those sources with Babel's own extractors
(the mapping of app/translations/babel.cfg, as ``make translations-update`` does), so a
new untranslated text there fails it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from factories import make_dot_vote_step
from flask import render_template_string
from pages_helpers import field_error, log_in, seed_workshop

from app import create_app, i18n_messages
from app.i18n import LANGUAGE_COOKIE, local_path
from app.i18n_plurals import fill_source_plurals
from app.settings import SettingError

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
STATIC = ROOT / "app" / "static"
EN_GB = {"Accept-Language": "en-GB,en;q=0.9"}

# Where the texts of the participants' and projector pages live, and of what they include.
COMPLETE_IN_ENGLISH = (
    "app/templates/base.html",
    "app/templates/_flashes.html",
    "app/templates/_language_switch.html",
    "app/templates/_results.html",
    "app/templates/error.html",
    "app/templates/accessibility.html",
    "app/templates/participant/",
    "app/templates/projector/",
    "app/participant.py",
    "app/projector.py",
    "app/accessibility.py",
    "app/security.py",
    "app/i18n.py",
    "app/i18n_messages.py",
)
# The Makefile's `pybabel extract -k lazy_gettext -k lazy_ngettext:1,2`.
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2)}

# Error codes only the facilitator's console can receive; every other code reaches phones.
FACILITATOR_ONLY_ERRORS = frozenset({
    "invalid_step", "invalid_title", "invalid_workshop", "login_required", "unknown_project",
    "writeback_failed",
})
ERROR_CODE_PATTERNS = (
    r'ServiceError\(\s*"([a-z_]+)"',
    r'ProtocolError\(\s*"([a-z_]+)"',
    r'\.error\(\s*"([a-z_]+)"',
    r'\bcode="([a-z_]+)"',
    r'\bcode = "([a-z_]+)" if .*? else "([a-z_]+)"',
)


def _page(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _lang(page: str) -> str:
    found = re.search(r'<html lang="([a-z]+)">', page)
    assert found is not None
    return found.group(1)


def _catalogue(code: str) -> Catalog:
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=code)


def _extracted() -> dict[Any, list[str]]:
    """Every msgid of the sources that must be complete in English, with where it is."""
    with open(TRANSLATIONS / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[Any, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        if filename.startswith(COMPLETE_IN_ENGLISH):
            msgid = message if isinstance(message, str) else tuple(message)
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def _translated(message: Message | None) -> bool:
    if message is None or message.fuzzy:
        return False
    forms = message.string if isinstance(message.string, tuple | list) else [message.string]
    return all(forms)


# --- Choosing the language -------------------------------------------------------------------


def test_a_browser_asking_for_british_english_gets_english_pages(client: Any) -> None:
    response = client.get("/", headers=EN_GB)
    page = _page(response)
    assert _lang(page) == "en"
    assert "<h1>Join a workshop</h1>" in page
    assert "Accessibility: not compliant" in page
    assert "Accept-Language" in response.headers["Vary"]


def test_an_unknown_or_missing_language_gives_french(client: Any) -> None:
    for headers in ({"Accept-Language": "de-DE,de;q=0.9,it;q=0.5"}, {}):
        page = _page(client.get("/", headers=headers))
        assert _lang(page) == "fr"
        assert "<h1>Rejoindre un atelier</h1>" in page


def test_the_chosen_language_beats_the_browser_language(client: Any) -> None:
    client.set_cookie(LANGUAGE_COOKIE, "fr")
    assert _lang(_page(client.get("/", headers=EN_GB))) == "fr"
    client.set_cookie(LANGUAGE_COOKIE, "en")
    page = _page(client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}))
    assert _lang(page) == "en"
    assert "<h1>Join a workshop</h1>" in page


def test_a_cookie_naming_no_known_language_is_ignored(client: Any) -> None:
    client.set_cookie(LANGUAGE_COOKIE, "klingon")
    assert _lang(_page(client.get("/", headers=EN_GB))) == "en"


def test_the_default_language_setting_serves_browsers_that_ask_for_none_we_have(
    tmp_path: Path,
) -> None:
    config = {"TESTING": True, "SECRET_KEY": "clé", "DEMO": False,
              "INSTANCE_PATH": str(tmp_path), "DEFAULT_LANGUAGE": "en"}
    english = create_app(config).test_client()
    assert _lang(_page(english.get("/", headers={"Accept-Language": "de"}))) == "en"
    assert _lang(_page(english.get("/", headers={"Accept-Language": "fr"}))) == "fr"
    with pytest.raises(SettingError, match="« de » n'est pas une langue de Chemins"):
        create_app({**config, "DEFAULT_LANGUAGE": "de"})


# --- The switch ------------------------------------------------------------------------------


def test_every_page_offers_the_other_language_named_in_that_language(client: Any) -> None:
    french = _page(client.get("/?code=KX7"))
    assert ('<a class="language-switch" href="/langue/en?suivant=/?code%3DKX7" lang="en" '
            'hreflang="en">English</a>') in french
    english = _page(client.get("/accessibilite", headers=EN_GB))
    assert ('<a class="language-switch" href="/langue/fr?suivant=/accessibilite" lang="fr" '
            'hreflang="fr">Français</a>') in english
    footer = english.split('<footer class="site-footer">', 1)[1]
    assert 'hreflang="fr">Français</a>' in footer


def test_the_switch_remembers_the_choice_and_goes_back_to_the_same_page(client: Any) -> None:
    response = client.get("/langue/en?suivant=/j/KX79HA%3Fx%3D1")
    assert response.status_code == 303
    assert response.headers["Location"] == "/j/KX79HA?x=1"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{LANGUAGE_COOKIE}=en;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    assert _lang(_page(client.get("/", headers={"Accept-Language": "fr"}))) == "en"
    client.get("/langue/fr?suivant=/")
    assert _lang(_page(client.get("/", headers=EN_GB))) == "fr"


@pytest.mark.parametrize("target", [
    "https://ailleurs.example/piege", "//ailleurs.example/piege", "/\\ailleurs.example",
    "/\t/ailleurs.example", "javascript:alert(1)", "ailleurs.example", "", "http:/x",
])
def test_the_switch_never_leads_off_the_site(client: Any, target: str) -> None:
    response = client.get("/langue/en", query_string={"suivant": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_a_local_path_keeps_its_query_and_fragment() -> None:
    target = "/console/ateliers/3/projecteur?x=1#r"
    assert local_path(target) == target
    assert local_path(None) == "/"


def test_the_switch_refuses_a_language_it_does_not_have(client: Any) -> None:
    response = client.get("/langue/de?suivant=/")
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers or LANGUAGE_COOKIE not in response.headers[
        "Set-Cookie"]


# --- Pages in English ------------------------------------------------------------------------


def test_the_phone_page_speaks_english_and_carries_its_script_catalogue(
    app: Any, client: Any
) -> None:
    workshop = seed_workshop(app, [make_dot_vote_step()], title="Atelier de mai")
    page = _page(client.get(f"/j/{workshop.code}", headers=EN_GB))
    assert _lang(page) == "en"
    assert '<button type="submit">Take part</button>' in page
    assert "You are taking part in the workshop “Atelier de mai”." in page
    block = re.search(r'<script type="application/json" id="messages">(.*?)</script>', page)
    assert block is not None
    messages = json.loads(block.group(1))
    assert messages["Envoyer mon vote"] == "Send my vote"
    assert messages["%(num)d votant"] == ["%(num)d voter", "%(num)d voters"]
    assert messages["error.invalid_ballot"] == "This vote is not valid: check your answers."
    # Only one switch on a phone: in the bar at the top, not again in the footer.
    assert page.count('class="language-switch"') == 1


def test_a_refused_code_is_explained_in_english_and_precisely_in_french(client: Any) -> None:
    english = _page(client.get("/?code=K0Z", headers=EN_GB))
    assert field_error(english, "code") == (
        "This code is not valid: type in the 6-character code shown on the screen (letters "
        "and digits).")
    french = _page(client.get("/?code=K0Z"))
    assert field_error(french, "code").startswith("Le caractère « 0 » n'apparaît jamais")
    missing = _page(client.get("/j/KX79HA", headers=EN_GB))
    assert field_error(missing, "code") == (
        "No workshop matches the code “KX79HA”. Check the code shown on the screen.")


def test_the_projector_speaks_english(app: Any, client: Any) -> None:
    workshop = seed_workshop(app, [make_dot_vote_step()], start="etape-gommettes")
    log_in(client, app)
    page = _page(client.get(f"/console/ateliers/{int(workshop.id)}/projecteur", headers=EN_GB))
    assert _lang(page) == "en"
    assert '<p class="step-kind" id="step-kind">Dot vote</p>' in page
    assert "Take part from your phone" in page
    assert '<span class="voter-count" id="voter-count">0 have voted</span>' in page
    assert 'aria-label="QR code to join the workshop: ' in page
    block = re.search(r'<script type="application/json" id="messages">(.*?)</script>', page)
    assert block is not None
    assert json.loads(block.group(1))["En direct"] == "Live"


def test_the_console_step_page_gives_its_results_script_their_english_texts(
    app: Any, client: Any
) -> None:
    workshop = seed_workshop(app, [make_dot_vote_step()], start="etape-gommettes")
    log_in(client, app)
    url = f"/console/ateliers/{int(workshop.id)}/etapes/etape-gommettes"
    english = _page(client.get(url, headers=EN_GB))
    block = re.search(r'<script type="application/json" id="messages">(.*?)</script>', english)
    assert block is not None
    messages = json.loads(block.group(1))
    assert messages["Rang"] == "Rank"
    assert messages["%(num)d votant"] == ["%(num)d voter", "%(num)d voters"]
    french = _page(client.get(url))
    block = re.search(r'<script type="application/json" id="messages">(.*?)</script>', french)
    assert block is not None and json.loads(block.group(1))["Rang"] == "Rang"


def test_error_pages_and_the_statement_speak_english(client: Any) -> None:
    missing = client.get("/nulle-part", headers=EN_GB)
    assert missing.status_code == 404
    assert "<h1>Page not found</h1>" in _page(missing)
    statement = _page(client.get("/accessibilite", headers=EN_GB))
    assert "<h1>Accessibility statement</h1>" in statement
    assert "<strong>Text enlarged to 200%</strong>" in statement


def test_counts_take_each_language_s_plural(app: Any) -> None:
    template = "{{ ngettext('%(num)d votant', '%(num)d votants', n) }}"
    expected = {"fr": ["0 votant", "1 votant", "2 votants"],
                "en": ["0 voters", "1 voter", "2 voters"]}
    for language, texts in expected.items():
        with app.test_request_context("/", headers={"Accept-Language": language}):
            assert [render_template_string(template, n=n) for n in (0, 1, 2)] == texts


def test_decimal_numbers_follow_the_page_language(app: Any) -> None:
    template = '{% from "_results.html" import number %}{{ number(2.5) }} {{ number(3.0) }}'
    for language, expected in (("fr", "2,5 3"), ("en", "2.5 3")):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            assert render_template_string(template) == expected


# --- The catalogues ----------------------------------------------------------------------------


def test_every_text_of_the_participant_and_projector_pages_has_an_english_translation() -> None:
    extracted = _extracted()
    # The extraction does find the pages' texts (a broken mapping would find none).
    assert len(extracted) > 200
    assert "Envoyer mon vote" in extracted and "Participer" in extracted
    assert ("%(num)d votant", "%(num)d votants") in extracted
    english = _catalogue("en")
    missing = [f"{msgid!r} ({', '.join(where)})" for msgid, where in extracted.items()
               if not _translated(english.get(msgid[0] if isinstance(msgid, tuple) else msgid))]
    assert not missing, "Sans traduction anglaise (make translations-update, puis le .po) :\n" + (
        "\n".join(missing))
    faults = [f"{message.id!r}: {error}" for msgid in extracted
              for message in [english.get(msgid[0] if isinstance(msgid, tuple) else msgid)]
              if message is not None for error in message.check(english)]
    assert faults == []


def test_the_french_catalogue_gives_every_plural_its_french_forms_and_nothing_else() -> None:
    french = _catalogue("fr")
    plurals = [message for message in french if message.id and message.pluralizable]
    assert plurals
    # French counts 0 and 1 in the singular, the rest (millions included) in the plural.
    wrong = [message.id for message in plurals if message.fuzzy or tuple(message.string)
             != (message.id[0],) + (message.id[1],) * (french.num_plurals - 1)]
    others = [message.id for message in french
              if message.id and not message.pluralizable and message.string]
    assert wrong == [], "make translations-update (python -m app.i18n_plurals) les complète"
    assert others == []


def test_filling_the_source_plurals_copies_the_msgids_and_drops_guesses(tmp_path: Path) -> None:
    catalog = Catalog(locale="fr")
    catalog.add(("%(num)d idée", "%(num)d idées"), ("", "", ""))
    catalog.add("Ateliers", "Workshop over", flags=["fuzzy"])
    path = tmp_path / "messages.po"
    with path.open("wb") as handle:
        write_po(handle, catalog)
    assert fill_source_plurals(path) == 2
    assert fill_source_plurals(path) == 0
    with path.open("rb") as handle:
        filled = read_po(handle)
    assert tuple(filled.get("%(num)d idée").string) == (
        "%(num)d idée", "%(num)d idées", "%(num)d idées")
    assert filled.get("Ateliers").string == "" and not filled.get("Ateliers").fuzzy


def test_the_compiled_catalogues_are_those_of_the_po_files() -> None:
    for language in ("en", "fr"):
        compiled = TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
        assert compiled.exists(), "catalogue non compilé : lancez « make translations »"
        expected = _mo_bytes(_catalogue(language))
        assert compiled.read_bytes() == expected, "catalogue périmé : lancez « make translations »"


def _mo_bytes(catalog: Catalog) -> bytes:
    import io

    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


@pytest.fixture
def request_in() -> Iterator[Any]:
    """Enter a request of the app in a language: ``with request_in("en"): …``."""
    application = create_app({"TESTING": True, "SECRET_KEY": "clé", "DEMO": False,
                              "DATABASE_URL": "sqlite://"})

    def enter(language: str) -> Any:
        return application.test_request_context("/", headers={"Accept-Language": language})

    yield enter


def test_the_script_catalogues_have_the_same_keys_in_both_languages(request_in: Any) -> None:
    for build in (i18n_messages.phone_messages, i18n_messages.projector_messages,
                  i18n_messages.results_messages):
        with request_in("fr"):
            french = build()
        with request_in("en"):
            english = build()
        assert set(french) == set(english)
        # In French a text is itself; in English every one is translated (none left as is
        # but the words that are the same in both languages).
        assert all(french[key] == key for key in french if isinstance(french[key], str)
                   and not key.startswith("error."))
        same = {key for key in english if english[key] == french[key]}
        assert same <= {"Option", "participant"}, same


def test_the_plural_keys_are_their_french_singular(request_in: Any) -> None:
    plurals = {**i18n_messages.RESULTS_PLURALS, **i18n_messages.PROJECTOR_PLURALS,
               **i18n_messages.PHONE_PLURALS}
    with request_in("fr"):
        assert {key: forms(1) for key, forms in plurals.items()} == {key: key for key in plurals}
        assert plurals["%(num)d votant"](0) == "%(num)d votant"


def _js_texts(script: str) -> tuple[set[str], dict[str, str]]:
    """The French texts a script passes to t() and to tn() (singular → plural)."""
    literal = r'"((?:[^"\\]|\\.)*)"'
    source = (STATIC / script).read_text(encoding="utf-8")
    texts = {json.loads(f'"{text}"') for text in re.findall(rf"\bt\(\s*{literal}", source)}
    plurals = {json.loads(f'"{one}"'): json.loads(f'"{other}"') for one, other in
               re.findall(rf"\btn\(\s*{literal},\s*{literal}", source)}
    return texts, plurals


@pytest.mark.parametrize(("scripts", "build"), [
    (("participant/phone.js",), "phone_messages"),
    (("projector/projector.js", "results.js"), "projector_messages"),
])
def test_every_text_a_script_translates_is_in_its_page_catalogue(
    request_in: Any, scripts: tuple[str, ...], build: str
) -> None:
    with request_in("fr"):
        catalogue = getattr(i18n_messages, build)()
    for script in scripts:
        texts, plurals = _js_texts(script)
        assert len(texts) >= 10, script
        assert sorted(text for text in texts if text not in catalogue) == [], script
        # A plural's key and its French forms are the script's own fallback.
        assert {one: catalogue.get(one) for one in plurals} == {
            one: [one, other] for one, other in plurals.items()}, script


def test_every_error_code_a_phone_can_receive_has_a_translation() -> None:
    sources = [ROOT / "workshops" / "service.py", ROOT / "app" / "sockets.py",
               ROOT / "app" / "protocol.py", *sorted((ROOT / "app" / "live").glob("*.py"))]
    codes = set()
    for source in sources:
        text = source.read_text(encoding="utf-8")
        for pattern in ERROR_CODE_PATTERNS:
            codes.update(code for match in re.finditer(pattern, text)
                         for code in match.groups() if code)
    assert {"bad_code", "invalid_ballot", "step_not_open", "unknown_column"} <= codes
    untranslated = codes - FACILITATOR_ONLY_ERRORS - set(i18n_messages.PHONE_ERRORS)
    assert untranslated == set(), (
        "Codes d'erreur sans traduction pour les téléphones (PHONE_ERRORS) : "
        f"{sorted(untranslated)}")
