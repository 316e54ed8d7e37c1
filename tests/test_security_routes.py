"""Every facilitator route is refused to anyone not logged in (a participant has no account).

The routes are read from the app's URL map, so a route added later is covered without
touching this file; the test fails if a console or projector route is missing a value
for one of its parameters below.
"""

from __future__ import annotations

from typing import Any

import pytest
from factories import make_brainstorm_step, make_dot_vote_step
from pages_helpers import csrf_token, join, post_idea, reload_workshop, seed_workshop

from workshops.model import StepStatus, WorkshopStatus

FACILITATOR_BLUEPRINTS = ("console.", "projector.")


@pytest.fixture
def seeded(app: Any) -> dict[str, Any]:
    """A draft workshop with a brainstorm holding one idea, and the values for every URL."""
    brainstorm = make_brainstorm_step()
    workshop = seed_workshop(app, [brainstorm, make_dot_vote_step()], start=brainstorm.id)
    token = join(app, workshop)
    idea_id = post_idea(app, workshop, token, brainstorm.id, "col-familles", "Une idée")
    return {
        "workshop": workshop,
        "values": {
            "workshop_id": int(workshop.id),
            "step_id": brainstorm.id,
            "idea_id": idea_id,
            "action": "hide",
            "kind": "dot_vote",
        },
    }


def facilitator_routes(app: Any, values: dict[str, Any]) -> list[tuple[str, str]]:
    """``(method, url)`` of every console and projector route, filled with real ids."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(FACILITATOR_BLUEPRINTS):
            continue
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule} : donnez une valeur à {missing}"
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_the_route_list_covers_the_console_and_the_projector(app: Any, seeded: Any) -> None:
    routes = facilitator_routes(app, seeded["values"])
    urls = {url for _, url in routes}
    workshop_id = seeded["values"]["workshop_id"]
    assert "/console/" in urls
    assert f"/console/ateliers/{workshop_id}/projecteur" in urls
    assert f"/console/ateliers/{workshop_id}/ouvrir" in urls
    assert len([m for m, _ in routes if m == "POST"]) >= 8


def test_every_facilitator_page_redirects_an_anonymous_visitor_to_the_login(
    app: Any, client: Any, seeded: Any
) -> None:
    for method, url in facilitator_routes(app, seeded["values"]):
        if method != "GET":
            continue
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/auth/connexion?next="), url


def test_every_facilitator_form_is_refused_to_an_anonymous_visitor_with_a_valid_token(
    app: Any, client: Any, seeded: Any
) -> None:
    # A participant has a session (and so a CSRF token) but no account: still refused.
    token = csrf_token(client, "/auth/connexion")
    for method, url in facilitator_routes(app, seeded["values"]):
        if method != "POST":
            continue
        response = client.post(url, data={"csrf_token": token, "text": "piratée",
                                           "column": "col-enfance", "into": "1"})
        assert response.status_code == 403, url
        assert "Accès refusé" in response.get_data(as_text=True)


def test_refused_forms_change_nothing(app: Any, client: Any, seeded: Any) -> None:
    token = csrf_token(client, "/auth/connexion")
    for method, url in facilitator_routes(app, seeded["values"]):
        if method == "POST":
            client.post(url, data={"csrf_token": token})
    workshop = reload_workshop(app, seeded["workshop"])
    assert workshop.status == WorkshopStatus.open
    assert [step.status for step in workshop.steps] == [StepStatus.open, StepStatus.pending]
    assert workshop.current_step == seeded["values"]["step_id"]


def test_forms_without_csrf_token_are_refused_even_to_a_logged_in_facilitator(
    app: Any, client: Any, seeded: Any
) -> None:
    from pages_helpers import log_in

    log_in(client, app)
    workshop_id = seeded["values"]["workshop_id"]
    response = client.post(f"/console/ateliers/{workshop_id}/terminer")
    assert response.status_code == 400
    assert reload_workshop(app, seeded["workshop"]).status == WorkshopStatus.open
