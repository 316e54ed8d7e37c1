"""Every word a template shows goes through Flask-Babel (issue 8, item 6).

Each template under ``app/templates`` is parsed with the app's own Jinja environment (so
``{% trans %}`` blocks and ``_()`` calls are understood); what is left as literal text —
the ``TemplateData`` nodes — is read as HTML. Text between tags, and the attributes a
person reads or hears (``title``, ``placeholder``, ``aria-label``, ``alt``, the ``value``
of a submit button, the ``content`` of the meta description), must hold no word: words
belong in a translation call. Whatever a Jinja expression prints stands for one neutral
placeholder, so ``title="{{ _('Supprimer') }}"`` passes and ``title="Supprimer"`` fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, nodes

TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"

# What stands for anything Jinja prints or decides: no letter, so it never counts as a word;
# spaces around it keep a tag whole when Jinja decides an attribute (``<li{% if %} …>``).
MARK = "\x00"
PLACEHOLDER = f" {MARK} "

# Attributes whose value a person reads or hears.
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# ``value`` is read only on an input drawn as a button; a <button>'s value is form data.
BUTTON_INPUT_TYPES = ("submit", "button", "reset")

# Not words to translate: names of things and of bodies that stay the same in any
# language. A run of text passes when each of its words is here (symbols hold no word).
ALLOWED = frozenset({
    "Chemins",  # the product's name
    "CTG",  # Convention territoriale globale: the name of the contract
    "Caf",  # the family allowance fund, a proper noun
    "SPPE",  # the name of the public early-childhood service
    "ZIP",  # a file format's name
    "Copil",  # the name of the steering body in the conventions
    "Cotech",  # the name of the technical body in the conventions
})

# Blocks whose content base.html puts in an attribute that is not read (a CSS class).
NON_TEXT_BLOCKS = frozenset({"page_class", "body_class"})

# Runs of text that hold a letter (any script), once placeholders and symbols are gone.
LETTER = re.compile(r"[^\W\d_]")


class _TextFinder(HTMLParser):
    """Collects ``(line, text)`` for words left in text and in read attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw_text_tag: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Check the read attributes of a tag; note the start of script and style."""
        if tag in ("script", "style"):
            self._raw_text_tag = tag
        values = {name: value or "" for name, value in attrs}
        read = [name for name in READ_ATTRIBUTES if name in values]
        if tag == "input" and values.get("type", "").strip() in BUTTON_INPUT_TYPES:
            read.append("value")
        if tag == "meta" and values.get("name", "").strip() == "description":
            read.append("content")
        line = self.getpos()[0]
        for name in read:
            self._check(line, values[name], f"{tag}[{name}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closing tag: its attributes only."""
        self.handle_starttag(tag, attrs)
        self._raw_text_tag = None

    def handle_endtag(self, tag: str) -> None:
        """Leave script or style."""
        if tag == self._raw_text_tag:
            self._raw_text_tag = None

    def handle_data(self, data: str) -> None:
        """Check the text between tags (not code inside script or style)."""
        if self._raw_text_tag is not None:
            return
        line = self.getpos()[0]
        for offset, run in _runs(data):
            self._check(line + data.count("\n", 0, offset), run, "texte")

    def _check(self, line: int, text: str, where: str) -> None:
        for offset, run in _runs(text):
            words = [word for word in re.findall(r"\w+|©", run) if LETTER.search(word)]
            if any(word not in ALLOWED for word in words):
                self.found.append((line + text.count("\n", 0, offset), f"{where}: {run}"))


def _runs(text: str) -> list[tuple[int, str]]:
    """The stripped pieces of ``text`` between placeholders, with their offsets."""
    runs = []
    for match in re.finditer(f"[^{MARK}]+", text):
        if match.group().strip():
            start = match.start() + len(match.group()) - len(match.group().lstrip())
            runs.append((start, " ".join(match.group().split())))
    return runs


