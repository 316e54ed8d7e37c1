"""The phones' pace in a large room: tallies held back, never lost, never out of order."""

from __future__ import annotations

import pytest

from app.live.pacing import PhonePacer, Update

TICK = 0.1
PHONE = frozenset({"phone"})
PUBLIC_AND_STAFF = frozenset({"phone", "projector", "facilitator"})
STAFF = frozenset({"projector", "facilitator"})


def make_results(
    seq: int, step_id: str = "vote", audiences: frozenset = PUBLIC_AND_STAFF
) -> Update:
    """A step's tally as the broadcaster builds it (a whole state, replaceable)."""
    return Update(audiences, seq, f'{{"type":"results","seq":{seq}}}', step_id)


def make_step_changed(seq: int) -> Update:
    """A new step: not replaceable, every client must get it."""
    return Update(PUBLIC_AND_STAFF, seq, f'{{"type":"step_changed","seq":{seq}}}')


def sent_to_phones(plan: list[tuple[Update, frozenset]]) -> list[int]:
    return [update.seq for update, audiences in plan if "phone" in audiences]


def sent_to_projector(plan: list[tuple[Update, frozenset]]) -> list[int]:
    return [update.seq for update, audiences in plan if "projector" in audiences]


def test_a_small_room_gets_every_tally_at_every_tick() -> None:
    pacer = PhonePacer(tick=TICK, sends_per_second=8000)
    for n in range(5):
        plan = pacer.plan([make_results(n)], phones=300, now=n * TICK)
        assert sent_to_phones(plan) == [n]
    assert not pacer.holding


def test_the_interval_grows_with_the_room_up_to_its_ceiling() -> None:
    pacer = PhonePacer(tick=TICK, sends_per_second=8000)
    assert pacer.interval(800) == pytest.approx(TICK)
    assert pacer.interval(2000) == pytest.approx(0.25)
    assert pacer.interval(50_000) == pytest.approx(0.4)
    assert PhonePacer(tick=TICK, sends_per_second=0).interval(50_000) == pytest.approx(TICK)


def test_in_a_large_room_phones_skip_tallies_but_the_projector_gets_each_one() -> None:
    pacer = PhonePacer(tick=TICK, sends_per_second=8000)
    phones_got: list[int] = []
    projector_got: list[int] = []
    for n in range(10):
        plan = pacer.plan([make_results(n)], phones=2000, now=n * TICK)
        phones_got += sent_to_phones(plan)
        projector_got += sent_to_projector(plan)
    assert projector_got == list(range(10))
    # 2 000 phones at 8 000 sends/s: one tally in two or three ticks, the newest each time.
    assert 3 <= len(phones_got) <= 5
    assert phones_got == sorted(phones_got)
    gaps = [later - earlier for earlier, later in zip(phones_got, phones_got[1:], strict=False)]
    assert all(gap * TICK <= 0.4 for gap in gaps)


def test_a_held_tally_reaches_the_phones_on_a_quiet_tick() -> None:
    pacer = PhonePacer(tick=TICK, sends_per_second=8000)
    pacer.plan([make_results(1)], phones=3000, now=0.0)  # phones due: sent at once
    held = pacer.plan([make_results(2)], phones=3000, now=TICK)
    assert sent_to_phones(held) == [] and sent_to_projector(held) == [2]
    assert pacer.holding
    # No new vote afterwards: the very next tick takes the last tally to the phones.
    assert sent_to_phones(pacer.plan([], phones=3000, now=2 * TICK)) == [2]
    assert not pacer.holding
    assert sent_to_phones(pacer.plan([], phones=3000, now=3 * TICK)) == []


def test_a_tick_with_only_staff_news_also_releases_the_held_tally() -> None:
    pacer = PhonePacer(tick=TICK, sends_per_second=5000)
    pacer.plan([make_results(1)], phones=2000, now=0.0)
    pacer.plan([make_results(2)], phones=2000, now=TICK)
    presence = Update(STAFF, 3, '{"type":"presence","seq":3}')
    plan = pacer.plan([presence], phones=2000, now=2 * TICK)
    assert sent_to_phones(plan) == [2]
    assert sent_to_projector(plan) == [3]


def test_held_tallies_go_out_before_anything_newer_for_phones() -> None:
    pacer = PhonePacer(tick=TICK, sends_per_second=8000)
    pacer.plan([make_results(1)], phones=2000, now=0.0)
    pacer.plan([make_results(2)], phones=2000, now=TICK)
    plan = pacer.plan(
        [make_step_changed(3), make_results(4, step_id="classement")], phones=2000, now=TICK * 1.2
    )
    # Phones drop any seq not above the last they saw: the held tally must come first.
    assert sent_to_phones(plan) == [2, 3, 4]
    assert not pacer.holding


def test_a_newer_tally_of_the_same_step_replaces_the_held_one() -> None:
    pacer = PhonePacer(tick=TICK, sends_per_second=8000)
    pacer.plan([make_results(1)], phones=2000, now=0.0)
    pacer.plan([make_results(2)], phones=2000, now=TICK)
    plan = pacer.plan([make_results(3)], phones=2000, now=2 * TICK)
    assert sent_to_phones(plan) == [3]  # not 2 then 3: the older tally is skipped


def test_updates_for_staff_only_are_never_held() -> None:
    pacer = PhonePacer(tick=TICK, sends_per_second=8000)
    pacer.plan([make_results(1)], phones=2000, now=0.0)
    staff_only = make_results(2, audiences=frozenset({"facilitator"}))
    plan = pacer.plan([staff_only], phones=2000, now=TICK)
    assert [(update.seq, audiences) for update, audiences in plan] == [
        (2, frozenset({"facilitator"}))
    ]
    assert not pacer.holding


def test_presence_is_recounted_every_tick_in_a_small_room_and_at_the_phones_pace_beyond() -> None:
    small = PhonePacer(tick=TICK, sends_per_second=8000)
    assert [small.presence_due(300, n * TICK) for n in range(4)] == [True] * 4
    large = PhonePacer(tick=TICK, sends_per_second=8000)
    due = [large.presence_due(3200, n * TICK) for n in range(9)]
    # 3 200 phones: every 0.4 s, the ceiling.
    assert due == [True, False, False, False, True, False, False, False, True]
