"""gunicorn configuration of ``chemins serve`` (``gunicorn -c python:app.gunicorn_conf``).

One worker process, because the live broadcaster (rooms, ticker) lives in memory in the
process that holds the websockets; threads, because each flask-sock websocket holds one
thread for its whole life: ``MAX_CONNECTIONS`` threads for websockets plus
``HTTP_THREADS`` for pages. Above ``MAX_CONNECTIONS`` the app refuses a websocket with a
French message while a page thread is still free, instead of leaving it hanging.
"""

from __future__ import annotations

from typing import Any

from app.settings import load_settings

_settings = load_settings()

bind = [f"{_settings['HOST']}:{_settings['PORT']}"]
worker_class = "gthread"
workers = 1
threads = _settings["MAX_CONNECTIONS"] + _settings["HTTP_THREADS"]
# Accepted connections, keep-alive ones included; gunicorn stops accepting beyond it.
worker_connections = threads + 64
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
    # The worker's threads are held by open websockets; closing them ends the threads so
    # the worker exits at once (phones reconnect by themselves).
    app = getattr(worker, "wsgi", None)
    if app is None:
        return
    from app.extensions import live

    live.broadcaster(app).shutdown()


def worker_int(worker: Any) -> None:
    """Ctrl+C: close the websockets before the worker exits."""
    _close_websockets(worker)


def worker_exit(server: Any, worker: Any) -> None:
    """Stop (graceful or not): close the websockets that are still open."""
    _close_websockets(worker)
