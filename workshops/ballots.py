"""Checking a ballot against the step it is cast on.

:func:`validate_ballot` is called before a ballot is stored: it refuses what the step
does not allow with a French message the participant can act on, and returns the ballot
in a canonical form (no zero dots, comment stripped) so that tallies need not check again.
"""

from __future__ import annotations

from .model import (
    STEP_KIND_LABELS,
    Ballot,
    BrainstormStep,
    ChoiceBallot,
    ChoiceStep,
    DotBallot,
    DotVoteStep,
    RankingBallot,
    RankingStep,
    RatingBallot,
    RatingStep,
    Step,
    StepKind,
)


class BallotError(ValueError):
    """A ballot the step does not accept; the message is French and meant for the voter."""


def validate_ballot(step: Step, ballot: Ballot) -> Ballot:
    """Check ``ballot`` against ``step`` and return it in canonical form.

    Raises :class:`BallotError` for a ballot of another kind, an unknown option or
    criterion, more dots than the budget or than allowed on one option, negative dots, a
    ranking that names an option twice, a score outside the scale, several choices on a
    single-choice step, a comment where none is allowed, or an empty ballot.
    """
    if isinstance(step, BrainstormStep):
        raise BallotError("On ne vote pas pendant un remue-méninges : proposez des idées.")
    if ballot.kind != step.kind:
        raise BallotError(
            f"Ce bulletin ({STEP_KIND_LABELS[StepKind(ballot.kind)]}) ne correspond pas à "
            f"l'étape « {step.title} » ({step.kind_label})."
        )
    if isinstance(step, DotVoteStep) and isinstance(ballot, DotBallot):
        return _dot_ballot(step, ballot)
    if isinstance(step, RankingStep) and isinstance(ballot, RankingBallot):
        return _ranking_ballot(step, ballot)
    if isinstance(step, RatingStep) and isinstance(ballot, RatingBallot):
        return _rating_ballot(step, ballot)
    if isinstance(step, ChoiceStep) and isinstance(ballot, ChoiceBallot):
        return _choice_ballot(step, ballot)
    raise BallotError("Ce bulletin ne correspond pas à l'étape.")  # unreachable: kinds match


def _check_known(step: DotVoteStep | RankingStep | RatingStep | ChoiceStep, ids: list[str]) -> None:
    known = set(step.option_ids())
    for option_id in ids:
        if option_id not in known:
            raise BallotError(
                f"L'option « {option_id} » ne fait pas partie de l'étape « {step.title} »."
            )


def _dot_ballot(step: DotVoteStep, ballot: DotBallot) -> DotBallot:
    _check_known(step, list(ballot.dots))
    for option_id, count in ballot.dots.items():
        label = step.option(option_id).label
        if count < 0:
            raise BallotError(f"Nombre de gommettes négatif sur « {label} ».")
        if count > step.max_per_option:
            raise BallotError(
                f"{count} gommettes sur « {label} » : {_dots(step.max_per_option)} au plus "
                "par option."
            )
    total = sum(ballot.dots.values())
    if total > step.budget:
        raise BallotError(
            f"Vous avez placé {total} gommettes : vous en avez {step.budget} en tout."
        )
    if total == 0:
        raise BallotError("Placez au moins une gommette.")
    # Options in the step's order, zeros dropped: one canonical form per ballot.
    dots = {oid: ballot.dots[oid] for oid in step.option_ids() if ballot.dots.get(oid, 0) > 0}
    return DotBallot(dots=dots)


def _dots(count: int) -> str:
    return f"{count} gommette" if count == 1 else f"{count} gommettes"


def _ranking_ballot(step: RankingStep, ballot: RankingBallot) -> RankingBallot:
    if not ballot.order:
        raise BallotError("Classez au moins une option.")
    _check_known(step, ballot.order)
    seen: set[str] = set()
    for option_id in ballot.order:
        if option_id in seen:
            raise BallotError(
                f"« {step.option(option_id).label} » apparaît deux fois dans votre classement."
            )
        seen.add(option_id)
    return RankingBallot(order=list(ballot.order))


def _rating_ballot(step: RatingStep, ballot: RatingBallot) -> RatingBallot:
    _check_known(step, list(ballot.scores))
    criteria = {criterion.id: criterion.label for criterion in step.criteria}
    scores: dict[str, dict[str, int]] = {}
    for option_id in step.option_ids():
        given = ballot.scores.get(option_id)
        if not given:
            continue
        label = step.option(option_id).label
        for criterion_id, score in given.items():
            if criterion_id not in criteria:
                raise BallotError(
                    f"Le critère « {criterion_id} » ne fait pas partie de l'étape « {step.title} »."
                )
            if not step.scale_min <= score <= step.scale_max:
                raise BallotError(
                    f"Note {score} pour « {label} » ({criteria[criterion_id]}) : les notes vont "
                    f"de {step.scale_min} à {step.scale_max}."
                )
        scores[option_id] = {cid: given[cid] for cid in criteria if cid in given}
    if not scores:
        raise BallotError("Notez au moins une option.")
    return RatingBallot(scores=scores)


def _choice_ballot(step: ChoiceStep, ballot: ChoiceBallot) -> ChoiceBallot:
    _check_known(step, ballot.choices)
    if not ballot.choices:
        raise BallotError("Choisissez au moins une réponse.")
    if len(set(ballot.choices)) != len(ballot.choices):
        raise BallotError("Vous avez choisi deux fois la même réponse.")
    if not step.multiple and len(ballot.choices) > 1:
        raise BallotError("Une seule réponse est possible pour cette question.")
    comment = ballot.comment or None
    if comment is not None and not step.allow_comment:
        raise BallotError("Cette question n'accepte pas de commentaire.")
    chosen = set(ballot.choices)
    return ChoiceBallot(
        choices=[oid for oid in step.option_ids() if oid in chosen], comment=comment
    )
