"""Every tally method is explained, in French, in its docstring and in docs/tallies.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from workshops.tallies import (
    borda,
    borda_points,
    schulze,
    tally_brainstorm,
    tally_choice,
    tally_dot_vote,
    tally_rating,
)

DOC = Path(__file__).resolve().parent.parent / "docs" / "tallies.md"


@pytest.mark.parametrize(
    "function",
    [tally_dot_vote, borda, borda_points, schulze, tally_rating, tally_choice, tally_brainstorm],
)
def test_each_tally_function_states_its_method_in_french(function: object) -> None:
    assert "Méthode" in (function.__doc__ or "")


def test_the_tallies_document_has_a_section_per_step_kind_and_the_conventions() -> None:
    text = DOC.read_text(encoding="utf-8")
    for heading in ("## Vote à gommettes", "## Classement", "### Méthode de Borda",
                    "### Méthode de Schulze", "## Notation", "## Choix", "## Remue-méninges",
                    "## Écriture dans le modèle"):
        assert heading in text
    # The conventions a facilitator must be able to check are written down.
    assert "(m − 1)/2 points chacune" in text  # partial rankings under Borda
    assert "moyenne est supérieure ou égale au milieu de l'échelle" in text  # 2×2 split
    assert "Égalité à la k-ième place" in text  # write-back tie rule
