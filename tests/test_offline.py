"""Chemins works in a village hall without internet: nothing is loaded from elsewhere.

Here, the files: no template, style sheet, script or icon names an address outside the
server; fonts are the system's, icons the server's own SVG files. Every page rendered in
Debian's Chromium with the outside world cut off is checked by the page walk of
``tests/test_accessibility.py`` (one walk serves both): a page that asks for anything
outside the server, or names an ``http(s)://`` asset, fails there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

APP = Path(__file__).parents[1] / "app"
# XML namespaces name a vocabulary; nothing is fetched from them.
NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")
ADDRESS = re.compile(r"https?://[^\s\"'<>)]+")
GENERIC_FAMILIES = {"system-ui", "sans-serif", "serif", "monospace", "ui-monospace",
                    "-apple-system"}
# Families that are the system's own on the machines Chemins runs on (Debian ships
# DejaVu and Liberation; Windows Segoe UI, Android Roboto): none is ever downloaded.
SYSTEM_FAMILIES = {"Segoe UI", "Roboto", "DejaVu Sans", "Liberation Sans",
                   "DejaVu Sans Mono", "Liberation Mono"}


def _text_files() -> list[Path]:
    return sorted(path for path in [*APP.joinpath("templates").rglob("*.html"),
                                    *APP.joinpath("static").rglob("*")]
                  if path.suffix in (".html", ".css", ".js", ".svg"))


def test_no_template_stylesheet_script_or_icon_names_an_outside_address() -> None:
    files = _text_files()
    assert len(files) > 40
    named = {f"{path.relative_to(APP)} : {address}" for path in files
             for address in ADDRESS.findall(path.read_text(encoding="utf-8"))
             if address not in NAMESPACES}
    assert named == set()


def test_the_style_sheet_uses_system_fonts_only_and_fetches_nothing() -> None:
    css = (APP / "static" / "chemins.css").read_text(encoding="utf-8")
    assert "@font-face" not in css
    assert "@import" not in css
    assert [u for u in re.findall(r"url\(([^)]*)\)", css) if "data:" not in u] == []
    families = set()
    for stack in re.findall(r"--(?:font|mono):\s*([^;]+);", css):
        families |= {name.strip().strip('"') for name in stack.split(",")}
    assert families, "pas de pile de polices dans chemins.css"
    assert families <= GENERIC_FAMILIES | SYSTEM_FAMILIES
    assert set(re.findall(r"font-family:\s*([^;]+);", css)) <= {"var(--font)", "var(--mono)"}


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig absent")
def test_a_font_of_the_stack_is_installed_on_this_machine() -> None:
    installed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True,
                               check=True).stdout
    assert "DejaVu Sans" in installed or "Liberation Sans" in installed


def test_icons_are_the_servers_own_files() -> None:
    icons = set()
    for path in APP.joinpath("templates").rglob("*.html"):
        icons |= set(re.findall(r"filename='([^']+\.(?:svg|png|ico))'", path.read_text("utf-8")))
    assert icons == {"favicon.svg", "logo.svg"}
    for icon in icons:
        svg = (APP / "static" / icon).read_text(encoding="utf-8")
        assert svg.startswith("<svg") and "<image" not in svg and "href" not in svg