def literal_html(environment: Environment, source: str, name: str) -> str:
    """The template's literal text, each Jinja part replaced by one placeholder.

    Newlines are kept (a placeholder carries those of the part it stands for), so the
    line numbers of the result are those of the source.
    """
    tree = environment.parse(source, name=name)
    pieces: list[str] = []
    line = 1
    for data in _literal_data(tree):
        pieces.append(PLACEHOLDER + "\n" * max(0, data.lineno - line))
        line = max(line, data.lineno)
        pieces.append(data.data)
        line += data.data.count("\n")
    return "".join(pieces)


def _literal_data(node: nodes.Node) -> Iterator[nodes.TemplateData]:
    """The ``TemplateData`` under ``node`` in source order, but not in non-text blocks."""
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.TemplateData):
            yield child
        elif not (isinstance(child, nodes.Block) and child.name in NON_TEXT_BLOCKS):
            yield from _literal_data(child)


def untranslated_constants(environment: Environment, source: str, name: str) -> list[str]:
    """``name:line: 'text'`` for each wordy string constant outside a translation call.

    ``{{ "Modifier" if can_edit else "Lire" }}`` shows words that ``TemplateData`` never
    holds; template names (include, import, extends) are not text.
    """

    def constants(node: nodes.Node) -> Iterator[nodes.Const]:
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and (
            node.node.name in TEXT_CALLS
        ):
            return
        if isinstance(node, nodes.Include | nodes.Extends | nodes.FromImport | nodes.Import):
            return
        if isinstance(node, nodes.Const) and isinstance(node.value, str):
            yield node
        for child in node.iter_child_nodes():
            yield from constants(child)

    tree = environment.parse(source, name=name)
    return [f"{name}:{const.lineno}: {const.value!r}" for const in constants(tree)
            if WORDY.search(const.value)]


def untranslated_text(environment: Environment, source: str, name: str) -> list[str]:
    """``name:line: text`` for each word of ``source`` shown outside a translation call."""
    finder = _TextFinder()
    finder.feed(literal_html(environment, source, name))
    finder.close()
    return [f"{name}:{line}: {text}" for line, text in finder.found]


# A string constant of a Jinja expression that reads as words: two words, or a letter beyond
# ASCII (« Modifier », "é"). Keys, classes and endpoints are single ASCII words.
WORDY = re.compile(r"[^\W\d_]{2,}[ '’][^\W\d_]{2,}|(?=[^\x00-\x7f])[^\W\d_]")
# Calls whose string arguments are translated (or are no text: url_for's endpoints).
TEXT_CALLS = frozenset({"_", "gettext", "ngettext", "url_for"})

# The staff pages of a project, by path under /console/projets/<id> ("" for its overview).
PROJECT_PAGES = (
    "/", "/parametres", "/territoire", "/equipements", "/enjeux", "/vision", "/changements",
    "/marqueurs", "/actions", "/axes", "/sppe", "/suivi", "/pilotage", "/evaluation",
    "/diagnostic/", "/documents", "/historique/", "/membres/", "/commentaires/",
    "/tableau-de-bord/",
)
# A placeholder left in a page means a text was translated without its values.
UNFILLED = re.compile(r"%\(\w+\)[sd]|%%")


@pytest.fixture(scope="module")
def environment() -> Any:
    """The app's Jinja environment, with Flask-Babel's i18n extension bound."""
    from app import create_app

    application = create_app({"TESTING": True, "SECRET_KEY": "clé de test", "DEMO": False,
                              "DATABASE_URL": "sqlite://"})
    return application.jinja_env


def test_the_app_environment_understands_translation_blocks(environment: Any) -> None:
    assert "jinja2.ext.InternationalizationExtension" in environment.extensions
    template = environment.from_string("{% trans %}Projets{% endtrans %} · {{ _('Aide') }}")
    assert template.render() == "Projets · Aide"


def test_every_template_word_goes_through_a_translation_call(environment: Any) -> None:
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        problems += untranslated_text(environment, path.read_text(encoding="utf-8"), name)
    if problems:
        pytest.fail("Texte à traduire hors de _() ou {% trans %} :\n" + "\n".join(problems),
                    pytrace=False)


