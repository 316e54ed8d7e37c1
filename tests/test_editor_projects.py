"""Projects: the list, creating one, importing a project file and exporting it back."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from editor_helpers import EDITOR, get_page, open_project, stored_project
from factories import make_project
from pages_helpers import csrf_token, field_error, parse

from theory_of_change.files import dumps_project, loads_project
from theory_of_change.model import default_themes

MALFORMED = Path(__file__).parent / "malformed"


def _post(client: Any, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data}, **kwargs)


def _project_count(app: Any) -> int:
    from app.extensions import database
    from workshops.store import list_projects

    with app.app_context(), database.read_session() as db:
        return len(list_projects(db))


def test_the_list_shows_each_project_with_its_territory_and_errors(app: Any, client: Any) -> None:
    open_project(app, client)
    text = " ".join(parse(get_page(client, f"{EDITOR}/")).text)
    assert "CTG du Test 2025-2029" in text
    assert "Communauté de communes du Test · convention 2025–2029" in text
    assert "aucune erreur" in text


def test_creating_a_project_makes_its_creator_owner_with_the_default_themes(
    app: Any, client: Any
) -> None:
    open_project(app, client)
    response = _post(client, f"{EDITOR}/nouveau", {
        "title": "CTG 2026-2030 du Pays de Retz", "territory_name": "CC du Pays de Retz",
        "territory_kind": "epci", "department": "Loire-Atlantique", "population": "38 000",
        "start_year": "2026", "end_year": "2030",
    })
    assert response.status_code == 302
    project_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    project = stored_project(app, project_id)
    assert project.id == "ctg-2026-2030-du-pays-de-retz"
    assert project.territory.population == 38000
    assert project.themes == default_themes()
    text = " ".join(parse(get_page(client, response.headers["Location"])).text)
    assert "Projet « CTG 2026-2030 du Pays de Retz » créé." in text


def test_a_refused_new_project_shows_french_errors_next_to_the_fields_keeping_the_input(
    app: Any, client: Any
) -> None:
    open_project(app, client)
    response = _post(client, f"{EDITOR}/nouveau", {
        "title": "", "territory_name": "CC du Pays de Retz", "territory_kind": "epci",
        "population": "beaucoup", "start_year": "2026", "end_year": "2025",
    })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "title") == "Donnez un titre au projet."
    assert field_error(html, "end_year") == "La dernière année précède la première."
    assert 'value="CC du Pays de Retz"' in html
    assert _project_count(app) == 1


def test_importing_a_valid_yaml_file_saves_the_project(app: Any, client: Any) -> None:
    open_project(app, client)
    project = make_project(id="ctg-importee", title="CTG importée")
    response = _post(client, f"{EDITOR}/importer", {
        "file": (io.BytesIO(dumps_project(project).encode()), "ctg-importee.yaml"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    project_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert stored_project(app, project_id) == project


def test_a_malformed_file_is_explained_line_by_line_and_nothing_is_saved(
    app: Any, client: Any
) -> None:
    open_project(app, client)
    response = _post(client, f"{EDITOR}/importer", {
        "file": (io.BytesIO((MALFORMED / "dangling_reference.yaml").read_bytes()),
                 "dangling_reference.yaml"),
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    text = " ".join(parse(response.get_data(as_text=True)).text)
    assert "« dangling_reference.yaml » n'a pas été importé" in text
    assert "Ligne 19" in text and "l'enjeu « enjeu-acceuil » n'existe pas dans le projet" in text
    assert "Ligne 22" in text
    assert _project_count(app) == 1


def test_a_file_that_is_not_a_project_file_is_refused_next_to_the_field(
    app: Any, client: Any
) -> None:
    open_project(app, client)
    response = _post(client, f"{EDITOR}/importer", {
        "file": (io.BytesIO(b"\x89PNG..."), "photo.png"),
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "file") == (
        "« photo.png » n'est pas un fichier de projet : choisissez un fichier .yaml, .yml "
        "ou .json."
    )


def test_importing_over_an_existing_project_needs_the_replace_box(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    renamed = make_project(title="CTG du Test, version importée")
    upload = dumps_project(renamed).encode()
    refused = _post(client, f"{EDITOR}/importer", {
        "file": (io.BytesIO(upload), "projet-test.yaml"),
    }, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "porte déjà l'identifiant « projet-test »" in (
        field_error(refused.get_data(as_text=True), "replace") or ""
    )
    assert stored_project(app, project_id).title == "CTG du Test 2025-2029"
    replaced = _post(client, f"{EDITOR}/importer", {
        "file": (io.BytesIO(upload), "projet-test.yaml"), "replace": "y",
    }, content_type="multipart/form-data")
    assert replaced.status_code == 302
    assert stored_project(app, project_id).title == "CTG du Test, version importée"


def test_exporting_gives_back_a_yaml_file_that_loads_to_the_same_project(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    response = client.get(f"{EDITOR}/{project_id}/projet.yaml")
    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="projet-test.yaml"'
    assert loads_project(response.get_data(as_text=True)) == stored_project(app, project_id)
