"""Full garbage collections only between votes, in the serving process."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from app.live.collector import NEVER_BY_ITSELF, QuietCollector


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    """The collector's thresholds, restored after the test whatever it did."""
    saved = gc.get_threshold()
    yield saved
    gc.set_threshold(*saved)


def make_collector(**overrides: float) -> QuietCollector:
    collector = QuietCollector(idle_s=30.0, max_gap_s=600.0, enabled=True)
    for name, value in overrides.items():
        setattr(collector, name, value)
    collector.last_busy = collector.last_full = 0.0
    return collector


def test_while_the_ticker_runs_no_full_collection_starts_by_itself(
    thresholds: tuple[int, int, int],
) -> None:
    collector = make_collector()
    collector.start()
    assert gc.get_threshold() == (thresholds[0], thresholds[1], NEVER_BY_ITSELF)
    collector.stop()
    assert gc.get_threshold() == thresholds


def test_outside_the_serving_process_the_collector_is_left_alone(
    thresholds: tuple[int, int, int],
) -> None:
    collector = make_collector(enabled=False)
    collector.start()
    assert gc.get_threshold() == thresholds
    assert collector.tick(busy=False, now=10_000.0) is False


def test_a_full_collection_waits_for_the_workshops_to_be_idle_after_activity(
    thresholds: tuple[int, int, int],
) -> None:
    collector = make_collector()
    collector.start()
    # Votes every tick for a minute: never collected meanwhile.
    assert not any(collector.tick(busy=True, now=t / 10) for t in range(1, 600))
    assert not collector.tick(busy=False, now=80.0)  # idle for 20 s only
    assert collector.tick(busy=False, now=90.0)  # idle for 30 s: collected once
    assert not collector.tick(busy=False, now=200.0)  # nothing happened since
    assert collector.collections == 1


def test_a_server_busy_without_pause_still_collects_after_the_longest_gap(
    thresholds: tuple[int, int, int],
) -> None:
    collector = make_collector()
    collector.start()
    collected = [now for now in range(1, 1300) if collector.tick(busy=True, now=float(now))]
    assert collected == [600, 1200]