def test_no_wordy_string_constant_is_left_outside_a_translation_call(environment: Any) -> None:
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        problems += untranslated_constants(environment, path.read_text(encoding="utf-8"), name)
    if problems:
        pytest.fail("Chaîne à traduire hors de _() :\n" + "\n".join(problems), pytrace=False)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{{ "Modifier" if x else "Lire la suite" }}', ["t.html:1: 'Lire la suite'"]),
        ("{% with page_name=\"Étape\" %}{% endwith %}", ["t.html:1: 'Étape'"]),
        ('{{ _("Lire la suite") }}{{ url_for("editor.index") }}{% include "a/b.html" %}', []),
        ('<p class="{{ \'late\' if x }}">{{ x or "—" }}{{ n ~ " (€)" }}</p>', []),
    ],
)
def test_the_constant_finder_reports_words_outside_translation_calls(
    environment: Any, source: str, expected: list[str]
) -> None:
    assert untranslated_constants(environment, source, "t.html") == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Bonjour</p>", ["t.html:1: texte: Bonjour"]),
        ("<p>\n  {{ name }} a voté\n</p>", ["t.html:2: texte: a voté"]),
        ('<a title="Supprimer" href="/x">{{ _("Supprimer") }}</a>',
         ["t.html:1: a[title]: Supprimer"]),
        ('<input placeholder="Nom" name="n">', ["t.html:1: input[placeholder]: Nom"]),
        ('<input type="submit" value="Envoyer">', ["t.html:1: input[value]: Envoyer"]),
        ('<meta name="description" content="Un outil">',
         ["t.html:1: meta[content]: Un outil"]),
        ('{% if x %}\n<img alt="Logo" src="l.png">{% endif %}', ["t.html:2: img[alt]: Logo"]),
        ('<li{% if last %} class="end"{% endif %} title="Fin">', ["t.html:1: li[title]: Fin"]),
        ("{% block page_class %}wide{% endblock %}<p>{% block title %}Accueil{% endblock %}</p>",
         ["t.html:1: texte: Accueil"]),
        ("<p>{% trans n=3 %}{{ n }} idées{% endtrans %}</p>", []),
        ('<a title="{{ _("Supprimer") }}" aria-label="{{ label }}">×</a>', []),
        ('<button name="action" value="delete">{{ _("Supprimer") }}</button>', []),
        ('<input type="hidden" name="step" value="vote">', []),
        ("<!-- une note --><script>let texte = 1;</script><p>CTG · Caf © 2025</p>", []),
        ("<p>{{ ngettext('%(num)d vote', '%(num)d votes', n) }}</p>", []),
    ],
)
def test_the_finder_reports_words_outside_translation_calls(
    environment: Any, source: str, expected: list[str]
) -> None:
    assert untranslated_text(environment, source, "t.html") == expected


@pytest.mark.parametrize("language", ["fr", "en"])
def test_staff_pages_render_with_every_placeholder_filled(
    app: Any, client: Any, language: str
) -> None:
    from editor_helpers import open_project
    from factories import make_dot_vote_step
    from pages_helpers import seed_workshop

    from theory_of_change.demo import demo_project

    project_id = open_project(app, client, demo_project())
    workshop = seed_workshop(app, [make_dot_vote_step()], project=demo_project())
    paths = [f"/console/projets/{project_id}{page}" for page in PROJECT_PAGES]
    paths += ["/console/", "/console/projets", "/console/ateliers/nouveau",
              f"/console/ateliers/{int(workshop.id)}"]
    headers = {"Accept-Language": language}
    for path in paths:
        response = client.get(path, headers=headers, follow_redirects=True)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert f'<html lang="{language}"' in page, path
        assert not UNFILLED.findall(page), (path, UNFILLED.findall(page))
    french = client.get(f"/console/projets/{project_id}/enjeux", headers={"Accept-Language": "fr"})
    assert "Enjeux du diagnostic partagé" in french.get_data(as_text=True)
