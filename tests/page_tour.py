"""Every page of Chemins in the state a real session leaves it, for the page-wide tests.

:func:`prepare_tour` takes a fresh ``chemins serve`` (the demo loaded), logs a
facilitator in, closes a small workshop (for the closed phone page and the public
minutes) and returns a :class:`Tour`. :func:`play_demo_steps` then runs the five steps
of the demo workshop — brainstorm, dot vote, ranking, rating, choice — with phones on
the websocket, and hands each running step to the caller, who looks at the phone page,
the projector and the console while it is live; the dot vote's closing prioritises
changes, so the project has a second revision. :func:`facilitator_pages` and
:func:`public_pages` list the pages to visit afterwards.

The accessibility tests and the offline tests walk the same pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from factories import make_brainstorm_step
from live_server import FacilitatorActions, LiveServer, PhoneActions

from theory_of_change.demo import demo_project
from workshops import service
from workshops.model import Column

CLOSED_TITLE = "Atelier de lancement"
PHONE_GROUPS = ("elus", "habitants", "professionnels")


@dataclass(frozen=True)
class TourPage:
    """A page to visit: what to call it, its path, and who may see it."""

    name: str
    path: str
    facilitator: bool = True


@dataclass
class Tour:
    """The server and what :func:`prepare_tour` made on it."""

    server: LiveServer
    facilitator: FacilitatorActions
    project_id: int
    demo_workshop_id: int
    demo_code: str
    closed_workshop_id: int
    closed_code: str
    change_id: str
    steps: list[dict[str, Any]] = field(default_factory=list)


def prepare_tour(server: LiveServer) -> Tour:
    """Log a facilitator in and close a one-step workshop; the tour of ``server``."""
    facilitator = FacilitatorActions(server)
    facilitator.log_in()
    project = demo_project()
    project_id = facilitator.project_id(project.id)
    with server.database() as session:
        demo = service.find_workshop_by_code(session, server.demo_code)
        assert demo is not None, "atelier de démonstration absent"
        steps = [step.model_dump(mode="json") for step in demo.steps]
    closed_id, closed_code = _closed_workshop(facilitator, project_id)
    return Tour(
        server=server, facilitator=facilitator, project_id=project_id,
        demo_workshop_id=int(demo.id), demo_code=server.demo_code,
        closed_workshop_id=closed_id, closed_code=closed_code,
        change_id=project.changes[0].id, steps=steps,
    )


def _closed_workshop(facilitator: FacilitatorActions, project_id: int) -> tuple[int, str]:
    """A workshop whose one brainstorm got an idea, then closed (its minutes are public)."""
    workshop_id = facilitator.create_workshop(project_id, CLOSED_TITLE)
    step = make_brainstorm_step(
        id="attentes", title="Qu'attendez-vous de la convention ?",
        columns=[Column(id="attentes", label="Nos attentes")],
    )
    facilitator.add_steps([step])
    code = facilitator.connect(workshop_id)["state"]["workshop"]["code"]
    facilitator.open_workshop()
    facilitator.start_step(step.id)
    phone = PhoneActions(facilitator.server, code)
    phone.join(nickname="Dominique", group="elus")
    phone.post_idea(step.id, step.columns[0].id, "Un lieu d'accueil parents-enfants itinérant")
    phone.close()
    facilitator.close_step(step.id)
    facilitator.act({"type": "close_workshop"})
    facilitator.close()
    return workshop_id, code


def _ballot(step: dict[str, Any], voter: int) -> dict[str, Any]:
    """A different, valid ballot for each voter."""
    options = [option["id"] for option in step.get("options", [])]
    turned = options[voter % len(options):] + options[:voter % len(options)]
    if step["kind"] == "dot_vote":
        budget = min(step["budget"], len(options))
        return {"kind": "dot_vote", "dots": {option: 1 for option in turned[:budget]}}
    if step["kind"] == "ranking":
        return {"kind": "ranking", "order": turned}
    if step["kind"] == "rating":
        return {"kind": "rating", "scores": {
            option: {criterion["id"]: 1 + (voter + index + place) % step["scale_max"]
                     for place, criterion in enumerate(step["criteria"])}
            for index, option in enumerate(options)}}
    return {"kind": "choice", "choices": [turned[0]], "comment": None}


def play_demo_steps(tour: Tour) -> Iterator[dict[str, Any]]:
    """Run each step of the demo workshop with three phones; yield it while it runs.

    Phones post ideas and upvote in the brainstorm and vote in every other step before
    the step is handed over; the step is closed (writing back what it writes) when the
    caller asks for the next one.
    """
    facilitator = tour.facilitator
    facilitator.connect(tour.demo_workshop_id)
    phones = [PhoneActions(tour.server, tour.demo_code) for _ in PHONE_GROUPS]
    for phone, group in zip(phones, PHONE_GROUPS, strict=True):
        phone.join(group=group)
    try:
        for step in tour.steps:
            facilitator.start_step(step["id"])
            if step["kind"] == "brainstorm":
                first = phones[0].post_idea(step["id"], step["columns"][0]["id"],
                                            "Une permanence des services le samedi matin")
                phones[1].post_idea(step["id"], step["columns"][-1]["id"],
                                    "Un guide des modes de garde traduit en plusieurs langues")
                phones[2].upvote(first)
            else:
                for voter, phone in enumerate(phones):
                    reply = phone.cast_ballot(step["id"], _ballot(step, voter))
                    assert reply["type"] == "ack", reply
            yield step
            facilitator.close_step(step["id"])
    finally:
        for phone in phones:
            phone.close()
        facilitator.close()


def public_pages(tour: Tour) -> list[TourPage]:
    """The pages anyone reaches without an account."""
    return [
        TourPage("accueil des participants", "/", facilitator=False),
        TourPage("code inconnu", "/?code=ZZZZZZ", facilitator=False),
        TourPage("connexion", "/auth/connexion", facilitator=False),
        TourPage("déclaration d'accessibilité", "/accessibilite", facilitator=False),
        TourPage("atelier terminé (téléphone)", f"/j/{tour.closed_code}", facilitator=False),
        TourPage("compte-rendu public", f"/j/{tour.closed_code}/compte-rendu",
                 facilitator=False),
        TourPage("compte-rendu pas encore prêt", f"/j/{tour.demo_code}/compte-rendu",
                 facilitator=False),
        TourPage("page introuvable", "/nulle-part", facilitator=False),
    ]


def facilitator_pages(tour: Tour) -> list[TourPage]:
    """The console, editor, history, dashboard, documents and diagnostic pages."""
    workshop = f"/console/ateliers/{tour.demo_workshop_id}"
    project = f"/console/projets/{tour.project_id}"
    change = f"{project}/changements/{tour.change_id}"
    pages = [
        TourPage("console : ateliers", "/console/"),
        TourPage("console : nouvel atelier", "/console/ateliers/nouveau"),
        TourPage("console : atelier", workshop),
        TourPage("console : atelier terminé", f"/console/ateliers/{tour.closed_workshop_id}"),
    ]
    pages += [TourPage(f"console : nouvelle étape ({kind})",
                       f"{workshop}/etapes/nouvelle/{kind}")
              for kind in ("brainstorm", "dot_vote", "ranking", "rating", "choice")]
    pages += [
        TourPage("projets", "/console/projets/"),
        TourPage("nouveau projet", "/console/projets/nouveau"),
        TourPage("importer un projet", "/console/projets/importer"),
        TourPage("projet : vue d'ensemble", f"{project}/"),
    ]
    pages += [TourPage(f"projet : {name}", f"{project}/{path}") for name, path in (
        ("territoire", "territoire"), ("enjeux", "enjeux"), ("vision", "vision"),
        ("changements", "changements"), ("marqueurs", "marqueurs"), ("actions", "actions"),
        ("axes", "axes"), ("pilotage", "pilotage"), ("SPPE", "sppe"),
        ("évaluation", "evaluation"),
    )]
    pages += [
        TourPage("fiche d'un changement", change),
        TourPage("suppression d'un changement", f"{change}/supprimer"),
        TourPage("schéma en mode projecteur", f"{project}/projection"),
        TourPage("historique", f"{project}/historique/"),
        TourPage("comparaison de versions", f"{project}/historique/comparer?de=1&a=2"),
        TourPage("restauration d'une version", f"{project}/historique/1/restaurer"),
        TourPage("membres", f"{project}/membres/"),
        TourPage("commentaires", f"{project}/commentaires/"),
        TourPage("commentaires d'un changement", f"{project}/commentaires/{tour.change_id}"),
        TourPage("tableau de bord", f"{project}/tableau-de-bord/"),
        TourPage("nouveau jalon", f"{project}/tableau-de-bord/jalons/nouveau"),
        TourPage("documents", f"{project}/documents/"),
        TourPage("diagnostic", f"{project}/diagnostic/"),
    ]
    return pages
