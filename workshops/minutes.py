"""The minutes (compte-rendu) of a workshop: everything it shows, computed once.

:func:`build_minutes` gathers what happened in a workshop — who took part, by collège;
each step with its ideas or its results, read by collège; what closing the steps wrote
into the model — into a :class:`Minutes` object. ``exports.minutes`` lays it out as a
Word document and as the HTML page every participant can open after the workshop.

Results come from the tallies of :mod:`workshops.tallies`, so the minutes never disagree
with the projector or with what was written into the model. The minutes are anonymous:
they count participants and quote ideas and comments, but never say who wrote or voted
what, and list nicknames only when asked (``named=True``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import networkx as nx
from pydantic import Field

from theory_of_change.model import Decision, Model

from .model import (
    STEP_STATUS_LABELS,
    WORKSHOP_STATUS_LABELS,
    Ballot,
    BrainstormStep,
    ChoiceStep,
    DotVoteStep,
    Idea,
    Participant,
    RankingStep,
    RatingStep,
    Step,
    StepKind,
    StepStatus,
    Workshop,
    WorkshopStatus,
)
from .tallies import (
    BrainstormResult,
    ChoiceResult,
    DotVoteResult,
    RankingResult,
    StepResult,
    TallyError,
    tally,
    tally_by_group,
)
from .tallies.brainstorm import merge_root

NO_GROUP_LABEL = "Sans collège indiqué"


class MinutesError(ValueError):
    """The records given do not belong to the workshop; the message is French."""


class GroupCount(Model):
    """How many participants one collège sent (``group_id`` ``None``: none given)."""

    group_id: str | None
    label: str
    count: int


class ParticipantsSummary(Model):
    """Who took part, counted by collège, anonymous unless nicknames were asked for.

    ``groups`` lists every collège of the workshop (even those nobody came from), then
    any other collège met, then the participants who gave none; ``sentence`` says it in
    French ("12 participants dont 4 élus…").
    """

    total: int
    groups: list[GroupCount]
    sentence: str
    nicknames: list[str] = Field(default_factory=list)


class GroupResult(Model):
    """A step's result counting only one collège's ballots (or upvotes)."""

    group_id: str | None
    label: str
    voters: int
    result: StepResult


class StepMinutes(Model):
    """One step as the minutes show it.

    ``result`` is ``None`` for a step that was never started. ``participation`` is the
    number of voters (for a brainstorm: participants who posted or upvoted an idea).
    ``notes`` are French sentences about ties, Condorcet cycles and the like;
    ``decisions`` what closing this step wrote into the model.
    """

    number: int
    id: str
    kind: StepKind
    kind_label: str
    title: str
    prompt: str | None
    status: StepStatus
    status_label: str
    rules: str
    participation: int
    result: StepResult | None
    by_group: list[GroupResult]
    notes: list[str]
    ideas_posted: int = 0
    ideas_merged: int = 0
    ideas_hidden: int = 0
    upvotes: int = 0
    decisions: list[Decision]


class Minutes(Model):
    """Everything the compte-rendu of one workshop shows."""

    title: str
    workshop_id: str
    workshop_title: str
    workshop_status: WorkshopStatus
    workshop_status_label: str
    project_id: str
    project_title: str | None
    held_on: list[dt.date]
    generated_on: dt.date
    participants: ParticipantsSummary
    steps: list[StepMinutes]
    decisions: list[Decision]


StepBallot = tuple[str, Ballot, str | None]
"""A ballot with the id of its step and the collège id of its voter (``None``: none)."""


def build_minutes(
    workshop: Workshop,
    participants: Sequence[Participant],
    ideas: Sequence[Idea],
    ballots: Sequence[StepBallot],
    decisions: Sequence[Decision],
    *,
    generated_on: dt.date,
    project_title: str | None = None,
    held_on: dt.date | None = None,
    named: bool = False,
) -> Minutes:
    """The minutes of ``workshop`` from its participants, ideas, ballots and decisions.

    ``ballots`` pairs each ballot with its step id and its voter's collège id;
    ``decisions`` may be the whole project's audit trail: only the entries of this
    workshop (same title) are kept. ``held_on`` is the day of the workshop; without it,
    the days its steps were closed on (the dates of its decisions) are shown. Nicknames
    are listed only with ``named=True``. Raises :class:`MinutesError` when a ballot
    belongs to a step the workshop does not have or is not of its step's kind.
    """
    step_ids = set(workshop.step_ids())
    for step_id, _ballot, _group in ballots:
        if step_id not in step_ids:
            raise MinutesError(
                f"Un bulletin porte sur l'étape « {step_id} », qui n'existe pas dans "
                f"l'atelier « {workshop.title} »."
            )
    own = sorted(
        (decision for decision in decisions if decision.workshop == workshop.title),
        key=lambda decision: _aware(decision.date),
    )
    steps = [
        _step_minutes(
            workshop,
            number,
            step,
            ideas,
            [(ballot, group) for step_id, ballot, group in ballots if step_id == step.id],
            [decision for decision in own if decision.step == step.title],
        )
        for number, step in enumerate(workshop.steps, start=1)
    ]
    days = [held_on] if held_on else sorted({_local_day(d.date) for d in own})
    return Minutes(
        title=f"Compte-rendu de l'atelier « {workshop.title} »",
        workshop_id=workshop.id,
        workshop_title=workshop.title,
        workshop_status=workshop.status,
        workshop_status_label=WORKSHOP_STATUS_LABELS[workshop.status],
        project_id=workshop.project_id,
        project_title=project_title,
        held_on=days,
        generated_on=generated_on,
        participants=summarise_participants(workshop, participants, named=named),
        steps=steps,
        decisions=own,
    )


# --- Participants -------------------------------------------------------------------------


def summarise_participants(
    workshop: Workshop, participants: Sequence[Participant], *, named: bool = False
) -> ParticipantsSummary:
    """Participants counted by collège, with the French sentence that says it."""
    counts: dict[str | None, int] = {group.id: 0 for group in workshop.groups}
    for participant in participants:
        counts[participant.group] = counts.get(participant.group, 0) + 1
    order = [g for g in counts if g is not None] + ([None] if None in counts else [])
    groups = [
        GroupCount(
            group_id=group,
            label=NO_GROUP_LABEL if group is None else workshop.group_label(group),
            count=counts[group],
        )
        for group in order
    ]
    nicknames = (
        sorted({p.nickname for p in participants if p.nickname}, key=str.casefold)
        if named
        else []
    )
    return ParticipantsSummary(
        total=len(participants),
        groups=groups,
        sentence=_participants_sentence(len(participants), groups),
        nicknames=nicknames,
    )


def _participants_sentence(total: int, groups: Sequence[GroupCount]) -> str:
    if total == 0:
        return "Aucun participant ne s'est connecté à cet atelier."
    named_groups = [g for g in groups if g.group_id is not None and g.count]
    without = sum(g.count for g in groups if g.group_id is None)
    head = plural(total, "participant")
    if not named_groups:
        return f"{head}, sans collège indiqué."
    parts = [f"{g.count} {_group_noun(g.label, g.count)}" for g in named_groups]
    if without:
        parts.append(f"{without} sans collège indiqué")
    return f"{head} dont {enumerate_fr(parts)}."


def _group_noun(label: str, count: int) -> str:
    """"Élus" → "élus", or "élu" for one; a label we cannot put in the singular stays."""
    noun = lower_first(label)
    words = noun.split()
    if count == 1 and all(word.endswith("s") and len(word) > 2 for word in words):
        return " ".join(word[:-1] for word in words)
    return noun


# --- Steps --------------------------------------------------------------------------------


def _step_minutes(
    workshop: Workshop,
    number: int,
    step: Step,
    ideas: Sequence[Idea],
    ballots: list[tuple[Ballot, str | None]],
    decisions: list[Decision],
) -> StepMinutes:
    step_ideas = [idea for idea in ideas if idea.step_id == step.id]
    common: dict[str, Any] = {
        "number": number,
        "id": step.id,
        "kind": StepKind(step.kind),
        "kind_label": step.kind_label,
        "title": step.title,
        "prompt": step.prompt,
        "status": step.status,
        "status_label": STEP_STATUS_LABELS[step.status],
        "rules": step_rules(step),
        "decisions": decisions,
    }
    if step.status == StepStatus.pending and not ballots and not step_ideas:
        return StepMinutes(**common, participation=0, result=None, by_group=[], notes=[])
    try:
        if isinstance(step, BrainstormStep):
            return _brainstorm_minutes(step, step_ideas, common)
        result = tally(step, [ballot for ballot, _group in ballots])
        grouped = tally_by_group(step, ballots)
    except TallyError as error:
        raise MinutesError(str(error)) from None
    by_group = [
        GroupResult(
            group_id=group,
            label=NO_GROUP_LABEL if group is None else workshop.group_label(group),
            voters=grouped[group].voters,  # type: ignore[union-attr]
            result=grouped[group],
        )
        for group in _group_order(workshop, grouped)
    ]
    notes = _result_notes(step, result)
    if step.status == StepStatus.open:
        notes.insert(0, "Résultats provisoires : l'étape était encore en cours.")
    return StepMinutes(
        **common,
        participation=getattr(result, "voters", 0),
        result=result,
        by_group=by_group,
        notes=notes,
    )


def _group_order(workshop: Workshop, grouped: dict[str | None, StepResult]) -> list[str | None]:
    known = [g for g in workshop.group_ids() if g in grouped]
    others = [g for g in grouped if g is not None and g not in known]
    return [*known, *others, *([None] if None in grouped else [])]


def _brainstorm_minutes(
    step: BrainstormStep,
    step_ideas: list[Idea],
    common: dict[str, Any],
) -> StepMinutes:
    by_id = {idea.id: idea for idea in step_ideas}
    # An idea folded into a hidden one is as invisible as the hidden idea itself.
    not_shown = {idea.id for idea in step_ideas if merge_root(idea, by_id).hidden or idea.hidden}
    result = tally(step, [], ideas=step_ideas)
    assert isinstance(result, BrainstormResult)
    columns = [
        column.model_copy(
            update={
                "ideas": [
                    card.model_copy(
                        update={"merged": [m for m in card.merged if m.id not in not_shown]}
                    )
                    for card in column.ideas
                ]
            }
        )
        for column in result.columns
    ]
    result = result.model_copy(update={"columns": columns})
    merged = sum(len(card.merged) for column in columns for card in column.ideas)
    upvotes = sum(card.upvotes for column in columns for card in column.ideas)
    taking_part = {idea.author for idea in step_ideas if idea.author} | {
        token for idea in step_ideas for token in idea.upvoters
    }
    notes: list[str] = []
    if not_shown:
        notes.append(
            f"{plural(len(not_shown), 'idée masquée', 'idées masquées')} par l'animation "
            f"{'ne figure' if len(not_shown) == 1 else 'ne figurent'} pas dans ce compte-rendu."
        )
    if step.status == StepStatus.open:
        notes.insert(0, "Mur d'idées provisoire : l'étape était encore en cours.")
    return StepMinutes(
        **common,
        participation=len(taking_part),
        result=result,
        by_group=[],
        notes=notes,
        ideas_posted=len(step_ideas),
        ideas_merged=merged,
        ideas_hidden=len(not_shown),
        upvotes=upvotes,
    )


def step_rules(step: Step) -> str:
    """The rule of a step in one French sentence ("5 gommettes par participant…")."""
    if isinstance(step, BrainstormStep):
        return (
            f"Idées proposées dans {plural(len(step.columns), 'colonne')} ; chaque "
            "participant peut soutenir une idée une fois."
        )
    options = plural(len(step.options), "option")
    if isinstance(step, DotVoteStep):
        return (
            f"{plural(step.budget, 'gommette')} par participant, au plus "
            f"{step.max_per_option} sur une même option, parmi {options}."
        )
    if isinstance(step, RankingStep):
        return (
            f"Classement de {options}, de la préférée à la moins préférée ; dépouillement "
            "par la méthode de Borda et par la méthode de Schulze (Condorcet)."
        )
    if isinstance(step, RatingStep):
        labels = enumerate_fr([criterion.label for criterion in step.criteria])
        criteria = "le critère" if len(step.criteria) == 1 else "les critères"
        return (
            f"Notes de {step.scale_min} à {step.scale_max} de {options} selon {criteria} "
            f"{labels}."
        )
    assert isinstance(step, ChoiceStep)
    kind = "Choix multiple" if step.multiple else "Choix unique"
    comment = ", avec un commentaire facultatif" if step.allow_comment else ""
    return f"{kind} parmi {plural(len(step.options), 'réponse')}{comment}."


# --- Ties and cycles ----------------------------------------------------------------------


def _result_notes(step: Step, result: StepResult) -> list[str]:
    if getattr(result, "voters", 0) == 0:
        return ["Aucun participant n'a voté à cette étape."]
    if isinstance(result, DotVoteResult):
        return _tie_notes(
            [(row.label, row.rank, row.tied, row.dots) for row in result.rows if row.dots],
            "gommette",
            "gommettes",
        )
    if isinstance(result, ChoiceResult):
        return _tie_notes(
            [(row.label, row.rank, row.tied, row.count) for row in result.rows if row.count],
            "voix",
            "voix",
        )
    if isinstance(result, RankingResult):
        return _ranking_notes(result)
    return []


def _tie_notes(rows: list[tuple[str, int, bool, float]], unit: str, units: str) -> list[str]:
    by_rank: dict[int, list[tuple[str, float]]] = {}
    for label, rank, tied, value in rows:
        if tied:
            by_rank.setdefault(rank, []).append((label, value))
    sentences = []
    for rank, tied in sorted(by_rank.items()):
        value = tied[0][1]
        names = enumerate_fr([quote(label) for label, _ in tied])
        sentences.append(
            f"Égalité au {ordinal(rank)} rang entre {names} "
            f"({number_fr(value)} {unit if value <= 1 else units} chacune)."
        )
    return sentences


def _ranking_notes(result: RankingResult) -> list[str]:
    labels = {row.option_id: row.label for row in result.schulze.rows}
    notes: list[str] = []
    winner = result.schulze.condorcet_winner
    if winner is not None:
        notes.append(
            f"Gagnant de Condorcet : {quote(labels[winner])} gagne chacun de ses duels."
        )
    else:
        cycle = condorcet_cycle(result)
        if cycle:
            pairwise = result.schulze.pairwise
            duels = [
                f"{quote(labels[a])} bat {quote(labels[b])} ({pairwise[a][b]} contre "
                f"{pairwise[b][a]})"
                for a, b in cycle
            ]
            notes.append(f"Cycle de Condorcet : {enumerate_fr(duels)}. Il n'y a donc pas "
                         "de gagnant de Condorcet.")
        else:
            notes.append("Pas de gagnant de Condorcet : aucune option ne gagne tous ses duels.")
    for rank_group, place in _schulze_places(result):
        if len(rank_group) > 1:
            names = enumerate_fr([quote(labels[o]) for o in rank_group])
            notes.append(
                f"Méthode de Schulze : {names} sont à égalité au {ordinal(place)} rang."
            )
    notes.extend(
        f"Méthode de Borda : {lower_first(sentence)}"
        for sentence in _tie_notes(
            [(row.label, row.rank, row.tied, row.score) for row in result.borda],
            "point",
            "points",
        )
    )
    return notes


def _schulze_places(result: RankingResult) -> list[tuple[list[str], int]]:
    places: list[tuple[list[str], int]] = []
    place = 1
    for group in result.schulze.ranks:
        places.append((group, place))
        place += len(group)
    return places


def condorcet_cycle(result: RankingResult) -> list[tuple[str, str]]:
    """A cycle of majority duels (A beats B, B beats C, C beats A), or ``[]`` if none.

    Options are taken in the step's order so the same ballots always give the same cycle.
    """
    pairwise = result.schulze.pairwise
    graph: nx.DiGraph[str] = nx.DiGraph()
    option_ids = [row.option_id for row in result.borda]
    graph.add_nodes_from(option_ids)
    for a in option_ids:
        for b in option_ids:
            if a != b and pairwise[a][b] > pairwise[b][a]:
                graph.add_edge(a, b)
    try:
        return [(a, b) for a, b in nx.find_cycle(graph)]
    except nx.NetworkXNoCycle:
        return []


# --- French wording -----------------------------------------------------------------------


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 idée``, ``3 idées`` (French: 0 and 1 take the singular)."""
    word = singular if count <= 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def number_fr(value: float) -> str:
    """``4``, ``12,5``: whole numbers without decimals, a comma otherwise."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").replace(".", ",")


def ordinal(rank: int) -> str:
    """``1er``, ``2e``…"""
    return "1er" if rank == 1 else f"{rank}e"


def quote(text: str) -> str:
    """French quotes with no-break spaces."""
    return f"«\u00a0{text}\u00a0»"


def enumerate_fr(items: Sequence[str]) -> str:
    """"A", "A et B", "A, B et C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def lower_first(label: str) -> str:
    """"Élus" → "élus" mid-sentence; "CCAS" or "EPCI" keep their capitals."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


PARIS = "Europe/Paris"


def _aware(moment: dt.datetime) -> dt.datetime:
    # A decision written by hand may carry no time zone; it is taken as UTC, like the rest,
    # so that sorting never compares naive and aware moments.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _local_day(moment: dt.datetime) -> dt.date:
    return local_time(moment).date()


def local_time(moment: dt.datetime) -> dt.datetime:
    """A stored (UTC) moment in French time, as the facilitator lived it.

    A moment without a time zone is taken as UTC. Without the time-zone database (a bare
    container), the moment is shown in UTC.
    """
    moment = _aware(moment)
    try:
        return moment.astimezone(ZoneInfo(PARIS))
    except ZoneInfoNotFoundError:
        return moment
