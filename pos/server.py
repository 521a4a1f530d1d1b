"""Serve the app with gunicorn worker processes (each builds its own app after the fork)."""

from __future__ import annotations

import gc
import os
import re
from typing import Any
from urllib.parse import unquote_plus

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from pos.core.pan import looks_like_pan, mask_pans


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


class MaskingLogger(Logger):  # type: ignore[misc]
    """Gunicorn's logger, printing card numbers masked in every access-log field.

    The request line, query string, Referer and User-Agent are written as sent; a request
    refused for carrying a card number is logged too, so the number is masked here. So is a
    gift certificate code in a path (``GET /api/v1/gift-certificates/{code}``): only its last
    four letters are written.
    """

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """Return the access-log fields with card numbers masked."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: _masked(value) for key, value in atoms.items()}


# A certificate code as a path segment (not the routes' own words); its last four are kept.
_GIFT_CODE = re.compile(r"(/gift-certificates/)(?!(?:sold|liability|look-up)(?:[/?\s]|$))"
                        r"([^/?\s]*)([^/?\s]{4})")


def _masked(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if "/gift-certificates/" in value:
        value = _GIFT_CODE.sub(lambda m: f"{m[1]}{'*' * len(m[2])}{m[3]}", value)
    decoded = unquote_plus(value) if "%" in value or "+" in value else value
    return mask_pans(decoded) if looks_like_pan(decoded) else value


# After these many requests a worker freezes again what has survived so far: the caches its
# first requests filled (compiled SQL, dump plans, discount rules, connections).
FREEZE_AFTER_REQUESTS = (100, 1000)


def _post_worker_init(worker: Any) -> None:
    # The app, its schemas and the SQLAlchemy mappers live as long as the worker: move them
    # out of the collector's sight so each collection only walks the requests' short-lived
    # objects (a 20-line receipt makes thousands).
    worker.pos_requests = 0
    gc.collect()
    gc.freeze()


def _post_request(worker: Any, _request: Any, _environ: Any, _response: Any) -> None:
    worker.pos_requests = getattr(worker, "pos_requests", 0) + 1
    if worker.pos_requests in FREEZE_AFTER_REQUESTS:
        gc.collect()
        gc.freeze()


def serve(host: str, port: int, workers: int) -> None:
    """Run gunicorn on ``host:port`` with ``workers`` processes until interrupted.

    The per-request access log is off unless ``POS_ACCESS_LOG`` is set (``-`` for stdout or a
    file path): at hundreds of requests a second it costs a visible share of a worker's CPU,
    and the proxy in front keeps one anyway. Card numbers in it are masked (``MaskingLogger``).
    """
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "accesslog": os.environ.get("POS_ACCESS_LOG") or None,
        "logger_class": MaskingLogger,
        "timeout": 60,
        "graceful_timeout": 10,
        "post_worker_init": _post_worker_init,
        "post_request": _post_request,
    }).run()
