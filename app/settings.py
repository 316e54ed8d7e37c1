"""Settings, declared once as data: name, default, French help, type.

A setting is read from the ``test_config`` given to ``create_app``, else from the
environment variable ``CHEMINS_<NAME>`` (``DATABASE_URL`` is read as is, the name hosts
use), else its default. ``docs/settings.md`` is generated from :data:`SETTINGS`
(``python -m app.settings > docs/settings.md``); a test checks it is up to date.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

ENV_PREFIX = "CHEMINS_"


class SettingError(ValueError):
    """A setting whose value cannot be read; the message is French."""


def _integer(text: str) -> int:
    return int(text.strip())


def _text(text: str) -> str:
    return text


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "oui", "yes", "on"):
        return True
    if value in ("0", "false", "non", "no", "off", ""):
        return False
    raise ValueError(text)


WORKER_CLASSES = ("gevent", "gthread")
"""How ``chemins serve`` runs websockets: see the ``SERVER_WORKER`` setting."""


def _worker_class(text: str) -> str:
    value = text.strip().lower()
    if value not in WORKER_CLASSES:
        raise ValueError(text)
    return value


_TYPE_NAMES: dict[Callable[[str], Any], str] = {
    _integer: "nombre entier",
    _text: "texte",
    _flag: "oui/non",
    _worker_class: "`gevent` ou `gthread`",
}


@dataclass(frozen=True)
class Setting:
    """One setting: its name, its default value, what it does (French), its type."""

    name: str
    default: Any
    help: str
    type: Callable[[str], Any] = _text
    env: str | None = None
    minimum: int | None = None

    @property
    def env_name(self) -> str:
        """The environment variable it is read from."""
        return self.env or ENV_PREFIX + self.name

    def parse(self, raw: Any) -> Any:
        """The value of ``raw`` (text from the environment, or a Python value)."""
        if raw is None:
            return None
        if not isinstance(raw, str) or self.type is _text:
            value = raw
        else:
            try:
                value = self.type(raw)
            except ValueError:
                raise SettingError(
                    f"{self.env_name} : « {raw} » n'est pas un(e) {_TYPE_NAMES[self.type]}."
                ) from None
        if self.minimum is not None and isinstance(value, int) and value < self.minimum:
            raise SettingError(
                f"{self.env_name} : {value} est trop petit ({self.minimum} au moins)."
            )
        return value


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        None,
        "Base de données (URL SQLAlchemy, par exemple `postgresql+psycopg://…`). Vide : un "
        "fichier SQLite `chemins.sqlite3` dans le dossier d'instance.",
        env="DATABASE_URL",
    ),
    Setting(
        "REDIS_URL",
        None,
        "Bus de messages Redis partagé par plusieurs processus ou machines Chemins "
        "(`redis://127.0.0.1:6379/0`) : un vote reçu par l'un s'affiche sur les écrans "
        "connectés aux autres. Vide : un seul processus, sans Redis.",
        env="REDIS_URL",
    ),
    Setting(
        "REDIS_PREFIX",
        "chemins",
        "Préfixe des clés et du canal Redis : à changer pour que deux installations "
        "(essai et production, par exemple) partagent un même Redis sans se mélanger.",
    ),
    Setting(
        "METRICS_TOKEN",
        None,
        "Jeton qui ouvre `/metrics` (compteurs Prometheus) depuis une autre machine, dans "
        "l'en-tête `Authorization: Bearer <jeton>`. Vide : `/metrics` ne répond qu'à la "
        "machine elle-même (127.0.0.1 ou ::1, sans passer par nginx).",
    ),
    Setting(
        "INSTANCE_PATH",
        None,
        "Dossier d'instance : base SQLite, clé secrète. Vide : le dossier `instance/` à "
        "côté du code.",
    ),
    Setting(
        "SECRET_KEY",
        None,
        "Clé secrète qui signe les cookies de session. Vide : une clé aléatoire est créée "
        "une fois et gardée dans le dossier d'instance (fichier `secret_key`).",
    ),
    Setting(
        "HOST",
        "0.0.0.0",
        "Adresse d'écoute de `chemins serve` (`0.0.0.0` : toutes les interfaces, pour que "
        "les téléphones du réseau local se connectent).",
    ),
    Setting("PORT", 8000, "Port d'écoute de `chemins serve`.", _integer, minimum=1),
    Setting(
        "PUBLIC_URL",
        None,
        "Adresse publique du serveur (`https://atelier.exemple.fr`) pour le lien et le QR "
        "code des participants, derrière un proxy. Vide : l'adresse du réseau local.",
    ),
    Setting(
        "DEFAULT_LANGUAGE",
        "fr",
        "Langue des pages (`fr` ou `en`) pour un visiteur qui n'en a pas choisi avec le "
        "sélecteur de langue et dont le navigateur ne demande ni le français ni l'anglais.",
    ),
    Setting(
        "MAX_CONNECTIONS",
        2500,
        "Nombre maximal de connexions websocket simultanées (téléphones, vidéoprojecteurs, "
        "consoles). Au-delà, le serveur répond poliment « trop de connexions ». Le serveur "
        "réserve une place par connexion.",
        _integer,
        minimum=1,
    ),
    Setting(
        "HTTP_THREADS",
        32,
        "Connexions réservées aux pages web, en plus des connexions websocket.",
        _integer,
        minimum=1,
    ),
    Setting(
        "SERVER_WORKER",
        "gevent",
        "Comment `chemins serve` tient les connexions : `gevent` (une boucle d'évènements, "
        "des milliers de téléphones dans un processus) ou `gthread` (deux fils "
        "d'exécution par websocket, plus lourd au-delà de 1 000 téléphones).",
        _worker_class,
    ),
    Setting(
        "BROADCAST_INTERVAL_MS",
        100,
        "Intervalle de diffusion des résultats (millisecondes) : les votes reçus pendant "
        "un intervalle sont envoyés ensemble, une seule fois, à tous les écrans.",
        _integer,
        minimum=10,
    ),
    Setting(
        "PHONE_SENDS_PER_SECOND",
        5000,
        "Résultats envoyés aux téléphones par seconde, au plus, pour tout l'atelier "
        "pendant un vote. Tant que les téléphones sont moins nombreux que ce nombre "
        "multiplié par l'intervalle de diffusion (500 par défaut), chacun reçoit chaque "
        "résultat ; au-delà, chaque téléphone le reçoit moins souvent (au plus toutes les "
        "400 ms), pour garder le serveur libre d'enregistrer les votes, et le dernier "
        "résultat dès que les votes s'arrêtent. Le vidéoprojecteur et la console le "
        "reçoivent toujours à chaque intervalle. 0 : pas de limite.",
        _integer,
        minimum=0,
    ),
    Setting(
        "WS_SEND_QUEUE",
        50,
        "Mises à jour gardées pour un écran qui ne lit plus (téléphone en veille, wifi "
        "faible). Au-delà, elles sont abandonnées et l'écran reçoit « resync » dès qu'il "
        "lit à nouveau : il redemande l'état complet. Les autres écrans n'attendent "
        "jamais un écran lent.",
        _integer,
        minimum=1,
    ),
    Setting(
        "WS_SEND_BUFFER_KB",
        256,
        "Tampon d'envoi du système pour chaque connexion websocket (kilo-octets ; 0 : le "
        "choix du système, jusqu'à plusieurs mégaoctets). Un écran qui ne lit plus est "
        "repéré une fois ce tampon plein.",
        _integer,
        minimum=0,
    ),
    Setting(
        "WS_COMPRESSION",
        False,
        "Compression des messages websocket (permessage-deflate) quand le navigateur la "
        "propose. Désactivée par défaut : les messages sont petits (un résultat tient en "
        "moins d'un kilo-octet) et compresser chaque envoi pour chaque téléphone coûte au "
        "serveur son temps de calcul le plus lourd et ~300 Ko de mémoire par connexion. "
        "À activer pour un petit atelier derrière une connexion très lente.",
        _flag,
    ),
    Setting(
        "MAX_MESSAGE_CHARS",
        16_384,
        "Taille maximale d'un message websocket reçu (caractères).",
        _integer,
        minimum=256,
    ),
    Setting(
        "WS_PING_INTERVAL_S",
        25,
        "Intervalle des pings websocket (secondes) qui détectent les téléphones partis "
        "sans fermer la connexion.",
        _integer,
        minimum=1,
    ),
    Setting(
        "IDEA_RATE_COUNT",
        5,
        "Nombre maximal d'idées qu'un participant peut proposer pendant "
        "`IDEA_RATE_WINDOW_S` secondes.",
        _integer,
        minimum=1,
    ),
    Setting(
        "IDEA_RATE_WINDOW_S",
        10,
        "Fenêtre (secondes) de la limite d'idées par participant.",
        _integer,
        minimum=1,
    ),
    Setting(
        "LOGIN_LINK_TTL_MIN",
        720,
        "Durée de validité (minutes) du lien de connexion à usage unique affiché par "
        "`chemins serve`.",
        _integer,
        minimum=1,
    ),
    Setting(
        "DB_POOL_SIZE",
        20,
        "Connexions gardées ouvertes vers la base de données.",
        _integer,
        minimum=1,
    ),
    Setting(
        "DEMO",
        True,
        "`chemins serve` charge le projet de démonstration et prépare un atelier de "
        "démonstration s'ils n'existent pas.",
        _flag,
    ),
)

SETTINGS_BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}


def load_settings(
    test_config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The value of every setting: ``test_config``, else environment, else default.

    Raises :class:`SettingError` (French) for an environment value of the wrong type.
    """
    config = dict(test_config or {})
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.name in config:
            values[setting.name] = setting.parse(config[setting.name])
        elif environ.get(setting.env_name):
            values[setting.name] = setting.parse(environ[setting.env_name])
        else:
            values[setting.name] = setting.default
    return values


def render_markdown() -> str:
    """The text of ``docs/settings.md``."""
    lines = [
        "# Réglages",
        "",
        "Chaque réglage se lit dans la variable d'environnement indiquée, sinon prend sa "
        "valeur par défaut. Ce fichier est produit par `python -m app.settings` à partir de "
        "`app/settings.py` : ne le modifiez pas à la main.",
        "",
        "| variable d'environnement | défaut | type | rôle |",
        "|---|---|---|---|",
    ]
    for setting in SETTINGS:
        if setting.default is None:
            default = "—"
        elif isinstance(setting.default, bool):
            default = "oui" if setting.default else "non"
        else:
            default = f"`{setting.default}`"
        kind = _TYPE_NAMES[setting.type]
        lines.append(f"| `{setting.env_name}` | {default} | {kind} | {setting.help} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")
