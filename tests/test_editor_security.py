"""The editor's pages under the Content-Security-Policy: no inline style or script, nothing
from another server, and hostile text shown as text — in the forms and in the diagram."""

from __future__ import annotations

from typing import Any

from editor_helpers import EDITOR, get_page, open_project, project_url, stored_project, submit
from factories import make_project, make_stake
from pages_helpers import parse

HOSTILE = "<img src=x onerror=\"alert('enjeu')\"> & « guillemets »"
URL_ATTRIBUTES = ("src", "href", "action", "poster", "data", "srcset", "formaction")


def _pages(project_id: int) -> list[str]:
    pages = ["", "enjeux", "vision", "changements", "marqueurs", "actions", "axes",
             "territoire", "sppe", "pilotage", "evaluation", "projection",
             "enjeux/enjeu-hostile", "changements/chg-enfance", "actions/act-jeunesse/fiche",
             "enjeux/enjeu-hostile/supprimer"]
    return [project_url(project_id, *([page] if page else []))
            + "?couches=marqueurs&couches=actions" for page in pages]


def test_no_editor_page_has_inline_style_script_or_handler_nor_foreign_url(
    app: Any, client: Any
) -> None:
    base = make_project()
    project = make_project(stakes=[*base.stakes, make_stake(id="enjeu-hostile", title=HOSTILE)])
    project_id = open_project(app, client, project)
    urls = [*_pages(project_id), f"{EDITOR}/", f"{EDITOR}/nouveau", f"{EDITOR}/importer"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "default-src 'self'" in response.headers["Content-Security-Policy"], url
        html = response.get_data(as_text=True)
        assert html.startswith('<!doctype html>\n<html lang="fr">'), url
        for tag, attributes in parse(html).tags:
            assert "style" not in attributes, (url, tag)
            assert not any(name.startswith("on") for name in attributes), (url, tag, attributes)
            assert tag not in ("style", "foreignobject"), (url, tag)
            if tag == "script":
                assert attributes.get("src"), url
            for name in (*URL_ATTRIBUTES, "xlink:href"):
                value = (attributes.get(name) or "").strip()
                assert not value.startswith(("http:", "https:", "//", "javascript:")), (
                    url, tag, value)


def test_hostile_text_shows_as_text_in_the_form_the_lists_and_the_diagram(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    submit(client, project_url(project_id, "enjeux"), project_url(project_id, "enjeux", "ajouter"),
           {"enjeux-title": HOSTILE})
    stake = stored_project(app, project_id).stakes[-1]
    assert stake.title == HOSTILE
    for path in (project_url(project_id, "enjeux"),
                 project_url(project_id, "enjeux", stake.id)):
        html = get_page(client, path)
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=" in html
    svg = client.get(project_url(project_id, "schema.svg")).get_data(as_text=True)
    assert "<img" not in svg and "&lt;img src=x onerror=" in svg
