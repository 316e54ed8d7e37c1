"""``GET /metrics``: the live counters in Prometheus's format, for the machine itself only."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from live_server import FacilitatorActions, LiveServer, PhoneActions
from prometheus_client.parser import text_string_to_metric_families

from app.metrics import REFUSED
from theory_of_change.demo import demo_project
from workshops import service

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "jeton-de-supervision-tres-long"
PHONES = 3

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    """Every sample of a Prometheus text answer, by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(server: LiveServer) -> Samples:
    """``/metrics`` of the real server, read from 127.0.0.1 as a local Prometheus would."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{server.base_url}/metrics", timeout=15) as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        return parse(response.read().decode("utf-8"))


@pytest.mark.slow
def test_metrics_count_the_ballots_messages_errors_and_connections_of_a_vote(
    live_server: LiveServer, facilitator: FacilitatorActions
) -> None:
    project = demo_project()
    workshop_id = facilitator.create_workshop(facilitator.project_id(project.id), "Compteurs")
    facilitator.add_steps(service.demo_steps(project))
    code = facilitator.connect()["state"]["workshop"]["code"]
    facilitator.open_workshop()
    phones = [PhoneActions(live_server, code) for _ in range(PHONES)]
    for n, phone in enumerate(phones):
        phone.join(f"P{n}")
    facilitator.start_step("priorisation")
    step = phones[0].wait_step("priorisation", "open")["current_step"]
    options = [option["id"] for option in step["options"]]
    before = scrape(live_server)

    for n, phone in enumerate(phones):
        ballot = {"kind": "dot_vote", "dots": dict.fromkeys(options[n : n + 3], 1)}
        assert phone.cast_ballot("priorisation", ballot, client_id=f"m-{n}")["type"] == "ack"
    resend = phones[0].cast_ballot(
        "priorisation", {"kind": "dot_vote", "dots": dict.fromkeys(options[0:3], 1)},
        client_id="m-0",
    )
    assert resend["duplicate"] is True
    refused = phones[1].cast_ballot("priorisation", {"kind": "dot_vote", "dots": {"x": 99}})
    assert refused["type"] == "error" and refused["code"] == "invalid_ballot"
    for phone in phones:
        phone.wait_until(
            lambda phone=phone: phone.results.get("priorisation", {}).get("voters") == PHONES,
            "les trois bulletins",
        )
    after = scrape(live_server)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after[key] - before.get(key, 0.0)

    # Three new ballots; the resend is not one, the refused one neither.
    assert grew("chemins_ballots_acknowledged_total") == PHONES
    assert grew("chemins_messages_received_total", type="cast_ballot") == PHONES + 2
    assert grew("chemins_errors_sent_total", code="invalid_ballot") == 1
    assert grew("chemins_ideas_posted_total") == 0
    assert grew("chemins_writer_jobs_total") >= PHONES + 1
    assert grew("chemins_writer_batches_total") >= 1
    assert grew("chemins_tick_duration_seconds_count") >= 1
    assert after[("chemins_tick_duration_seconds_bucket", (("le", "+Inf"),))] == after[
        ("chemins_tick_duration_seconds_count", ())
    ]
    assert after[("chemins_phones", (("workshop", str(workshop_id)),))] == PHONES
    assert after[("chemins_websockets", (("audience", "phone"),))] == PHONES
    assert after[("chemins_websockets", (("audience", "facilitator"),))] == 1
    assert after[("chemins_writer_queue_length", ())] == 0
    assert after[("chemins_send_backlog_connections", ())] == 0
    assert ("chemins_bus_up", ()) not in after  # no REDIS_URL: no bus to report on
    for phone in phones:
        phone.close()


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "METRICS_TOKEN": TOKEN}


def test_metrics_answer_the_machine_itself(client: Any) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    samples = parse(response.get_data(as_text=True))
    assert samples[("chemins_ballots_acknowledged_total", ())] == 0
    assert samples[("chemins_websockets", (("audience", "none"),))] == 0


@pytest.mark.parametrize(
    ("address", "headers"),
    [
        ("203.0.113.7", {}),
        ("203.0.113.7", {"Authorization": "Bearer mauvais-jeton"}),
        ("203.0.113.7", {"Authorization": TOKEN}),
        # nginx runs on the machine itself but says whom it forwards: still refused.
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.7"}),
        ("::1", {"Forwarded": "for=203.0.113.7"}),
    ],
)
def test_metrics_are_refused_in_french_to_others_without_the_token(
    client: Any, address: str, headers: dict[str, str]
) -> None:
    response = client.get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 403
    assert response.get_data(as_text=True) == REFUSED
    assert "chemins_" not in response.get_data(as_text=True)


def test_metrics_answer_another_machine_that_sends_the_token(client: Any) -> None:
    response = client.get(
        "/metrics", headers={"Authorization": f"Bearer {TOKEN}"},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert response.status_code == 200
    assert "chemins_tick_duration_seconds_bucket" in response.get_data(as_text=True)


def test_the_nginx_site_does_not_expose_metrics() -> None:
    conf = (ROOT / "deploy" / "nginx" / "chemins.conf").read_text(encoding="utf-8")
    block = re.search(r"location = /metrics \{(.*?)\}", conf, re.S)
    assert block is not None
    assert block.group(1).split() == ["return", "404;"]
