"""Qualitative evidence ("données chaudes"): what people said, filed and linked to stakes.

A quote is recorded once in the diagnostic (``diagnostic.quotes``: text, group,
workshop, theme). Linking it to a stake also adds it to the stake's evidence as a
:class:`~theory_of_change.model.QualitativeEvidence`, the type every export of stakes
already reads, so the two never disagree: :func:`link_quote` and :func:`unlink_quote`
change both at once. The brainstorm ideas of a workshop are filed in one call with
:func:`file_ideas`; they may come as plain texts, ``(text, group)`` or
``(text, group, workshop)`` tuples, dicts with ``text``, ``group``, ``workshop``,
``theme``, or any object with a ``text`` attribute (such as a workshop's idea) — no
dependency on the workshops package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from theory_of_change.model import Project, QualitativeEvidence

from .model import DiagnosticQuote
from .revision import revised

IdeaInput = str | tuple[Any, ...] | Mapping[str, Any] | Any


class EvidenceError(ValueError):
    """A quote that cannot be recorded or linked; the message is in French."""


@dataclass(frozen=True)
class FiledIdeas:
    """The project after filing ideas, and what was done."""

    project: Project
    added: list[str]
    skipped: int


def quote_evidence(quote: DiagnosticQuote) -> QualitativeEvidence:
    """The stake evidence a quote becomes when linked (workshop as its source)."""
    return QualitativeEvidence(
        quote=quote.quote, group=quote.group, source=quote.workshop, theme=quote.theme
    )


def add_quote(
    project: Project,
    quote: str,
    *,
    group: str | None = None,
    workshop: str | None = None,
    theme: str | None = None,
    stakes: Iterable[str] = (),
) -> Project:
    """A new project with the quote recorded (and linked to ``stakes``)."""
    record = _new_quote(project, quote, group, workshop, theme, taken=set())
    updated = _with_quotes(project, [*project.diagnostic.quotes, record])
    for stake_id in stakes:
        updated = link_quote(updated, record.id, stake_id)
    return updated


def link_quote(project: Project, quote_id: str, stake_id: str) -> Project:
    """A new project where the quote supports the stake (both sides recorded)."""
    quote = _quote(project, quote_id)
    stake = _stake(project, stake_id)
    evidence = quote_evidence(quote)
    quotes = [
        q.model_copy(update={"stakes": [*q.stakes, stake_id]})
        if q.id == quote_id and stake_id not in q.stakes
        else q
        for q in project.diagnostic.quotes
    ]
    new_evidence = stake.evidence if evidence in stake.evidence else [*stake.evidence, evidence]
    return _with(project, quotes, {stake_id: new_evidence})


def unlink_quote(project: Project, quote_id: str, stake_id: str) -> Project:
    """A new project where the quote no longer supports the stake."""
    quote = _quote(project, quote_id)
    stake = _stake(project, stake_id)
    evidence = quote_evidence(quote)
    remaining = list(stake.evidence)
    if evidence in remaining:
        remaining.remove(evidence)
    quotes = [
        q.model_copy(update={"stakes": [s for s in q.stakes if s != stake_id]})
        if q.id == quote_id
        else q
        for q in project.diagnostic.quotes
    ]
    return _with(project, quotes, {stake_id: remaining})


def remove_quote(project: Project, quote_id: str) -> Project:
    """A new project without the quote, unlinked from every stake first."""
    quote = _quote(project, quote_id)
    for stake_id in list(quote.stakes):
        project = unlink_quote(project, quote_id, stake_id)
    return _with_quotes(project, [q for q in project.diagnostic.quotes if q.id != quote_id])


def quotes_for_stake(project: Project, stake_id: str) -> list[DiagnosticQuote]:
    """The diagnostic's quotes linked to a stake."""
    return [quote for quote in project.diagnostic.quotes if stake_id in quote.stakes]


