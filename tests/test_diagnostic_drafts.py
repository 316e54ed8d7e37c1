"""Draft stakes from the tensions: proposed with their evidence, accepted, edited or dropped."""

from __future__ import annotations

import pytest
from factories import make_diagnostic_project

from theory_of_change.diagnostic.drafts import (
    DraftError,
    accept_draft,
    drop_draft,
    edit_draft,
    propose_draft_stakes,
    restore_drafts,
)
from theory_of_change.model import QuantitativeEvidence

INSUFFICIENT = "enjeu-offre-accueil-insuffisante"
RETIREMENTS = "enjeu-retraite-assistantes-maternelles"


def _draft(project, draft_id):  # type: ignore[no-untyped-def]
    return next(d for d in propose_draft_stakes(project) if d.id == draft_id)


def test_tensions_of_one_kind_make_one_draft_stake_with_its_evidence() -> None:
    project = make_diagnostic_project()
    drafts = {draft.id: draft for draft in propose_draft_stakes(project)}
    assert list(drafts) == [
        INSUFFICIENT,
        RETIREMENTS,
        "enjeu-hausse-jeunes-enfants",
        "enjeu-baisse-jeunes-enfants",
        "enjeu-accueil-parents-actifs",
    ]
    insufficient = drafts[INSUFFICIENT]
    assert insufficient.theme == "petite-enfance"
    assert insufficient.title.startswith(
        "Renforcer l'offre d'accueil du jeune enfant là où elle est insuffisante"
    )
    assert {"Les Moutiers-en-Retz", "La Plaine-sur-Mer"} <= set(insufficient.communes)
    moutiers = next(e for e in insufficient.evidence if e.territory == "Les Moutiers-en-Retz")
    assert moutiers == QuantitativeEvidence(
        indicator="Taux de couverture petite enfance",
        territory="Les Moutiers-en-Retz",
        value=41,
        reference=76,
        reference_territory="Loire-Atlantique",
        source="portrait-pornic-petite-enfance.csv",
    )
    # One evidence per commune and figure, even when two rules fired on it.
    assert len(insufficient.evidence) == len(insufficient.communes)
    assert "Les Moutiers-en-Retz : taux de couverture" in (insufficient.description or "")
    assert drafts[RETIREMENTS].title == (
        "Anticiper les départs en retraite des assistantes maternelles "
        "(La Bernerie-en-Retz, Pornic, Saint-Michel-Chef-Chef)"
    )


def test_accepting_a_draft_returns_a_new_project_with_the_stake_and_its_evidence() -> None:
    project = make_diagnostic_project()
    draft = _draft(project, RETIREMENTS)
    accepted = accept_draft(project, draft)
    stake = accepted.stake(RETIREMENTS)
    assert (stake.title, stake.theme, stake.retained) == (draft.title, "petite-enfance", True)
    assert [e.territory for e in stake.evidence] == [
        "La Bernerie-en-Retz",
        "Pornic",
        "Saint-Michel-Chef-Chef",
    ]
    assert RETIREMENTS not in {s.id for s in project.stakes}
    assert RETIREMENTS not in {d.id for d in propose_draft_stakes(accepted)}


def test_an_edited_draft_is_accepted_as_edited() -> None:
    project = make_diagnostic_project()
    draft = edit_draft(
        _draft(project, INSUFFICIENT),
        title="Renforcer l'offre d'accueil du jeune enfant dans le sud du territoire",
    )
    stake = accept_draft(project, draft).stake(INSUFFICIENT)
    assert stake.title == "Renforcer l'offre d'accueil du jeune enfant dans le sud du territoire"
    assert len(stake.evidence) == len(draft.evidence)
    with pytest.raises(DraftError, match="enjeu proposé refusé"):
        edit_draft(draft, title="  ")


def test_a_dropped_draft_is_no_longer_proposed_until_restored() -> None:
    project = make_diagnostic_project()
    dropped = drop_draft(project, RETIREMENTS)
    assert RETIREMENTS not in {d.id for d in propose_draft_stakes(dropped)}
    assert dropped.diagnostic.dismissed_drafts == [RETIREMENTS]
    assert project.diagnostic.dismissed_drafts == []
    restored = restore_drafts(dropped)
    assert RETIREMENTS in {d.id for d in propose_draft_stakes(restored)}


def test_a_draft_whose_id_is_taken_gets_a_free_id() -> None:
    project = make_diagnostic_project()
    draft = edit_draft(_draft(project, INSUFFICIENT), title="Une autre formulation")
    taken = draft.model_copy(update={"id": "enjeu-accueil"})  # make_project's stake
    accepted = accept_draft(project, taken)
    assert accepted.stake("enjeu-accueil-2").title == "Une autre formulation"


def test_a_draft_with_a_theme_the_project_lacks_is_refused_and_its_theme_can_be_cleared() -> None:
    project = make_diagnostic_project()
    draft = edit_draft(_draft(project, INSUFFICIENT), theme="mobilite")
    with pytest.raises(DraftError, match="le thème « mobilite » n'existe pas dans le projet"):
        accept_draft(project, draft)
    cleared = edit_draft(draft, clear_theme=True)
    assert accept_draft(project, cleared).stake(INSUFFICIENT).theme is None
