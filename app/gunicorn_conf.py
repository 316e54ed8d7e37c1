"""gunicorn configuration of ``chemins serve`` (``gunicorn -c python:app.gunicorn_conf``).

One worker process, because the live broadcaster (rooms, ticker) lives in memory in the
process that holds the websockets. Each flask-sock websocket holds its handler for its
whole life, so the worker has room for ``MAX_CONNECTIONS`` websockets plus
``HTTP_THREADS`` page requests; above ``MAX_CONNECTIONS`` the app refuses a websocket
with a French message while room for pages is still free, instead of leaving it hanging.

``SERVER_WORKER`` chooses how that room is made. ``gevent`` (the default): greenlets on
one event loop, a few kilobytes each — thousands of phones in one process. ``gthread``:
two operating-system threads per websocket (gunicorn's and simple-websocket's reader),
which contend for Python's global lock beyond about a thousand phones; kept for hosts
where gevent's monkey-patching is not wanted.
"""

from __future__ import annotations

from typing import Any

from app.settings import load_settings

_settings = load_settings()
_room = _settings["MAX_CONNECTIONS"] + _settings["HTTP_THREADS"]

bind = [f"{_settings['HOST']}:{_settings['PORT']}"]
worker_class = _settings["SERVER_WORKER"]
workers = 1
if worker_class == "gthread":
    threads = _room
    # Accepted connections, keep-alive ones included; gunicorn stops accepting beyond it.
    worker_connections = _room + 64
else:
    # gevent: one greenlet per accepted connection, at most this many at a time.
    worker_connections = _room
# Websockets never finish on their own: do not wait long for them on shutdown (every
# acknowledged ballot is already committed).
graceful_timeout = 3
timeout = 30
keepalive = 5
loglevel = "warning"
accesslog = None
errorlog = "-"
preload_app = False
proc_name = "chemins"


def _close_websockets(worker: Any) -> None:
    # Open websockets hold the worker's threads or greenlets; closing them ends those so
    # the worker exits at once (phones reconnect by themselves).
    app = getattr(worker, "wsgi", None)
    if app is None:
        return
    from app.extensions import live

    live.broadcaster(app).shutdown()


def post_worker_init(worker: Any) -> None:
    """In the process that serves: full garbage collections only between votes, and
    the phones' updates sent beside the ticker (:mod:`app.live.courier`)."""
    from app.extensions import live

    broadcaster = live.broadcaster(worker.wsgi)
    broadcaster.collector.enabled = True
    broadcaster.phones_by_courier = True


def worker_int(worker: Any) -> None:
    """Ctrl+C: close the websockets before the worker exits."""
    _close_websockets(worker)


def worker_exit(server: Any, worker: Any) -> None:
    """Stop (graceful or not): close the websockets that are still open."""
    _close_websockets(worker)
