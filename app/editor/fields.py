"""Form fields of the editor that WTForms lacks: lists typed one per line, calendar steps,
and links chosen with the hypothesis each rests on.

Each field turns what a form sends into model data and back, so that a refused form
shows exactly what was typed, and a saved one keeps the order the project already had.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from wtforms import Field, TextAreaField
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from app.console_forms import lines

FORGED_CHOICE = lazy_gettext("Un élément choisi n'existe pas (ou plus) : rechargez la page.")


def keep_order(chosen: Sequence[str], previous: Iterable[str]) -> list[str]:
    """The ``chosen`` values, those already in ``previous`` first and in its order.

    Checkboxes come back in the page's order; keeping the stored order for what did not
    change keeps the history free of mere reorderings.
    """
    wanted = list(dict.fromkeys(chosen))
    kept = [value for value in previous if value in wanted]
    return kept + [value for value in wanted if value not in kept]


class LinesField(TextAreaField):
    """A list of short texts typed one per line (blank lines and repeats dropped)."""

    def process_data(self, value: Any) -> None:
        """Keep a list given by the model as it is."""
        self.data = list(value or [])

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Split the textarea into its non-empty lines."""
        self.data = lines(valuelist[0]) if valuelist else []

    def _value(self) -> str:
        return "\n".join(str(item) for item in self.data or [])


_STEP_LINE = re.compile(r"^(?P<period>[^:]{1,80}?)\s*:\s*(?P<text>.+)$")


class ScheduleField(TextAreaField):
    """The calendar of an action, one step per line: « 2026 : lancement du groupe »."""

    def process_data(self, value: Any) -> None:
        """Steps given by the model, as ``{"period", "text"}`` data."""
        self.data = [
            {"period": step.period, "text": step.text} if hasattr(step, "period") else dict(step)
            for step in value or []
        ]

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read one step per line; a line without « : » is refused with its number."""
        self.typed = valuelist[0] if valuelist else ""
        steps: list[dict[str, str]] = []
        for number, line in enumerate((self.typed or "").splitlines(), start=1):
            text = " ".join(line.split())
            if not text:
                continue
            found = _STEP_LINE.match(text)
            if found is None:
                raise ValueError(_(
                    "Ligne %(number)s : écrivez la période, deux-points, puis l'étape "
                    "(par exemple « 2026 : lancement du groupe de travail »).", number=number,
                ))
            steps.append({"period": found["period"].strip(), "text": found["text"].strip()})
        self.data = steps

    def _value(self) -> str:
        typed = getattr(self, "typed", None)
        if typed is not None:
            return str(typed)
        return "\n".join(f"{step['period']} : {step['text']}" for step in self.data or [])


class LinksField(Field):
    """Checkboxes choosing the nodes linked to, each with its hypothesis (« si… alors… »).

    The page shows one row per possible target: a checkbox named after the field and a
    text input ``<field>__<id>`` for the hypothesis. ``data`` is a list of
    ``(target id, hypothesis or None)`` in the order of ``choices``; what was typed next
    to an unchecked target is kept in ``hypotheses`` so a refused form loses nothing.
    """

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.choices: list[tuple[str, str]] = []
        self.hypotheses: dict[str, str] = {}

    def hypothesis_name(self, target: str) -> str:
        """The name of the hypothesis input of ``target``."""
        return f"{self.name}__{target}"

    def process(
        self, formdata: Any, data: Any = unset_value, extra_filters: Any = None
    ) -> None:
        """Read the checked targets and every hypothesis typed (or the model's links)."""
        self.process_errors = []
        if formdata is not None:
            chosen = list(dict.fromkeys(formdata.getlist(self.name)))
            self.raw_data = chosen
            prefix = f"{self.name}__"
            self.hypotheses = {
                key[len(prefix):]: " ".join(str(formdata.get(key, "")).split())
                for key in formdata
                if key.startswith(prefix)
            }
            self.data = [(target, self.hypotheses.get(target) or None) for target in chosen]
            return
        links = [] if data is unset_value or data is None else data
        self.data = [
            (link.to, link.hypothesis) if hasattr(link, "to") else tuple(link) for link in links
        ]
        self.hypotheses = {target: hypothesis or "" for target, hypothesis in self.data}

    def pre_validate(self, form: Any) -> None:
        """Refuse a target that is not among the choices (a forged or stale form)."""
        known = {value for value, _label in self.choices}
        if any(target not in known for target, _hypothesis in self.data):
            raise ValidationError(FORGED_CHOICE)

    def selected(self) -> set[str]:
        """The ids of the checked targets."""
        return {target for target, _hypothesis in self.data}

    def links(self, previous: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The links as model data, those already stored first (see :func:`keep_order`)."""
        hypotheses = dict(self.data)
        order = keep_order([target for target, _ in self.data], previous)
        return [{"to": target, "hypothesis": hypotheses[target]} for target in order]

    def comparable(self) -> list[tuple[str, str]]:
        """The links in a canonical form, to compare two versions of the form."""
        return sorted((target, hypothesis or "") for target, hypothesis in self.data)
