"""Serve the app with gunicorn worker processes (each builds its own app after the fork)."""

from __future__ import annotations

import gc
import os
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from pos.app import create_app

        return create_app()


def _post_worker_init(_worker: Any) -> None:
    # The app, its schemas and the SQLAlchemy mappers live as long as the worker: move them
    # out of the collector's sight so each collection only walks the requests' short-lived
    # objects (a 20-line receipt makes thousands).
    gc.collect()
    gc.freeze()


def serve(host: str, port: int, workers: int) -> None:
    """Run gunicorn on ``host:port`` with ``workers`` processes until interrupted.

    The per-request access log is off unless ``POS_ACCESS_LOG`` is set (``-`` for stdout or a
    file path): at hundreds of requests a second it costs a visible share of a worker's CPU,
    and the proxy in front keeps one anyway.
    """
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "accesslog": os.environ.get("POS_ACCESS_LOG") or None,
        "timeout": 60,
        "graceful_timeout": 10,
        "post_worker_init": _post_worker_init,
    }).run()