def file_ideas(
    project: Project,
    ideas: Iterable[IdeaInput],
    *,
    workshop: str | None = None,
    theme: str | None = None,
) -> FiledIdeas:
    """File a workshop's brainstorm ideas as quotes, in one call.

    ``workshop`` and ``theme`` apply to ideas that do not say theirs. An idea already
    filed (same text, group and workshop) is skipped, so filing twice adds nothing.
    """
    existing = {(q.quote, q.group, q.workshop) for q in project.diagnostic.quotes}
    taken = {q.id for q in project.diagnostic.quotes}
    quotes = list(project.diagnostic.quotes)
    added: list[str] = []
    skipped = 0
    for position, idea in enumerate(ideas, start=1):
        text, group, idea_workshop, idea_theme = _idea_fields(idea, position)
        record = _new_quote(
            project, text, group, idea_workshop or workshop, idea_theme or theme, taken
        )
        key = (record.quote, record.group, record.workshop)
        if key in existing:
            skipped += 1
            continue
        existing.add(key)
        taken.add(record.id)
        quotes.append(record)
        added.append(record.id)
    if not added:
        return FiledIdeas(project, [], skipped)
    return FiledIdeas(_with_quotes(project, quotes), added, skipped)


# Helpers ---------------------------------------------------------------------------------


def _idea_fields(idea: IdeaInput, position: int) -> tuple[str, str | None, str | None, str | None]:
    if isinstance(idea, str):
        return idea, None, None, None
    if isinstance(idea, Mapping):
        text = idea.get("text", idea.get("quote"))
        return (
            _text_or_error(text, position),
            idea.get("group"),
            idea.get("workshop"),
            idea.get("theme"),
        )
    if isinstance(idea, tuple) and 1 <= len(idea) <= 4:
        padded = (*idea, None, None, None)
        return _text_or_error(padded[0], position), padded[1], padded[2], padded[3]
    if isinstance(getattr(idea, "text", None), str):
        # An object such as a workshop's idea: its text, and a group if it knows one.
        return (
            idea.text,  # type: ignore[attr-defined]
            getattr(idea, "group", None),
            getattr(idea, "workshop", None),
            getattr(idea, "theme", None),
        )
    raise EvidenceError(
        f"idée n° {position} : format non reconnu (texte, (texte, collège), "
        "(texte, collège, atelier) ou dictionnaire attendu)"
    )


def _text_or_error(text: Any, position: int) -> str:
    if not isinstance(text, str):
        raise EvidenceError(f"idée n° {position} : le texte de l'idée manque")
    return text


def _new_quote(
    project: Project,
    text: str,
    group: str | None,
    workshop: str | None,
    theme: str | None,
    taken: set[str],
) -> DiagnosticQuote:
    if not text or not text.strip():
        raise EvidenceError("la citation est vide")
    if theme is not None and theme not in {t.id for t in project.themes}:
        raise EvidenceError(f"le thème « {theme} » n'existe pas dans le projet")
    used = taken | {q.id for q in project.diagnostic.quotes}
    number = len(used) + 1
    while f"citation-{number}" in used:
        number += 1
    try:
        return DiagnosticQuote(
            id=f"citation-{number}",
            quote=text,
            group=_clean(group),
            workshop=_clean(workshop),
            theme=theme,
        )
    except ValueError as error:
        raise EvidenceError(f"citation refusée : {error}") from error


def _clean(text: object) -> str | None:
    return str(text).strip() or None if text else None


def _quote(project: Project, quote_id: str) -> DiagnosticQuote:
    for quote in project.diagnostic.quotes:
        if quote.id == quote_id:
            return quote
    raise EvidenceError(f"la citation « {quote_id} » n'existe pas dans le diagnostic")


def _stake(project: Project, stake_id: str) -> Any:
    try:
        return project.stake(stake_id)
    except KeyError:
        raise EvidenceError(f"l'enjeu « {stake_id} » n'existe pas dans le projet") from None


def _with_quotes(project: Project, quotes: list[DiagnosticQuote]) -> Project:
    diagnostic = project.diagnostic.model_copy(update={"quotes": quotes})
    return revised(project, diagnostic=diagnostic)


def _with(
    project: Project, quotes: list[DiagnosticQuote], evidence: dict[str, list[Any]]
) -> Project:
    stakes = [
        stake.model_copy(update={"evidence": evidence[stake.id]}) if stake.id in evidence else stake
        for stake in project.stakes
    ]
    diagnostic = project.diagnostic.model_copy(update={"quotes": quotes})
    return revised(project, diagnostic=diagnostic, stakes=stakes)
