"""A complete workshop on the real server, with 30 phones on real websockets."""

from __future__ import annotations

from typing import Any

import pytest
from live_server import FacilitatorActions, LiveServer, PhoneActions

from theory_of_change.demo import demo_project
from theory_of_change.model import ChangeStatus
from workshops import service, store

pytestmark = pytest.mark.slow

PHONES = 30


def _all(phones: list[PhoneActions], wait: Any) -> list[Any]:
    return [wait(phone) for phone in phones]


def test_a_complete_workshop_with_thirty_phones_writes_its_results_into_the_model(
    live_server: LiveServer, facilitator: FacilitatorActions
) -> None:
    project = demo_project()
    project_id = facilitator.project_id(project.id)
    workshop_id = facilitator.create_workshop(project_id, "Atelier complet")
    facilitator.add_steps(service.demo_steps(project))
    welcome = facilitator.connect()
    assert welcome["type"] == "welcome" and welcome["role"] == "facilitator"
    facilitator.open_workshop()
    code = welcome["state"]["workshop"]["code"]
    groups = [group["id"] for group in welcome["state"]["workshop"]["groups"]]
    assert len(groups) == 5

    phones = [PhoneActions(live_server, code) for _ in range(PHONES)]
    for n, phone in enumerate(phones):
        phone.join(f"Participant {n}", groups[n % len(groups)])
    console = facilitator.socket
    assert console is not None
    console.wait_for(
        lambda m: m["type"] == "presence"
        and m["presence"] == {"phones": PHONES, "participants": PHONES, "voters": 0,
                              "step_id": None},
        "30 téléphones connectés",
    )

    # --- Brainstorm: ideas, upvotes, a duplicate merged, an idea hidden ----------------
    facilitator.start_step("actions")
    steps = _all(phones, lambda p: p.wait_step("actions", "open"))
    columns = [c["id"] for c in steps[0]["current_step"]["columns"]]
    ideas = [
        phones[n].post_idea("actions", columns[n % len(columns)], f"Action proposée n°{n}")
        for n in range(10)
    ]
    duplicate = phones[10].post_idea("actions", columns[0], "Action proposée n°0 (bis)")
    off_topic = phones[11].post_idea("actions", columns[1], "Hors sujet")
    for n in range(20):
        assert phones[n].upvote(ideas[0])["type"] == "ack"
    for n in range(15, PHONES):
        assert phones[n].upvote(duplicate)["type"] == "ack"
    assert phones[0].upvote(ideas[1])["type"] == "ack"
    facilitator.moderate("merge", duplicate, into=ideas[0])
    facilitator.moderate("hide", off_topic)
    # Everyone who supported either copy counts once: phones 0–29. Every phone's wall,
    # kept up to date by deltas only, shows the merge and not the hidden idea.
    for phone in phones:
        phone.wait_until(
            lambda phone=phone: set(phone.wall) == set(ideas)
            and phone.wall[ideas[0]]["upvotes"] == PHONES
            and [m["id"] for m in phone.wall[ideas[0]]["merged"]] == [duplicate],
            "le mur après fusion et masquage",
        )
    wall = phones[5].reconnect()["state"]["ideas"]
    assert {i["id"] for i in wall} == set(ideas)
    assert "Hors sujet" not in {i["text"] for i in wall}
    assert phones[5].state["me"]["upvoted"] == [ideas[0]]
    closing = facilitator.close_step("actions", idea_ids=[ideas[0], ideas[1]])
    assert "Nouvelle action « Action proposée n°0 »" in closing["detail"]

    # --- Dot vote: "choisissez 5 changements parmi 12" ------------------------------------
    facilitator.start_step("priorisation")
    step = _all(phones, lambda p: p.wait_step("priorisation", "open"))[0]["current_step"]
    options = [o["id"] for o in step["options"]]
    assert len(options) == 12
    for n, phone in enumerate(phones):
        chosen = options[:5] if n < 20 else options[:2] + options[5:8]
        ack = phone.cast_ballot("priorisation", {"kind": "dot_vote",
                                                 "dots": dict.fromkeys(chosen, 1)})
        assert ack["type"] == "ack", ack
    # Phone 0 changes its mind, then back: its ballot is replaced, never added.
    phones[0].cast_ballot("priorisation", {"kind": "dot_vote", "dots": {options[11]: 1}})
    phones[0].cast_ballot("priorisation", {"kind": "dot_vote",
                                           "dots": dict.fromkeys(options[:5], 1)})
    final = _all(phones, lambda p: p.wait_results(
        "priorisation",
        lambda t: t["voters"] == PHONES and t["dots_cast"] == 5 * PHONES
        and next(r for r in t["rows"] if r["option_id"] == options[11])["dots"] == 0,
    ))
    dots = {row["option_id"]: row["dots"] for row in final[0]["tally"]["rows"]}
    assert [dots[o] for o in options] == [30, 30, 20, 20, 20, 10, 10, 10, 0, 0, 0, 0]
    closing = facilitator.close_step("priorisation")
    assert "priorisé, rang 1 (ex æquo)" in closing["detail"]

    # --- Ranking of the prioritised changes ---------------------------------------------
    facilitator.start_step("classement")
    step = _all(phones, lambda p: p.wait_step("classement", "open"))[0]["current_step"]
    ranked = [o["id"] for o in step["options"]]
    for n, phone in enumerate(phones):
        order = ranked if n % 3 else [ranked[1], ranked[0], *ranked[2:]]
        assert phone.cast_ballot("classement", {"kind": "ranking", "order": order})["type"] == "ack"
    result = phones[0].wait_results("classement", lambda t: t["voters"] == PHONES)["tally"]
    assert result["schulze"]["condorcet_winner"] == ranked[0]
    assert result["schulze"]["ranks"][0] == [ranked[0]]
    facilitator.close_step("classement")

    # --- Rating: impact × faisabilité ---------------------------------------------------
    facilitator.start_step("impact-faisabilite")
    step = _all(phones, lambda p: p.wait_step("impact-faisabilite", "open"))[0]["current_step"]
    rated = [o["id"] for o in step["options"]]
    for n, phone in enumerate(phones):
        scores = {rated[0]: {"impact": 5, "faisabilite": 4},
                  rated[1]: {"impact": 1 + n % 2, "faisabilite": 5}}
        assert phone.cast_ballot("impact-faisabilite",
                                 {"kind": "rating", "scores": scores})["type"] == "ack"
    result = phones[0].wait_results("impact-faisabilite", lambda t: t["voters"] == PHONES)
    rows = {row["option_id"]: row for row in result["tally"]["rows"]}
    assert [(s["criterion_id"], s["mean"]) for s in rows[rated[0]]["stats"]] == [
        ("impact", 5.0), ("faisabilite", 4.0)
    ]
    assert rows[rated[0]]["quadrant"]["id"] == "high-high"
    assert rows[rated[1]]["quadrant"]["id"] == "low-high"
    facilitator.close_step("impact-faisabilite")

    # --- The vote on the vision -----------------------------------------------------------
    facilitator.start_step("vision")
    _all(phones, lambda p: p.wait_step("vision", "open"))
    answers = ["d-accord"] * 20 + ["d-accord-avec-modifications"] * 8 + ["pas-d-accord"] * 2
    for n, (phone, answer) in enumerate(zip(phones, answers, strict=True)):
        ballot: dict[str, Any] = {"kind": "choice", "choices": [answer]}
        if answer == "d-accord-avec-modifications":
            ballot["comment"] = f"Parler aussi de mobilité ({n})"
        assert phone.cast_ballot("vision", ballot)["type"] == "ack"
    phones[0].wait_results("vision", lambda t: t["voters"] == PHONES)
    closing = facilitator.close_step("vision")
    assert "d'accord : 20 (67 %)" in closing["detail"]
    facilitator.act({"type": "close_workshop"})
    phones[0].wait_for(
        lambda m: m["type"] == "step_changed" and m["workshop_status"] == "closed",
        "atelier terminé",
    )
    for phone in phones:
        phone.close()

    # --- What the model says now ------------------------------------------------------------
    with live_server.database() as session:
        saved = store.load_project(session, project_id)
        workshop = service.get_workshop(session, workshop_id)
    assert workshop.status == "closed"
    changes = {change.id: change for change in saved.changes}
    assert [(changes[o].status, changes[o].priority_rank) for o in options[:5]] == [
        (ChangeStatus.prioritised, 1), (ChangeStatus.prioritised, 1),
        (ChangeStatus.prioritised, 3), (ChangeStatus.prioritised, 3),
        (ChangeStatus.prioritised, 3),
    ]
    assert all(changes[o].status != ChangeStatus.prioritised for o in options[5:])
    new_activities = [a for a in saved.activities if a.title.startswith("Action proposée n°")]
    assert sorted(a.title for a in new_activities) == ["Action proposée n°0",
                                                       "Action proposée n°1"]
    trail = [d for d in saved.decisions if d.workshop == "Atelier complet"]
    assert [d.step for d in trail] == [
        "Quelles actions pour chaque chemin de changement ?",
        "Choisissez 5 changements parmi 12",
        "Validez-vous la vision ?",
    ]
    assert all(d.author == "Animation" for d in trail)
    assert "Parler aussi de mobilité (20)" in trail[-1].summary
