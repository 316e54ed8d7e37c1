"""A workshop run to its end through :mod:`workshops.service`, for the minutes and quotes pages.

``run_workshop`` plays what phones and the console do over the websocket: two
participants join (an élu and a habitant), post ideas in a brainstorm whose columns are
themes, then spend their dots; each step is closed, then the workshop if asked.
"""

from __future__ import annotations

from typing import Any

from factories import make_brainstorm_step, make_dot_vote_step
from pages_helpers import join, post_idea, seed_workshop, vote

from workshops import service
from workshops.model import Column, DotBallot, Workshop

BRAINSTORM_ID = "etape-idees"
DOT_VOTE_ID = "etape-gommettes"
IDEAS = (
    ("petite-enfance", "Ouvrir une micro-crèche aux Moutiers", "elus"),
    ("petite-enfance", "Des horaires d'accueil dès 7 heures", "habitants"),
    ("jeunesse", "Un espace jeunes ouvert le mercredi", "elus"),
)


def theme_brainstorm() -> Any:
    """A brainstorm with one column per theme (its ideas can be filed with their theme)."""
    return make_brainstorm_step(
        id=BRAINSTORM_ID,
        title="Ce qui manque aux familles",
        columns=[
            Column(id="petite-enfance", label="Petite enfance", ref="petite-enfance"),
            Column(id="jeunesse", label="Jeunesse", ref="jeunesse"),
        ],
    )


def run_workshop(app: Any, *, title: str = "Atelier diagnostic", close: bool = True,
                 project: Any = None) -> Workshop:
    """A workshop of a new project with a closed brainstorm and a closed dot vote."""
    from app.extensions import database

    workshop = seed_workshop(
        app, [theme_brainstorm(), make_dot_vote_step(id=DOT_VOTE_ID)], title=title,
        start=BRAINSTORM_ID, project=project,
    )
    workshop_id = int(workshop.id)
    tokens = {group: join(app, workshop, group=group) for group in ("elus", "habitants")}
    for column, text, group in IDEAS:
        post_idea(app, workshop, tokens[group], BRAINSTORM_ID, column, text)
    with app.app_context(), database.session() as db:
        service.close_step(db, workshop_id, BRAINSTORM_ID)
        service.start_step(db, workshop_id, DOT_VOTE_ID)
    vote(app, workshop, tokens["elus"], DOT_VOTE_ID, DotBallot(dots={"opt-a": 2, "opt-b": 1}))
    vote(app, workshop, tokens["habitants"], DOT_VOTE_ID, DotBallot(dots={"opt-a": 1}))
    with app.app_context(), database.session() as db:
        service.close_step(db, workshop_id, DOT_VOTE_ID)
        if close:
            service.close_workshop(db, workshop_id)
        return service.get_workshop(db, workshop_id)
