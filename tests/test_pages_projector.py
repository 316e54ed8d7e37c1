"""The projector page: join code, QR code of the join address, count, live results."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import segno
from factories import (
    make_brainstorm_step,
    make_choice_step,
    make_dot_vote_step,
    make_ranking_step,
    make_rating_step,
)
from pages_helpers import join, log_in, post_idea, seed_workshop, vote

from app.qr import qr_svg
from workshops.model import ChoiceBallot, DotBallot, RankingBallot, RatingBallot


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Phones reach the server at its address on the hall's network."""
    return {**app_config, "PUBLIC_URL": "http://192.168.1.20:8000/"}


def _projector(app: Any, client: Any, workshop: Any) -> str:
    log_in(client, app)
    response = client.get(f"/console/ateliers/{int(workshop.id)}/projecteur")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_the_join_code_address_and_qr_code_are_shown(app: Any, client: Any) -> None:
    workshop = seed_workshop(app, [make_dot_vote_step()])
    page = _projector(app, client, workshop)
    url = f"http://192.168.1.20:8000/j/{workshop.code}"
    assert f'<p class="join-code">{workshop.code}</p>' in page
    assert '<p class="join-url">192.168.1.20:8000</p>' in page
    assert f'aria-label="QR code pour rejoindre l\'atelier : {url}"' in page
    # The QR code drawn is the one of the join address (same modules, same path).
    expected = segno.make(url, error="m", micro=False).svg_inline(scale=1, border=2)
    modules = re.search(r' d="(M2 [^"]+)"', expected)
    qr = page.split('<div class="qr">')[1].split("</svg>")[0]
    assert modules is not None and f'd="{modules.group(1)}"' in qr


def test_qr_label_is_escaped() -> None:
    svg = str(qr_svg("http://exemple/j/KX79HA", 'QR "<b>"'))
    assert 'aria-label="QR &#34;&lt;b&gt;&#34;"' in svg
    assert svg.startswith('<svg role="img"')


def test_before_any_step_the_projector_welcomes_and_counts_participants(
    app: Any, client: Any
) -> None:
    workshop = seed_workshop(app, [make_dot_vote_step()])
    join(app, workshop)
    join(app, workshop)
    page = _projector(app, client, workshop)
    assert '<h1 id="step-title">Bienvenue !</h1>' in page
    assert '<strong id="participant-count">2</strong>' in page
    assert "participants" in page
    assert "0 téléphone connecté" in page


def test_a_dot_vote_shows_bars_and_a_table_of_dots(app: Any, client: Any) -> None:
    step = make_dot_vote_step(results_visibility="live")
    workshop = seed_workshop(app, [step], start=step.id)
    for dots in ({"opt-a": 2, "opt-b": 1}, {"opt-a": 1}, {"opt-c": 2}):
        vote(app, workshop, join(app, workshop), step.id, DotBallot(dots=dots))
    page = _projector(app, client, workshop)
    assert "3 votants · 6 gommettes posées" in page
    assert "3 ont voté" in page
    rows = re.findall(r'<td class="num">(\d+)(?: <span class="rank-tied">ex æquo</span>)?</td>'
                      r'<td>(Option [A-D])</td>.*?<rect class="fill" width="([\d.]+)"', page, re.S)
    assert rows == [("1", "Option A", "100.00"), ("2", "Option C", "66.67"),
                    ("3", "Option B", "33.33"), ("4", "Option D", "0.00")]
    assert "Vote en cours · résultats en direct" in page


def test_a_ranking_shows_schulze_and_borda_with_ties(app: Any, client: Any) -> None:
    step = make_ranking_step(results_visibility="live")
    workshop = seed_workshop(app, [step], start=step.id)
    # A Condorcet cycle between A, B and C: Schulze ties them, D comes last.
    for order in (["opt-a", "opt-b", "opt-c", "opt-d"], ["opt-b", "opt-c", "opt-a", "opt-d"],
                  ["opt-c", "opt-a", "opt-b", "opt-d"]):
        vote(app, workshop, join(app, workshop), step.id, RankingBallot(order=order))
    page = _projector(app, client, workshop)
    assert "Rang (Schulze)" in page and "Points Borda" in page
    assert page.count("ex æquo") >= 3
    assert "Pas de gagnant de Condorcet" in page


def test_two_criteria_give_a_two_by_two_matrix(app: Any, client: Any) -> None:
    step = make_rating_step(results_visibility="live")
    workshop = seed_workshop(app, [step], start=step.id)
    vote(app, workshop, join(app, workshop), step.id, RatingBallot(scores={
        "opt-a": {"impact": 5, "faisabilite": 5}, "opt-b": {"impact": 1, "faisabilite": 4},
    }))
    page = _projector(app, client, workshop)
    assert '<div class="matrix" aria-hidden="true">' in page
    high_high = page.split('<div class="quadrant high-high">')[1].split("</div>")[0]
    assert "Impact fort / Faisabilité forte" in high_high
    assert '<li>Option A <span class="means">(5 · 5)</span></li>' in high_high
    low_high = page.split('<div class="quadrant low-high">')[1].split("</div>")[0]
    assert '<li>Option B <span class="means">(1 · 4)</span></li>' in low_high
    # The same facts as a table, for screen readers.
    assert "<td>Impact faible / Faisabilité forte</td>" in page


def test_a_choice_shows_shares_and_comments(app: Any, client: Any) -> None:
    step = make_choice_step(results_visibility="live")
    workshop = seed_workshop(app, [step], start=step.id)
    vote(app, workshop, join(app, workshop), step.id,
         ChoiceBallot(choices=["d-accord"], comment="Ajouter la mobilité"))
    vote(app, workshop, join(app, workshop), step.id, ChoiceBallot(choices=["pas-d-accord"]))
    page = _projector(app, client, workshop)
    assert re.search(r"<td>D'accord</td>.*?<td class=\"num\">1</td><td class=\"num\">50 %</td>",
                     page, re.S)
    assert "<li>Ajouter la mobilité</li>" in page


def test_a_brainstorm_shows_the_idea_wall_by_column(app: Any, client: Any) -> None:
    step = make_brainstorm_step()
    workshop = seed_workshop(app, [step], start=step.id)
    token = join(app, workshop)
    post_idea(app, workshop, token, step.id, "col-enfance", "Des ateliers parents-enfants")
    page = _projector(app, client, workshop)
    enfance = page.split('aria-label="Colonne Changement pour l\'enfance"')[1]
    assert "Des ateliers parents-enfants" in enfance.split("</section>")[0]
    familles = page.split('aria-label="Colonne Les familles sont informées"')[1]
    assert "Pas encore d'idée." in familles.split("</section>")[0]
    assert "1 idée · 1 contributeur" in page


def test_the_projector_script_gets_the_workshop_id(app: Any, client: Any) -> None:
    workshop = seed_workshop(app, [make_dot_vote_step()])
    page = _projector(app, client, workshop)
    assert (f'<script type="application/json" id="projector-config">'
            f'{{"workshop_id": "{workshop.id}", "ws_path": "/ws"}}</script>') in page
    assert '<script src="/static/results.js" defer></script>' in page
