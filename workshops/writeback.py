"""Closing a step writes its result into the model, with an audit trail.

:func:`apply_step_result` returns a new :class:`~theory_of_change.model.Project` (the one
given is never changed) with the step's effect and a
:class:`~theory_of_change.model.Decision` appended to ``project.decisions`` saying which
workshop, which step, when and what. :func:`preview` computes the same outcome without it
being applied, so the facilitator reads what closing the step will write before doing it.

Three effects, chosen by the step's ``writeback``:

- :class:`~workshops.model.PrioritiseChanges`: the top-k changes of a dot vote or a ranking
  become ``prioritised`` with ``priority_rank`` 1..k in result order. A tie across the k-th
  place is never broken silently: by default the tied changes stay ``proposed`` and the
  summary says so (``ties="include_all"`` prioritises them all, at the same rank).
- :class:`~workshops.model.IdeasToNodes`: chosen ideas become activities, progress markers
  of their column's change, or stakes, with new slug ids.
- :class:`~workshops.model.RecordVisionVote`: the counts of the vote on the vision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from theory_of_change.model import (
    VISION_ID,
    Activity,
    Change,
    ChangeStatus,
    Decision,
    Model,
    ProgressMarker,
    Project,
    Stake,
)
from theory_of_change.slugs import unique_slug

from .model import (
    BrainstormStep,
    ChoiceStep,
    Idea,
    IdeasToNodes,
    PrioritiseChanges,
    RecordVisionVote,
    Step,
    Workshop,
)
from .options import short_label
from .tallies import (
    BrainstormResult,
    ChoiceResult,
    DotVoteResult,
    RankingResult,
    RatingResult,
    StepResult,
)

_SUMMARY_MAX_LENGTH = 9_000


class WriteBackError(ValueError):
    """The result cannot be written into the project; the message is French."""


class WriteBackOutcome(Model):
    """What closing a step writes: the new project, the audit entries and a French summary.

    ``summary`` lists one sentence per change made (or the reason nothing is written);
    ``warnings`` what the facilitator must decide (a tie at the k-th place, a rank already
    held by a change outside the vote); ``nodes`` the ids created or modified;
    ``tied`` the option ids tied across the k-th place and left as they were.
    """

    applied: bool
    headline: str
    summary: list[str]
    warnings: list[str]
    nodes: list[str]
    tied: list[str]
    decisions: list[Decision]
    project: Project

    @property
    def text(self) -> str:
        """The whole summary as French text, headline first."""
        lines = [self.headline, *(f"- {line}" for line in self.summary)]
        lines += [f"⚠ {warning}" for warning in self.warnings]
        return "\n".join(lines)


def preview(
    project: Project,
    workshop: Workshop,
    step: Step,
    result: StepResult,
    *,
    chosen_ideas: Sequence[Idea] = (),
    when: dt.datetime | None = None,
    author: str | None = None,
) -> WriteBackOutcome:
    """What closing ``step`` with ``result`` would write into ``project``, not applied.

    Raises :class:`WriteBackError` exactly when :func:`apply_step_result` would.
    """
    outcome = apply_step_result(
        project,
        workshop,
        step,
        result,
        when=when or dt.datetime.now(dt.UTC),
        author=author,
        chosen_ideas=chosen_ideas,
    )
    headline = (
        "Clore cette étape écrira dans le modèle :"
        if outcome.decisions
        else "Clore cette étape n'écrira rien dans le modèle."
    )
    return outcome.model_copy(update={"applied": False, "headline": headline})


def apply_step_result(
    project: Project,
    workshop: Workshop,
    step: Step,
    result: StepResult,
    *,
    when: dt.datetime,
    author: str | None,
    chosen_ideas: Sequence[Idea] = (),
) -> WriteBackOutcome:
    """Write the result of a closed step into a copy of ``project``.

    ``chosen_ideas`` serves :class:`~workshops.model.IdeasToNodes`: on a brainstorm step,
    the ideas the facilitator chose; on a vote over ideas, the ideas behind the options
    (any superset will do: the ``top_k`` best placed are taken from it). The returned
    outcome carries the new project, with one :class:`~theory_of_change.model.Decision`
    appended to its ``decisions`` when something was written.
    """
    if result.step_id != step.id or result.kind != step.kind:
        raise WriteBackError(f"Ce résultat n'est pas celui de l'étape « {step.title} ».")
    writeback = step.writeback
    draft = _Draft(project, workshop, step, when, author)
    if writeback is None:
        draft.say("Cette étape n'écrit rien dans le modèle.")
    elif isinstance(writeback, PrioritiseChanges):
        _prioritise(draft, writeback, result)
    elif isinstance(writeback, RecordVisionVote):
        _record_vision_vote(draft, result)
    elif isinstance(writeback, IdeasToNodes):
        _ideas_to_nodes(draft, writeback, result, chosen_ideas)
    return draft.outcome()


# --- Shared machinery ---------------------------------------------------------------------


class _Draft:
    """The changes being prepared: collections to replace, sentences, the audit entry."""

    def __init__(
        self,
        project: Project,
        workshop: Workshop,
        step: Step,
        when: dt.datetime,
        author: str | None,
    ) -> None:
        self.project = project
        self.workshop = workshop
        self.step = step
        self.when = when
        self.author = author
        self.updates: dict[str, Any] = {}
        self.summary: list[str] = []
        self.warnings: list[str] = []
        self.nodes: list[str] = []
        self.tied: list[str] = []
        self.decision: str | None = None

    def say(self, sentence: str) -> None:
        self.summary.append(sentence)

    def warn(self, sentence: str) -> None:
        self.warnings.append(sentence)

    def outcome(self) -> WriteBackOutcome:
        decisions: list[Decision] = []
        project = self.project
        if self.decision is not None:
            decision = Decision(
                date=self.when,
                summary=_truncate(self.decision),
                workshop=self.workshop.title,
                step=self.step.title,
                author=self.author,
                nodes=list(dict.fromkeys(self.nodes)),
            )
            decisions.append(decision)
            self.updates["decisions"] = [*project.decisions, decision]
        if self.updates:
            candidate = project.model_copy(update=self.updates)
            # Re-validating the whole project both checks the new links and leaves no
            # list shared with the project we were given.
            try:
                project = Project.model_validate(candidate.model_dump())
            except ValueError as error:  # pragma: no cover - the checks above should prevent it
                raise WriteBackError(
                    f"Le résultat ne peut pas être écrit dans le projet : {error}"
                ) from error
        return WriteBackOutcome(
            applied=True,
            headline=(
                "Écrit dans le modèle :" if decisions else "Rien n'a été écrit dans le modèle."
            ),
            summary=self.summary,
            warnings=self.warnings,
            nodes=list(dict.fromkeys(self.nodes)),
            tied=self.tied,
            decisions=decisions,
            project=project,
        )


def _truncate(text: str) -> str:
    if len(text) <= _SUMMARY_MAX_LENGTH:
        return text
    return text[: _SUMMARY_MAX_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _quote(text: str) -> str:
    return f"« {short_label(text, 120)} »"


def _enumerate(items: Sequence[str]) -> str:
    """"A", "A et B", "A, B et C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def _lower_first(label: str) -> str:
    # "D'accord" reads "d'accord" mid-sentence; "CAF" or "EPCI" keep their capitals.
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _ordinal(rank: int) -> str:
    return "1re" if rank == 1 else f"{rank}e"


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def ranked_groups(result: StepResult, method: str = "schulze") -> list[list[str]]:
    """The options of a result best first, tied options grouped, unvoted ones left out.

    A dot vote or a choice leaves out options that received nothing: an option nobody
    voted for is never "chosen". A ranking keeps every option (each voter placed them
    all, explicitly or as unranked).
    """
    if isinstance(result, DotVoteResult):
        rows = [(row.option_id, row.rank) for row in result.rows if row.dots > 0]
    elif isinstance(result, ChoiceResult):
        rows = [(row.option_id, row.rank) for row in result.rows if row.count > 0]
    elif isinstance(result, RankingResult):
        if result.voters == 0:
            return []
        if method == "schulze":
            return [list(group) for group in result.schulze.ranks]
        rows = [(row.option_id, row.rank) for row in result.borda]
    else:
        raise WriteBackError("Ce type de résultat ne donne pas de classement des options.")
    groups: dict[int, list[str]] = {}
    for option_id, rank in rows:
        groups.setdefault(rank, []).append(option_id)
    return [groups[rank] for rank in sorted(groups)]


