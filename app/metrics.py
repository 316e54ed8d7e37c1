"""``GET /metrics``: this process's live counters in Prometheus's text format.

What a Caf or city IT department watches during a forum: connected websockets (by
audience) and phones per workshop, ballots and ideas acknowledged (ballots per second is
``rate(chemins_ballots_acknowledged_total[1m])``), messages received and errors sent,
the broadcaster's tick duration (a tick longer than ``BROADCAST_INTERVAL_MS`` means
results arrive late), connections with updates waiting, the group-commit writer's queue
and batch size, and the Redis bus. Each process answers for itself: with several
processes, Prometheus scrapes each one and sums (``docs/deploy.md``).

Nothing here is global: each app has its own ``CollectorRegistry`` (several apps live in
one test process), whose one collector reads the app's :class:`~app.live.stats.LiveStats`,
broadcaster and writer when scraped.

Who may read it: the machine itself (127.0.0.1 or ::1, with no proxy header — nginx adds
one, and ``deploy/nginx/chemins.conf`` refuses ``/metrics`` anyway), or anyone sending the
``METRICS_TOKEN`` setting as ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from app.extensions import database, live
from app.live.connection import Audience
from app.live.stats import TICK_BUCKETS_S

bp = Blueprint("metrics", __name__)

REGISTRY_KEY = "chemins.metrics"
AUDIENCES: tuple[Audience, ...] = ("phone", "projector", "facilitator")
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")
REFUSED = (
    "Accès refusé : /metrics ne répond qu'à la machine elle-même, ou avec le jeton du "
    "réglage CHEMINS_METRICS_TOKEN dans l'en-tête « Authorization: Bearer <jeton> ».\n"
)


class LiveCollector:
    """Reads one app's live state when Prometheus scrapes; see the module docstring."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def describe(self) -> list[Metric]:
        """Nothing to declare in advance (the registry must not call :meth:`collect` early)."""
        return []

    def collect(self) -> Iterator[Metric]:
        """Every metric, read now."""
        hub = live.broadcaster(self.app)
        stats = hub.stats.snapshot()

        in_rooms = dict.fromkeys(AUDIENCES, 0)
        phones = GaugeMetricFamily(
            "chemins_phones", "Téléphones connectés à ce processus, par atelier.",
            labels=["workshop"],
        )
        for room in sorted(list(hub.rooms.values()), key=lambda room: room.workshop_id):
            for audience in AUDIENCES:
                in_rooms[audience] += room.count(audience)
            count = room.count("phone")
            if count:
                phones.add_metric([str(room.workshop_id)], count)
        websockets = GaugeMetricFamily(
            "chemins_websockets",
            "Connexions websocket ouvertes sur ce processus, par public (none : pas encore "
            "entrée dans un atelier).",
            labels=["audience"],
        )
        for audience in AUDIENCES:
            websockets.add_metric([audience], in_rooms[audience])
        websockets.add_metric(["none"], max(0, hub.open_connections - sum(in_rooms.values())))
        yield websockets
        yield phones

        yield _counter("chemins_ballots_acknowledged",
                       "Bulletins enregistrés et acquittés (hors renvois).",
                       stats.ballots_acknowledged)
        yield _counter("chemins_ideas_posted", "Idées enregistrées et acquittées (hors renvois).",
                       stats.ideas_posted)
        yield _labelled_counter("chemins_messages_received",
                                "Messages websocket reçus, par type (invalid : illisible).",
                                "type", stats.messages_received)
        yield _labelled_counter("chemins_errors_sent", "Messages « error » envoyés, par code.",
                                "code", stats.errors_sent)
        yield _counter("chemins_broadcast_updates_sent",
                       "Mises à jour diffusées remises aux connexions.", stats.updates_sent)

        cumulative, buckets = 0, []
        for bound, count in zip(TICK_BUCKETS_S, stats.tick_buckets, strict=False):
            cumulative += count
            buckets.append((repr(bound), cumulative))
        buckets.append(("+Inf", stats.ticks))
        yield HistogramMetricFamily(
            "chemins_tick_duration_seconds",
            "Durée d'une diffusion (calcul des résultats et envoi à toutes les connexions).",
            buckets=buckets, sum_value=stats.tick_seconds_total,
        )
        yield GaugeMetricFamily("chemins_last_tick_duration_seconds",
                                "Durée de la dernière diffusion.", value=stats.last_tick_s)
        yield GaugeMetricFamily(
            "chemins_send_backlog_connections",
            "Connexions dont des mises à jour attendent que l'écran lise (wifi faible, veille).",
            value=hub.backlogged,
        )

        writer = database.store(self.app).writer
        yield GaugeMetricFamily("chemins_writer_queue_length",
                                "Écritures en attente de l'enregistrement groupé.",
                                value=writer.queue_length)
        yield GaugeMetricFamily("chemins_writer_last_batch_size",
                                "Écritures de la dernière transaction groupée.",
                                value=writer.stats.last_batch)
        yield _counter("chemins_writer_batches", "Transactions groupées enregistrées.",
                       writer.stats.batches)
        yield _counter("chemins_writer_jobs", "Écritures enregistrées par les transactions "
                       "groupées.", writer.stats.jobs)

        yield _counter("chemins_bus_messages_published",
                       "Messages publiés sur le bus Redis.", stats.bus_published)
        yield _counter("chemins_bus_messages_received",
                       "Messages des autres processus reçus du bus Redis.", stats.bus_received)
        if hub.bus is not None:
            yield GaugeMetricFamily("chemins_bus_up",
                                    "1 si le bus de messages Redis répond, 0 sinon.",
                                    value=1 if hub.bus.check() else 0)


def _counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, value=value)


def _labelled_counter(
    name: str, documentation: str, label: str, values: dict[str, int]
) -> CounterMetricFamily:
    family = CounterMetricFamily(name, documentation, labels=[label])
    for key in sorted(values):
        family.add_metric([key], values[key])
    return family


@bp.record_once
def _create_registry(state: BlueprintSetupState) -> None:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LiveCollector(state.app))
    state.app.extensions[REGISTRY_KEY] = registry


def allowed() -> bool:
    """Whether this request may read the metrics (see the module docstring)."""
    token = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer "):
        if hmac.compare_digest(given.removeprefix("Bearer ").strip().encode(), token.encode()):
            return True
    if any(header in request.headers for header in PROXY_HEADERS):
        return False  # came through a proxy: the address below is the proxy's
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


@bp.get("/metrics")
def metrics() -> Response:
    """The counters in Prometheus's text format; 403 in French for whoever may not."""
    if not allowed():
        response = Response(REFUSED, status=403, mimetype="text/plain")
    else:
        registry = current_app.extensions[REGISTRY_KEY]
        response = Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
