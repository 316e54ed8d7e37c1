"""Qualitative evidence: quotes filed in the diagnostic and linked to stakes on both sides."""

from __future__ import annotations

import pytest
from factories import make_idea, make_project
from pydantic import ValidationError

from theory_of_change.diagnostic.evidence import (
    EvidenceError,
    add_quote,
    file_ideas,
    link_quote,
    quotes_for_stake,
    remove_quote,
    unlink_quote,
)
from theory_of_change.model import Project, QualitativeEvidence

IDEAS = [
    ("Pas de place en crèche pour les horaires décalés", "habitants"),
    ("Les assistantes maternelles partent à la retraite", "professionnels", "Atelier élus"),
    {"text": "Un guichet unique pour les familles", "group": "élus", "theme": "parentalite"},
    "Des navettes vers les crèches",
]


def test_brainstorm_ideas_are_filed_as_quotes_in_one_call() -> None:
    project = make_project()
    filed = file_ideas(project, IDEAS, workshop="Atelier petite enfance", theme="petite-enfance")
    assert filed.added == ["citation-1", "citation-2", "citation-3", "citation-4"]
    quotes = filed.project.diagnostic.quotes
    assert [(q.group, q.workshop, q.theme) for q in quotes] == [
        ("habitants", "Atelier petite enfance", "petite-enfance"),
        ("professionnels", "Atelier élus", "petite-enfance"),
        ("élus", "Atelier petite enfance", "parentalite"),
        (None, "Atelier petite enfance", "petite-enfance"),
    ]
    assert quotes[0].quote == "Pas de place en crèche pour les horaires décalés"
    assert project.diagnostic.quotes == []  # the given project is never changed


def test_objects_with_a_text_such_as_workshop_ideas_are_filed_too() -> None:
    idea = make_idea()
    filed = file_ideas(make_project(), [idea], workshop="Atelier vision")
    assert [(q.quote, q.workshop) for q in filed.project.diagnostic.quotes] == [
        (idea.text, "Atelier vision")
    ]


def test_filing_the_same_ideas_twice_adds_nothing() -> None:
    once = file_ideas(make_project(), IDEAS, workshop="Atelier 1").project
    twice = file_ideas(once, IDEAS, workshop="Atelier 1")
    assert twice.added == []
    assert twice.skipped == len(IDEAS)
    assert twice.project is once


def test_an_idea_without_text_or_an_unknown_theme_is_refused_in_french() -> None:
    with pytest.raises(EvidenceError, match="idée n° 2 : le texte de l'idée manque"):
        file_ideas(make_project(), ["Une idée", {"group": "habitants"}])
    with pytest.raises(EvidenceError, match="le thème « mobilite » n'existe pas"):
        file_ideas(make_project(), ["Une idée"], theme="mobilite")
    with pytest.raises(EvidenceError, match="la citation est vide"):
        add_quote(make_project(), "   ")


def test_linking_a_quote_adds_it_to_the_stake_evidence_and_unlinking_removes_both() -> None:
    project = add_quote(
        make_project(), "Il manque des places", group="habitants", workshop="Atelier 1"
    )
    linked = link_quote(project, "citation-1", "enjeu-accueil")
    assert linked.diagnostic.quotes[0].stakes == ["enjeu-accueil"]
    assert linked.stake("enjeu-accueil").evidence == [
        QualitativeEvidence(quote="Il manque des places", group="habitants", source="Atelier 1")
    ]
    assert [q.id for q in quotes_for_stake(linked, "enjeu-accueil")] == ["citation-1"]
    again = link_quote(linked, "citation-1", "enjeu-accueil")
    assert len(again.stake("enjeu-accueil").evidence) == 1
    unlinked = unlink_quote(again, "citation-1", "enjeu-accueil")
    assert unlinked.diagnostic.quotes[0].stakes == []
    assert unlinked.stake("enjeu-accueil").evidence == []


def test_removing_a_quote_unlinks_it_first() -> None:
    project = add_quote(make_project(), "Il manque des places", stakes=["enjeu-accueil"])
    removed = remove_quote(project, "citation-1")
    assert removed.diagnostic.quotes == []
    assert removed.stake("enjeu-accueil").evidence == []


def test_unknown_quote_or_stake_ids_are_refused_in_french() -> None:
    project = add_quote(make_project(), "Il manque des places")
    with pytest.raises(EvidenceError, match="l'enjeu « enjeu-inconnu » n'existe pas"):
        link_quote(project, "citation-1", "enjeu-inconnu")
    with pytest.raises(EvidenceError, match="la citation « citation-9 » n'existe pas"):
        link_quote(project, "citation-9", "enjeu-accueil")


def test_a_project_file_linking_a_quote_to_an_unknown_stake_does_not_validate() -> None:
    data = make_project().model_dump()
    data["diagnostic"]["quotes"] = [
        {"id": "citation-1", "quote": "Il manque des places", "stakes": ["enjeu-disparu"]}
    ]
    with pytest.raises(ValidationError, match="l'enjeu « enjeu-disparu » n'existe pas"):
        Project.model_validate(data)
