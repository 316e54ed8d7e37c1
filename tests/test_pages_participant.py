"""The participant's pages: typing the code, the phone page, a closed workshop."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from factories import make_dot_vote_step
from pages_helpers import field_error, parse, seed_workshop

from app.extensions import database
from workshops import service

CSS = Path(__file__).resolve().parent.parent / "app" / "static" / "chemins.css"


def test_home_asks_for_the_code_in_a_labelled_field(client: Any) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<label for="code">Code de l\'atelier</label>' in page
    assert 'autocapitalize="characters"' in page
    assert "Aucun compte n'est nécessaire" in page


def test_a_typed_code_is_normalised_before_going_to_its_page(client: Any) -> None:
    response = client.get("/?code=kx7-9ha")
    assert response.status_code == 302
    assert response.headers["Location"] == "/j/KX79HA"


def test_an_impossible_code_gets_a_french_explanation_next_to_the_field(client: Any) -> None:
    response = client.get("/?code=K0Z")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(page, "code") == (
        "Le caractère « 0 » n'apparaît jamais dans un code d'accès : relisez le code affiché "
        "à l'écran."
    )
    assert 'value="K0Z"' in page and 'aria-invalid="true"' in page


def test_an_address_typed_by_hand_lands_on_the_canonical_one(client: Any) -> None:
    response = client.get("/j/kx7 9ha")
    assert response.headers["Location"] == "/j/KX79HA"


def test_an_unknown_code_says_so_in_french(client: Any) -> None:
    response = client.get("/j/KX79HA")
    assert response.status_code == 404
    assert field_error(response.get_data(as_text=True), "code") == (
        "Aucun atelier ne correspond au code « KX79HA ». Vérifiez le code affiché à l'écran."
    )


def test_a_closed_workshop_no_longer_admits_anyone(app: Any, client: Any) -> None:
    workshop = seed_workshop(app, [make_dot_vote_step()], title="Atelier de mars")
    with app.app_context(), database.session() as db:
        service.close_workshop(db, int(workshop.id))
    response = client.get(f"/j/{workshop.code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "Cet atelier est terminé" in page
    assert "phone.js" not in page


def test_the_phone_page_gives_its_script_the_code_and_the_limits(app: Any, client: Any) -> None:
    workshop = seed_workshop(app, [make_dot_vote_step()])
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    config_text = re.search(
        r'<script type="application/json" id="phone-config">(.*?)</script>', page, re.S
    )
    assert config_text is not None
    config = json.loads(config_text.group(1))
    assert config == {"code": workshop.code, "ws_path": "/ws", "idea_max_length": 280,
                      "comment_max_length": 500, "nickname_max_length": 40}
    scripts = [a.get("src") for tag, a in parse(page).tags if tag == "script" and a.get("src")]
    assert scripts == ["/static/participant/phone.js"]


def test_the_phone_page_offers_every_group_and_an_optional_nickname(
    app: Any, client: Any
) -> None:
    workshop = seed_workshop(app, [make_dot_vote_step()])
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    groups = [a["value"] for tag, a in parse(page).tags
              if tag == "input" and a.get("name") == "group"]
    assert groups == ["elus", "professionnels", "partenaires", "associations", "habitants", ""]
    assert 'maxlength="40"' in page
    assert "Votre prénom ou pseudonyme" in page
    assert 'id="connection"' in page and 'role="status"' in page
    assert "<noscript>" in page


def test_a_workshop_in_preparation_still_shows_its_page(app: Any, client: Any) -> None:
    # The phone waits on it and the page updates itself once the facilitator opens it.
    workshop = seed_workshop(app, [make_dot_vote_step()], opened=False)
    assert client.get(f"/j/{workshop.code}").status_code == 200


def test_touch_targets_are_at_least_44_pixels() -> None:
    css = CSS.read_text(encoding="utf-8")
    rule = re.search(r"\.button, button \{([^}]*)\}", css)
    assert rule is not None
    assert "min-height: 44px" in rule.group(1) and "min-width: 44px" in rule.group(1)
    for selector in (".stepper button, .mover button", ".scale label"):
        block = css.split(selector + " {", 1)[1].split("}", 1)[0]
        sizes = [int(n) for n in re.findall(r"(?:height|min-height): (\d+)px", block)]
        assert sizes and min(sizes) >= 44, selector
