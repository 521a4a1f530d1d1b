"""Serve the app with gunicorn worker processes (each builds its own app after the fork)."""

from __future__ import annotations

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


def serve(host: str, port: int, workers: int) -> None:
    """Run gunicorn on ``host:port`` with ``workers`` processes until interrupted."""
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "accesslog": "-",
        "timeout": 60,
        "graceful_timeout": 10,
    }).run()
