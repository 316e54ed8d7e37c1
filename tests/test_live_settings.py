"""Settings: declared once, read from the environment, documented in docs/settings.md."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from app.settings import SETTINGS, SettingError, load_settings, render_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def test_docs_settings_md_is_generated_from_the_declared_settings() -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/settings.md n'est plus à jour : python -m app.settings > docs/settings.md"
    )


def test_every_setting_has_a_french_help_and_a_unique_name() -> None:
    names = [setting.name for setting in SETTINGS]
    assert len(names) == len(set(names))
    for setting in SETTINGS:
        assert len(setting.help) > 20, setting.name
        assert f"`{setting.env_name}`" in render_markdown()


def test_a_setting_comes_from_the_test_config_then_the_environment_then_its_default() -> None:
    environ = {"CHEMINS_MAX_CONNECTIONS": "300", "CHEMINS_PORT": "9000",
               "DATABASE_URL": "postgresql://chemins@db/chemins"}
    values = load_settings({"PORT": 8123}, environ)
    assert values["PORT"] == 8123
    assert values["MAX_CONNECTIONS"] == 300
    assert values["DATABASE_URL"] == "postgresql://chemins@db/chemins"
    assert values["BROADCAST_INTERVAL_MS"] == 100


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"CHEMINS_MAX_CONNECTIONS": "beaucoup"},
         "CHEMINS_MAX_CONNECTIONS : « beaucoup » n'est pas un(e) nombre entier."),
        ({"CHEMINS_BROADCAST_INTERVAL_MS": "1"},
         "CHEMINS_BROADCAST_INTERVAL_MS : 1 est trop petit (10 au moins)."),
        ({"CHEMINS_DEMO": "peut-être"}, "CHEMINS_DEMO : « peut-être » n'est pas un(e) oui/non."),
        ({"CHEMINS_SERVER_WORKER": "eventlet"},
         "CHEMINS_SERVER_WORKER : « eventlet » n'est pas un(e) `gevent` ou `gthread`."),
    ],
)
def test_a_bad_environment_value_is_explained_in_french(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingError) as caught:
        load_settings(None, environ)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("worker", "threads"),
    [("gevent", None), ("gthread", 2_000 + 32)],
)
def test_the_gunicorn_configuration_makes_room_for_every_connection_with_the_chosen_worker(
    monkeypatch: pytest.MonkeyPatch, worker: str, threads: int | None
) -> None:
    monkeypatch.setenv("CHEMINS_SERVER_WORKER", worker)
    monkeypatch.setenv("CHEMINS_MAX_CONNECTIONS", "2000")
    import app.gunicorn_conf as conf

    conf = importlib.reload(conf)
    assert (conf.worker_class, conf.workers) == (worker, 1)
    assert getattr(conf, "threads", None) == threads
    # Beyond MAX_CONNECTIONS the app must still have room to refuse politely.
    assert conf.worker_connections >= 2_000 + 32
