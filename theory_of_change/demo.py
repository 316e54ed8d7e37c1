"""The built-in demo project: the second CTG of Pornic Agglo Pays de Retz (2025–2029).

The demo is a hand-written YAML file shipped inside the package. It follows the Caf's
presentation of 3 June 2025 and the portrait de territoire; where the presentation is
silent its content is plausible but invented, and the file says so in comments and in
its ``notes``. It is the project ``make serve`` and ``chemins demo`` start from.

Its ``diagnostic`` section is the portrait de territoire (``data/portrait/*.csv``, the
seed's tables) as the importer reads it, plus the stakes' quotes filed as the
diagnostic's qualitative evidence. That section alone is generated, so the rest of the
file keeps its comments; after changing the tables or the importer, regenerate it with::

    .venv/bin/python -m theory_of_change.demo
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .diagnostic.model import Diagnostic, DiagnosticQuote
from .files import atomic_write, dumps_project, load_project
from .model import Project, QualitativeEvidence
from .slugs import slugify

DEMO_FILE: Path = Path(__file__).parent / "data" / "pornic-agglo.yaml"
"""The packaged YAML file of the demo project."""

PORTRAIT_DIR: Path = Path(__file__).parent / "data" / "portrait"
"""The portrait de territoire tables of the seed (CSV, as the Caf sends them)."""

PORTRAIT_IMPORTED_AT = dt.datetime(2025, 6, 3, 9, 0)
"""The import date written in the demo (the presentation's day), so the file never drifts."""

NEIGHBOUR_NAMES = ("CC du Sud Estuaire",)
"""Territories of the tables outside the project, spelled as documents print them."""

DIAGNOSTIC_COMMENT = """\
# Diagnostic partagé : les deux tableaux du portrait de territoire petite enfance
# (data/portrait/*.csv, tels que la Caf les envoie), importés par Chemins, et les
# citations des enjeux ci-dessus rangées comme données chaudes. Section GÉNÉRÉE : ne pas
# la modifier à la main, la régénérer avec « .venv/bin/python -m theory_of_change.demo ».
"""

_SECTION = re.compile(r"(?ms)^(?:#[^\n]*\n)*diagnostic:\n(?:(?:[ \t][^\n]*)?\n)*")


def demo_project() -> Project:
    """Load the demo project; each call returns a fresh object that callers may edit."""
    return load_project(DEMO_FILE)


def demo_yaml() -> str:
    """The demo project's YAML text as shipped, comments included."""
    return DEMO_FILE.read_text(encoding="utf-8")


def portrait_files() -> list[Path]:
    """The packaged portrait tables, in the order they are imported."""
    return sorted(PORTRAIT_DIR.glob("*.csv"))


def portrait_diagnostic(project: Project) -> Diagnostic:
    """The demo's diagnostic rebuilt from scratch: the portrait tables, then the quotes.

    Each distinct quote of the stakes' evidence becomes one diagnostic quote linked to
    every stake that cites it, so the diagnostic page and the stakes tell the same story.
    """
    # Imported here: the importer (and openpyxl) would slow down every loading of the demo.
    from .diagnostic.importer import import_file, import_into_project, project_names

    bare = project.model_copy(update={"diagnostic": Diagnostic()})
    names = project_names(bare) | {slugify(name): name for name in NEIGHBOUR_NAMES}
    for path in portrait_files():
        result = import_file(path, known_names=names, now=PORTRAIT_IMPORTED_AT)
        bare, _ = import_into_project(bare, result)
    quotes: dict[tuple[str, str | None, str | None, str | None], DiagnosticQuote] = {}
    for stake in project.stakes:
        for evidence in stake.evidence:
            if not isinstance(evidence, QualitativeEvidence):
                continue
            key = (evidence.quote, evidence.group, evidence.source, evidence.theme)
            known = quotes.get(key)
            if known is None:
                quotes[key] = DiagnosticQuote(
                    id=f"citation-{len(quotes) + 1}",
                    quote=evidence.quote,
                    group=evidence.group,
                    workshop=evidence.source,
                    theme=evidence.theme,
                    stakes=[stake.id],
                )
            elif stake.id not in known.stakes:
                quotes[key] = known.model_copy(update={"stakes": [*known.stakes, stake.id]})
    return bare.diagnostic.model_copy(update={"quotes": list(quotes.values())})


def diagnostic_section(project: Project) -> str:
    """The ``diagnostic:`` block of ``project`` (with the demo's comment), as YAML text."""
    # Cut from what the project writer writes, so the block reads like the rest of the file.
    found = _SECTION.search(dumps_project(project))
    body = found.group(0).rstrip("\n") + "\n" if found else ""
    return DIAGNOSTIC_COMMENT + body + "\n"


def with_diagnostic_section(text: str, section: str) -> str:
    """The demo's YAML text with its ``diagnostic`` block replaced (or added before
    ``notes``); every other line, comments included, is kept as it is."""
    if _SECTION.search(text):
        return _SECTION.sub(lambda _match: section, text, count=1)
    position = text.find("\nnotes:")
    if position < 0:
        return text.rstrip("\n") + "\n\n" + section
    return text[: position + 1] + section + text[position + 1 :]


def regenerate_demo_diagnostic(path: Path = DEMO_FILE) -> Path:
    """Rewrite the demo file's ``diagnostic`` section from the packaged portrait tables."""
    project = load_project(path)
    text = path.read_text(encoding="utf-8")
    rebuilt = project.model_copy(update={"diagnostic": portrait_diagnostic(project)})
    updated = with_diagnostic_section(text, diagnostic_section(rebuilt))
    return atomic_write(path, updated.encode("utf-8"))


if __name__ == "__main__":
    written = regenerate_demo_diagnostic()
    print(f"Section « diagnostic » régénérée : {written}")
