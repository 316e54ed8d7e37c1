"""Edit the parts of a project that exist once: the vision, evaluation, SPPE extra elements."""

from __future__ import annotations

import re
from typing import Any

from ..model import Evaluation, Project, SppeExtra, Vision
from .kinds import walk
from .validation import EditError, clean_fields, commit, dump

_HORIZON = re.compile(r"\b(?:en|d'ici|à l'horizon)\s+(\d{4})\b", re.IGNORECASE)


def set_vision(project: Project, *, text: str, horizon_year: int | str | None = None) -> Project:
    """Write the collective vision ("En 2037, territoire…").

    Without ``horizon_year``, the year the text opens with ("En 2037") is used, else the
    current vision's horizon; if there is none, :class:`EditError` asks for it.
    """
    if not isinstance(text, str) or not text.strip():
        raise EditError("Écrivez le texte de la vision.", "text")
    fields = clean_fields(Vision, {"text": text, "horizon_year": horizon_year}, "la vision")
    if fields["horizon_year"] is None:
        found = _HORIZON.search(text)
        if found:
            fields["horizon_year"] = int(found.group(1))
        elif project.vision is not None:
            fields["horizon_year"] = project.vision.horizon_year
        else:
            raise EditError(
                "Indiquez l'horizon de la vision (par exemple 2037), ou commencez le texte par "
                "« En 2037, … ».",
                "horizon_year",
            )
    data = dump(project)
    data["vision"] = fields
    return commit(data, ("vision",), Vision)


def set_evaluation(project: Project, **fields: Any) -> Project:
    """Change the evaluation arrangements of annexe 6 (follow-up, evaluations, reports)."""
    return _update_section(project, ("evaluation",), Evaluation, "l'évaluation", fields)


def set_sppe_extra(project: Project, **fields: Any) -> Project:
    """Change the extra elements of the SPPE sheet asked of authorities over 10 000 inhabitants."""
    return _update_section(
        project, ("sppe", "extra"), SppeExtra, "les éléments complémentaires SPPE", fields
    )


def _update_section(
    project: Project,
    path: tuple[str, ...],
    model: type[Evaluation] | type[SppeExtra],
    the: str,
    fields: dict[str, Any],
) -> Project:
    cleaned = clean_fields(model, fields, the)
    data = dump(project)
    walk(data, path).update(cleaned)
    return commit(data, path, model)