def top_k(
    groups: list[list[str]], k: int, include_ties: bool
) -> tuple[list[tuple[str, int]], list[str], int]:
    """Split ranked groups at the k-th place.

    Returns ``(selected, tied, tied_rank)``: ``selected`` pairs each chosen option with its
    rank (tied options share theirs, as in "1, 2, 2, 4"); ``tied`` is the group that
    straddles the k-th place (empty when the cut falls between two groups), which is
    included in ``selected`` only when ``include_ties``; ``tied_rank`` is its rank.
    """
    selected: list[tuple[str, int]] = []
    for group in groups:
        rank = len(selected) + 1
        if len(selected) + len(group) <= k:
            selected.extend((option_id, rank) for option_id in group)
            continue
        if len(selected) < k:
            if include_ties:
                selected.extend((option_id, rank) for option_id in group)
            return selected, list(group), rank
        break
    return selected, [], 0


# --- Prioritise changes -------------------------------------------------------------------


def _prioritise(draft: _Draft, writeback: PrioritiseChanges, result: StepResult) -> None:
    if not isinstance(result, DotVoteResult | RankingResult):
        raise WriteBackError(
            "Seuls un vote à gommettes ou un classement priorisent des changements."
        )
    project, step = draft.project, draft.step
    if isinstance(step, BrainstormStep):
        raise WriteBackError("Un remue-méninges ne priorise pas de changements.")
    refs = {option.id: option.ref or option.id for option in step.options}
    known = {change.id for change in project.changes}
    for option in step.options:
        if refs[option.id] not in known:
            raise WriteBackError(
                f"Le changement « {option.label} » n'existe plus dans le projet : "
                "rien n'a été écrit."
            )
    if result.voters == 0:
        draft.say("Personne n'a voté : aucun changement n'est priorisé.")
        return

    method = writeback.method if isinstance(result, RankingResult) else "dots"
    groups = ranked_groups(result, writeback.method)
    include = writeback.ties == "include_all"
    selected, tied, tied_rank = top_k(groups, writeback.top_k, include)
    figure = _figures(result, writeback.method)
    new_rank = {refs[option_id]: rank for option_id, rank in selected}
    voted = set(refs.values())

    changes: list[Change] = []
    demoted: list[Change] = []
    for change in project.changes:
        if change.id in new_rank:
            update = {"status": ChangeStatus.prioritised, "priority_rank": new_rank[change.id]}
            changes.append(change.model_copy(update=update))
        elif change.id in voted and change.status == ChangeStatus.prioritised:
            # The vote re-decides the priority among its options: a change that was
            # prioritised before and is no longer in the top k goes back to proposed.
            demoted.append(change)
            changes.append(
                change.model_copy(update={"status": ChangeStatus.proposed, "priority_rank": None})
            )
        else:
            changes.append(change)
    draft.updates["changes"] = changes

    by_id = {change.id: change for change in project.changes}
    for option_id, rank in selected:
        change = by_id[refs[option_id]]
        shared = " (ex æquo)" if sum(1 for _, r in selected if r == rank) > 1 else ""
        extra = figure.get(option_id, "")
        draft.say(f"{_quote(change.statement)} : priorisé, rang {rank}{shared}{extra}.")
        draft.nodes.append(change.id)
    for change in demoted:
        draft.say(f"{_quote(change.statement)} : n'est plus priorisé, redevient proposé.")
        draft.nodes.append(change.id)
    others = len(voted) - len(new_rank) - len(demoted)
    if others:
        draft.say(
            f"{_plural(others, 'autre changement', 'autres changements')} du vote : "
            "statut inchangé."
        )

    if tied:
        draft.tied = [refs[option_id] for option_id in tied]
        names = _enumerate([_quote(by_id[refs[o]].statement) for o in tied])
        if include:
            draft.warn(
                f"Égalité à la {_ordinal(tied_rank)} place entre {names} : tous sont priorisés "
                f"au rang {tied_rank}, soit {len(selected)} changements au lieu de "
                f"{writeback.top_k}."
            )
        else:
            places = writeback.top_k - len(selected)
            draft.warn(
                f"Égalité à la {_ordinal(tied_rank)} place entre {names} pour "
                f"{_plural(places, 'place restante', 'places restantes')} : ces changements "
                "restent proposés. Départagez-les par un nouveau vote ou une décision du "
                "groupe, puis priorisez-les à la main."
            )
    taken = {
        change.priority_rank: change
        for change in project.changes
        if change.id not in voted and change.status == ChangeStatus.prioritised
    }
    for rank in sorted(set(new_rank.values())):
        if rank in taken:
            draft.warn(
                f"{_quote(taken[rank].statement)}, hors de ce vote, a déjà le rang {rank} : "
                "revoyez l'ordre des priorités."
            )

    method_label = {
        "dots": "vote à gommettes",
        "schulze": "classement, méthode de Schulze",
        "borda": "classement, méthode de Borda",
    }[method]
    ranking = " ; ".join(
        f"{rank}. {short_label(by_id[refs[o]].statement, 120)}" for o, rank in selected
    )
    decision = (
        f"Priorisation des changements ({method_label}, "
        f"{_plural(result.voters, 'votant')}) : {ranking or 'aucun changement priorisé'}."
    )
    if tied and not include:
        decision += (
            f" Égalité non départagée à la {_ordinal(tied_rank)} place : "
            + _enumerate([short_label(by_id[refs[o]].statement, 120) for o in tied])
            + "."
        )
    draft.decision = decision


