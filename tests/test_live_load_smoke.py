"""The load harness, small: every acknowledged ballot and idea is counted, every phone agrees.

A smoke run of ``benchmarks/live_load.py`` against the real server (``chemins serve``),
asserting correctness only — speed is measured by ``make bench``, never here.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from live_server import LiveServer

pytestmark = pytest.mark.slow

HARNESS_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "live_load.py"


def _harness() -> ModuleType:
    """``benchmarks/live_load.py`` as a module (benchmarks/ is not a package)."""
    if "live_load" in sys.modules:
        return sys.modules["live_load"]
    spec = importlib.util.spec_from_file_location("live_load", HARNESS_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["live_load"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def session_cookie(live_server: LiveServer) -> str:
    """The facilitator's session cookie (the one-time link the server printed works once)."""
    return str(_harness().log_in(live_server.login_link))


def _target(harness: ModuleType, server: LiveServer, cookie: str) -> Any:
    return harness.Target(
        "chemins", server.ws_url, server.demo_code, cookie=cookie,
        database=server.instance / "chemins.sqlite3",
    )


def test_fifty_phones_voting_have_every_acknowledged_ballot_stored_and_the_final_tally(
    live_server: LiveServer, session_cookie: str
) -> None:
    harness = _harness()
    config = harness.LoadConfig(phones=50, ramp_per_s=200, window_s=1.0, revote_share=0.3)

    target = _target(harness, live_server, session_cookie)
    report = asyncio.run(harness.run_vote(target, config))

    assert report["connections"]["succeeded"] == 50, report["connections"]
    assert report["dropped"] == 0
    dot_vote, ranking = report["rounds"]
    assert (dot_vote["step"], ranking["step"]) == ("priorisation", "classement")
    assert dot_vote["revotes_acked"] > 0  # re-votes were exercised
    for round_ in report["rounds"]:
        assert round_["errors"] == {}
        assert round_["ballots_acked"] == round_["ballots_sent"]
        assert round_["first_acked"] == 50
        assert round_["stored"] == {"ballots": 50, "revotes": round_["revotes_acked"]}
        assert round_["lost"] == 0
        assert round_["stored_matches_acks"], round_
        assert round_["tally_matches_acks"], (round_["expected"], round_["final_tally"])
        assert round_["phones_with_final"] == 50
        assert round_["visible_missing"] == 0
    dots = dot_vote["final_tally"]["dots"]
    assert sum(dots.values()) == sum(dot_vote["expected"]["dots"].values()) > 100


def test_phones_posting_ideas_while_the_facilitator_moderates_end_with_the_database_wall(
    live_server: LiveServer, session_cookie: str
) -> None:
    harness = _harness()
    config = harness.LoadConfig(
        phones=20, ramp_per_s=200, ideas_per_phone=2, idea_window_s=3.0, moderations_per_s=4
    )

    target = _target(harness, live_server, session_cookie)
    report = asyncio.run(harness.run_brainstorm(target, config))

    ideas = report["ideas"]
    assert report["connections"]["succeeded"] == 20
    assert ideas["errors"] == {}
    assert ideas["acked"] == ideas["sent"] == 40
    assert ideas["moderations_acked"]["hide"] >= 1
    assert ideas["moderations_acked"]["merge"] >= 1
    assert ideas["stored"]["ideas"] == 40
    assert ideas["stored_matches_acks"], (ideas["stored"], ideas["moderations_acked"])
    assert ideas["phones_wall_equal"] == ideas["phones_live"] == 20
    hidden_or_merged = ideas["stored"]["hidden"] + ideas["stored"]["merged"]
    assert ideas["wall_size"] == 40 - hidden_or_merged
    assert ideas["visible_missing"] == 0
