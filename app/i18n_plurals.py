"""The French catalogue's plural forms, filled in from the msgids themselves.

French is the source language: a French page shows the msgids as they are, except for
plurals. Without a catalogue, gettext takes the English rule (only 1 is singular) and
would print "0 votants"; with French plural forms it prints "0 votant". So the French
catalogue holds nothing but its plurals, each form copied from the msgid (``msgstr[0]``)
or its plural (every other form). ``make translations-update`` runs this after
``pybabel update``::

    python -m app.i18n_plurals app/translations/fr/LC_MESSAGES/messages.po
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill_source_plurals(path: Path) -> int:
    """Give every plural message of the .po at ``path`` its source forms, and every other
    message none (a fuzzy guess of ``pybabel update`` included); how many changed."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    changed = 0
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            singular, plural = message.id[0], message.id[1]
            forms: str | tuple[str, ...] = (singular,) + (plural,) * (catalog.num_plurals - 1)
        else:
            forms = ""
        if message.string != forms or message.fuzzy:
            message.string = forms
            message.flags.discard("fuzzy")
            changed += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, ignore_obsolete=True)
    return changed


def main(argv: list[str] | None = None) -> int:
    """Fill the plurals of each .po named on the command line."""
    for name in argv if argv is not None else sys.argv[1:]:
        print(f"{name} : {fill_source_plurals(Path(name))} message(s) mis à jour")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