def _figures(result: DotVoteResult | RankingResult, method: str) -> dict[str, str]:
    if isinstance(result, DotVoteResult):
        return {
            row.option_id: f", {_plural(row.dots, 'gommette')}" for row in result.rows
        }
    if method == "borda":
        return {
            row.option_id: f", {row.score:g} points Borda".replace(".", ",")
            for row in result.borda
        }
    return {}


# --- Vision vote --------------------------------------------------------------------------


def _record_vision_vote(draft: _Draft, result: StepResult) -> None:
    step = draft.step
    if not isinstance(result, ChoiceResult) or not isinstance(step, ChoiceStep):
        raise WriteBackError("Le vote sur la vision est une question à choix.")
    if result.voters == 0:
        draft.say("Personne n'a voté : rien n'est enregistré.")
        return
    counts = {row.option_id: row for row in result.rows}
    parts = []
    for option in step.options:
        row = counts.get(option.id)
        count = row.count if row else 0
        share = round(100 * row.share) if row else 0
        parts.append(f"{_lower_first(option.label)} : {count} ({share} %)")
    line = (
        f"Vote sur la vision ({_plural(result.voters, 'votant')}) : " + ", ".join(parts) + "."
    )
    draft.say(line)
    if result.comments:
        joined = "joint" if len(result.comments) == 1 else "joints"
        draft.say(f"{_plural(len(result.comments), 'commentaire')} {joined} à la décision.")
        line += " Commentaires : " + " ; ".join(f"« {c} »" for c in result.comments)
    draft.decision = line
    if draft.project.vision is not None:
        draft.nodes.append(VISION_ID)


