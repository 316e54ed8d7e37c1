"""A stake's evidence: figures and quotes added, edited and removed by position."""

from __future__ import annotations

from typing import Any

import pytest
from factories import make_project, make_stake, revalidated

from theory_of_change import editing
from theory_of_change.editing import EditError
from theory_of_change.model import QualitativeEvidence, QuantitativeEvidence


def refused(operation: Any, *args: Any, **kwargs: Any) -> EditError:
    """The EditError the operation raises (the test fails if it raises none)."""
    with pytest.raises(EditError) as caught:
        operation(*args, **kwargs)
    return caught.value


def _with_evidence() -> Any:
    project = editing.add_evidence(
        make_project(), "enjeu-accueil", kind="quantitative",
        indicator="taux de couverture (%)", territory="Alpha", value="41", reference="76,2",
        reference_territory="Loire-Atlantique", year="2023", source="Portrait Caf",
    )
    return editing.add_evidence(
        project, "enjeu-accueil", kind="qualitative", quote="On fait vingt minutes de route.",
        group="habitants", theme="petite-enfance",
    )


def test_figures_typed_the_french_way_are_stored_as_numbers_and_quotes_as_said() -> None:
    project = _with_evidence()
    figure, quote = project.stake("enjeu-accueil").evidence
    assert figure == QuantitativeEvidence(
        indicator="taux de couverture (%)", territory="Alpha", value=41, reference=76.2,
        reference_territory="Loire-Atlantique", year=2023, source="Portrait Caf",
    )
    assert quote == QualitativeEvidence(
        quote="On fait vingt minutes de route.", group="habitants", theme="petite-enfance"
    )
    assert revalidated(project) == project


def test_an_unknown_figure_stays_empty_never_zero() -> None:
    project = editing.add_evidence(make_project(), "enjeu-accueil", kind="quantitative",
                                   indicator="places", value="XXX", reference="")
    figure = project.stake("enjeu-accueil").evidence[-1]
    assert (figure.value, figure.reference) == (None, None)


def test_editing_a_piece_of_evidence_changes_only_it_and_keeps_its_kind() -> None:
    project = _with_evidence()
    new = editing.update_evidence(project, "enjeu-accueil", 0, value="45,5", year="")
    figure, quote = new.stake("enjeu-accueil").evidence
    assert (figure.value, figure.year, figure.territory) == (45.5, None, "Alpha")
    assert quote == project.stake("enjeu-accueil").evidence[1]
    error = refused(editing.update_evidence, project, "enjeu-accueil", 1, kind="quantitative")
    assert error.field == "kind"


def test_removing_a_piece_of_evidence_keeps_the_others_in_order() -> None:
    new = editing.delete_evidence(_with_evidence(), "enjeu-accueil", 0)
    assert [e.kind for e in new.stake("enjeu-accueil").evidence] == ["qualitative"]


@pytest.mark.parametrize(
    ("kind", "fields", "field", "message"),
    [
        ("quantitative", {"indicator": " "}, "indicator",
         "Écrivez l'indicateur, par exemple « taux de couverture petite enfance (%) »."),
        ("qualitative", {"quote": ""}, "quote", "Écrivez la parole recueillie."),
        ("qualitative", {"quote": "Dit", "theme": "inconnue"}, "theme",
         "La thématique « inconnue » n'existe pas dans le projet."),
        ("quantitative", {"indicator": "places", "year": "l'an dernier"}, "year", None),
        ("opinion", {"quote": "Dit"}, "kind", None),
    ],
)
def test_wrong_evidence_is_refused_naming_the_field(
    kind: str, fields: dict[str, Any], field: str, message: str | None
) -> None:
    error = refused(editing.add_evidence, make_project(), "enjeu-accueil", kind=kind, **fields)
    assert error.field == field
    if message is not None:
        assert error.message == message


def test_evidence_of_an_unknown_stake_or_position_is_refused_in_french() -> None:
    project = make_project(stakes=[make_stake(evidence=[])] + make_project().stakes[1:])
    unknown = refused(editing.add_evidence, project, "enjeu-absent", kind="qualitative",
                      quote="Dit")
    assert unknown.message == "L'enjeu « enjeu-absent » n'existe pas dans le projet."
    missing = refused(editing.delete_evidence, project, "enjeu-accueil", 0)
    assert missing.message == (
        "La donnée n° 1 de l'enjeu « Renforcer l'offre d'accueil du jeune enfant » n'existe pas "
        "(il en a 0)."
    )
