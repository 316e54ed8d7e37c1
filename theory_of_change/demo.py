"""The built-in demo project: the second CTG of Pornic Agglo Pays de Retz (2025–2029).

The demo is a hand-written YAML file shipped inside the package. It follows the Caf's
presentation of 3 June 2025 and the portrait de territoire; where the presentation is
silent its content is plausible but invented, and the file says so in comments and in
its ``notes``. It is the project ``make serve`` and ``chemins demo`` start from.
"""

from __future__ import annotations

from pathlib import Path

from .files import load_project
from .model import Project

DEMO_FILE: Path = Path(__file__).parent / "data" / "pornic-agglo.yaml"
"""The packaged YAML file of the demo project."""


def demo_project() -> Project:
    """Load the demo project; each call returns a fresh object that callers may edit."""
    return load_project(DEMO_FILE)


def demo_yaml() -> str:
    """The demo project's YAML text as shipped, comments included."""
    return DEMO_FILE.read_text(encoding="utf-8")