# --- Ideas to nodes -----------------------------------------------------------------------

_TARGET_LABELS = {
    "activity": ("action", "actions"),
    "marker": ("marqueur de progrès", "marqueurs de progrès"),
    "stake": ("enjeu", "enjeux"),
}


def _ideas_to_nodes(
    draft: _Draft, writeback: IdeasToNodes, result: StepResult, chosen: Sequence[Idea]
) -> None:
    step = draft.step
    if isinstance(step, BrainstormStep):
        if not isinstance(result, BrainstormResult):
            raise WriteBackError("Ce résultat n'est pas celui d'un remue-méninges.")
        for idea in chosen:
            if idea.step_id != step.id:
                raise WriteBackError(
                    f"L'idée {_quote(idea.text)} ne vient pas de l'étape « {step.title} »."
                )
        ideas = list(chosen)
    else:
        if isinstance(result, RatingResult | BrainstormResult):
            raise WriteBackError("Ce résultat ne donne pas de classement des idées.")
        if result.voters == 0:
            draft.say("Personne n'a voté : aucune idée n'est retenue.")
            return
        by_id = {idea.id: idea for idea in chosen}
        refs = {option.id: option.ref or option.id for option in step.options}
        selected, tied, tied_rank = top_k(
            ranked_groups(result), writeback.top_k or len(refs), include_ties=False
        )
        ideas = []
        for option_id, _rank in selected:
            idea = by_id.get(refs[option_id])
            if idea is None:
                raise WriteBackError(
                    f"L'idée « {step.option(option_id).label} » est introuvable : "
                    "rien n'a été écrit."
                )
            ideas.append(idea)
        if tied:
            draft.tied = [refs[option_id] for option_id in tied]
            names = _enumerate([_quote(step.option(o).label) for o in tied])
            draft.warn(
                f"Égalité à la {_ordinal(tied_rank)} place entre {names} : ces idées ne sont "
                "pas retenues. Départagez-les, puis ajoutez-les à la main si le groupe le "
                "souhaite."
            )
    for idea in ideas:
        if idea.merged_into is not None:
            raise WriteBackError(
                f"L'idée {_quote(idea.text)} a été fusionnée dans une autre : choisissez celle-ci."
            )
    if not ideas:
        draft.say("Aucune idée choisie : rien n'est ajouté au modèle.")
        return

    singular, plural = _TARGET_LABELS[writeback.target]
    created: list[str] = []
    if writeback.target == "activity":
        created = _ideas_to_activities(draft, writeback, ideas)
    elif writeback.target == "marker":
        created = _ideas_to_markers(draft, writeback, ideas)
    else:
        created = _ideas_to_stakes(draft, ideas)
    if len(created) == 1:
        heading = f"1 idée transformée en {singular}"
    else:
        heading = f"{len(created)} idées transformées en {plural}"
    draft.decision = f"{heading} (remue-méninges « {step.title} ») : " + " ; ".join(created) + "."


