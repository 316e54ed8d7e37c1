"""The accessibility statement (déclaration d'accessibilité), linked from every page's footer.

Public, like the phone pages: anyone in the hall can read what was tested, how, what is
known not to work yet and whom to tell. What it lists is what ``tests/test_accessibility.py``
checks; when the tests change, this page changes with them.
"""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("accessibility", __name__)


@bp.get("/accessibilite")
def statement() -> str:
    """The accessibility statement, in French, as RGAA asks every public service to publish."""
    return render_template("accessibility.html")
