"""Who sees a vote's results, and when: the facilitator's choice for each vote step.

Results shown while people still vote invite them to follow the crowd. So each vote step
(dot vote, ranking, rating, choice) says when phones and projector see its tally
(:class:`~workshops.model.ResultsVisibility`):

- ``live`` (« en direct »): everyone sees the tally as it changes;
- ``after_vote`` (« après avoir voté », the default): a phone once it has voted, the
  projector once the step is closed; until then the projector shows how many voted;
- ``on_reveal`` (« à la révélation »): nobody but the facilitator sees a tally — only
  how many voted — until the facilitator reveals it. Closing the step does not reveal it.

Revealing (``results_revealed``) shows the tally to everyone, while the step runs or
after it closed, whatever the mode; it is never taken back (what was seen was seen). The
facilitator always sees everything. A brainstorm's wall is not a tally: it is always
shown, and these settings do not exist on brainstorm steps.

:func:`results_shown` is the rule a page applies; :func:`results_withheld` is what the
server applies to what it sends. A phone's updates are the same bytes for every phone of
the room, so the server cannot send a tally to the phones that voted only: in
``after_vote`` mode phones receive the tally and the page shows it once this phone has
voted. ``on_reveal`` and the projector's side of ``after_vote`` are enforced by the
server: the tally never leaves it.
"""

from __future__ import annotations

from typing import Literal

from .model import (
    RESULTS_VISIBILITY_LABELS,
    BrainstormStep,
    ResultsVisibility,
    Step,
    StepStatus,
    VoteStep,
    WorkshopError,
)

Audience = Literal["phone", "projector", "facilitator"]
"""Who looks: a participant's phone, the hall's projector, the facilitator's console."""


def results_shown(step: Step, audience: Audience, has_voted: bool = False) -> bool:
    """Whether ``audience`` may see the tally of ``step`` now.

    ``has_voted`` says whether this phone has voted on the step (ignored for the
    projector and the facilitator).
    """
    if audience == "facilitator" or isinstance(step, BrainstormStep):
        return True
    if step.results_revealed or step.results_visibility == ResultsVisibility.live:
        return True
    if step.results_visibility == ResultsVisibility.after_vote:
        if step.status == StepStatus.closed:
            return True
        return audience == "phone" and has_voted
    return False


def results_withheld(step: Step, audience: Audience) -> bool:
    """Whether the server must keep the tally of ``step`` from every client of ``audience``.

    The server sends one update to all phones of a room: it withholds the tally only
    when no phone may see it, i.e. even a phone that has voted (see the module's
    docstring for what ``after_vote`` leaves to the page).
    """
    return not results_shown(step, audience, has_voted=True)


def _vote_step(step: Step, refusal: str) -> VoteStep:
    if isinstance(step, BrainstormStep):
        raise WorkshopError(
            f"« {step.title} » est un remue-méninges : {refusal}, ses idées s'affichent "
            "au fil de l'eau."
        )
    return step


def reveal_results(step: Step) -> VoteStep:
    """The step with its results revealed to everyone (unchanged if they already are).

    Allowed while the step runs or after it closed, in any mode.
    """
    vote = _vote_step(step, "il n'a pas de résultats à révéler")
    if vote.status == StepStatus.pending:
        raise WorkshopError(
            f"L'étape « {vote.title} » n'a pas encore été lancée : il n'y a pas encore de "
            "résultats à révéler."
        )
    if vote.results_revealed:
        return vote
    return vote.model_copy(update={"results_revealed": True})


def parse_visibility(value: ResultsVisibility | str) -> ResultsVisibility:
    """The visibility ``value`` names, or :class:`WorkshopError` with the three choices."""
    try:
        return ResultsVisibility(value)
    except ValueError:
        choices = ", ".join(f"« {label} »" for label in RESULTS_VISIBILITY_LABELS.values())
        shown = str(value)[:40]
        raise WorkshopError(
            f"Affichage des résultats inconnu : « {shown} ». Choisissez parmi {choices}."
        ) from None


def set_results_visibility(step: Step, visibility: ResultsVisibility | str) -> VoteStep:
    """The step with another visibility; allowed before it is launched and while it runs.

    Results already revealed stay revealed: participants have seen them.
    """
    chosen = parse_visibility(visibility)
    vote = _vote_step(step, "il n'a pas de résultats à masquer")
    if vote.status == StepStatus.closed:
        raise WorkshopError(
            f"L'étape « {vote.title} » est close : son affichage des résultats ne change "
            "plus. Révélez ses résultats pour les montrer."
        )
    return vote.model_copy(update={"results_visibility": chosen})