def _taken_ids(project: Project) -> set[str]:
    return project.node_ids() | {a.id for a in project.axes} | {
        f.id for f in project.facilities
    } | {VISION_ID}


def _column_ref(workshop: Workshop, idea: Idea) -> str | None:
    try:
        step = workshop.step(idea.step_id)
    except KeyError:
        return None
    if not isinstance(step, BrainstormStep):
        return None
    try:
        return step.column(idea.column).ref
    except KeyError:
        return None


def _ideas_to_activities(draft: _Draft, writeback: IdeasToNodes, ideas: list[Idea]) -> list[str]:
    project = draft.project
    taken = _taken_ids(project)
    changes = {change.id: change for change in project.changes}
    themes = {theme.id for theme in project.themes}
    created: list[Activity] = []
    described: list[str] = []
    for idea in ideas:
        ref = _column_ref(draft.workshop, idea)
        activity_id = unique_slug(idea.text, taken, prefix="act-")
        taken.add(activity_id)
        links: list[str] = []
        activity_themes: list[str] = []
        if ref in changes:
            links = [ref]
            activity_themes = list(changes[ref].themes)
        elif ref in themes:
            activity_themes = [ref]
        created.append(
            Activity(
                id=activity_id,
                title=short_label(idea.text),
                kind=writeback.activity_kind,
                themes=activity_themes,
                contributes_to=links,
            )
        )
        where = f", contribue à {_quote(changes[ref].statement)}" if links else ""
        draft.say(f"Nouvelle action {_quote(idea.text)} ({activity_id}){where}.")
        draft.nodes.append(activity_id)
        described.append(f"{short_label(idea.text, 120)} ({activity_id})")
    draft.updates["activities"] = [*project.activities, *created]
    return described


def _ideas_to_markers(draft: _Draft, writeback: IdeasToNodes, ideas: list[Idea]) -> list[str]:
    project = draft.project
    taken = _taken_ids(project)
    changes = {change.id: change for change in project.changes}
    created: list[ProgressMarker] = []
    described: list[str] = []
    for idea in ideas:
        ref = _column_ref(draft.workshop, idea)
        if ref not in changes:
            raise WriteBackError(
                f"L'idée {_quote(idea.text)} n'est pas dans une colonne rattachée à un "
                "changement : elle ne peut pas devenir un marqueur de progrès. Rien n'a été écrit."
            )
        marker_id = unique_slug(idea.text, taken, prefix="mq-")
        taken.add(marker_id)
        created.append(
            ProgressMarker(id=marker_id, change=ref, text=idea.text, level=writeback.marker_level)
        )
        draft.say(
            f"Nouveau marqueur de progrès {_quote(idea.text)} ({marker_id}) du changement "
            f"{_quote(changes[ref].statement)}."
        )
        draft.nodes.append(marker_id)
        described.append(f"{short_label(idea.text, 120)} ({marker_id})")
    draft.updates["markers"] = [*project.markers, *created]
    return described


def _ideas_to_stakes(draft: _Draft, ideas: list[Idea]) -> list[str]:
    project = draft.project
    taken = _taken_ids(project)
    themes = {theme.id for theme in project.themes}
    created: list[Stake] = []
    described: list[str] = []
    for idea in ideas:
        ref = _column_ref(draft.workshop, idea)
        stake_id = unique_slug(idea.text, taken, prefix="enjeu-")
        taken.add(stake_id)
        created.append(
            Stake(id=stake_id, title=short_label(idea.text), theme=ref if ref in themes else None)
        )
        draft.say(f"Nouvel enjeu {_quote(idea.text)} ({stake_id}).")
        draft.nodes.append(stake_id)
        described.append(f"{short_label(idea.text, 120)} ({stake_id})")
    draft.updates["stakes"] = [*project.stakes, *created]
    return described
