"""The installation's secret key: the one configured, else one an embedded database keeps.

The key signs the screens' session cookie and, unless ``POS_GIFT_CODE_SECRET`` is set, derives
gift certificate codes, so a key anyone could read (a default in the source) would let anyone
forge both. When ``POS_SECRET_KEY`` is not set:

- an embedded SQLite database keeps a random key in a file beside it (``pos.db`` ->
  ``pos.db.key``, readable by its owner only), made once by whichever process starts first and
  read by every other worker, so all workers of the installation share it;
- an in-memory database (tests, trials) gets a random key for this process;
- a server database (PostgreSQL) refuses to start: every app server of an installation must
  share one key, which only the configuration can give them.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import replace
from pathlib import Path

from sqlalchemy.engine import make_url

from pos.core.config import Settings
from pos.core.errors import ConfigurationError

KEY_BYTES = 48


def with_secret_key(settings: Settings) -> Settings:
    """Return ``settings`` with a secret key: the configured one, or one kept beside SQLite."""
    if settings.secret_key:
        return settings
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        raise ConfigurationError(
            "Set POS_SECRET_KEY: every app server of an installation on a server database "
            "must share one secret key")
    if _is_memory(url.database):
        return replace(settings, secret_key=secrets.token_urlsafe(KEY_BYTES))
    return replace(settings, secret_key=kept_key(Path(url.database + ".key")))


def _is_memory(database: str | None) -> bool:
    return not database or database == ":memory:" or database.startswith("file::memory:")


def kept_key(path: Path) -> str:
    """Return the key kept in ``path``, making it (owner-only, written whole) if absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(KEY_BYTES))
        try:
            os.link(draft, path)  # fails if another worker made it first: theirs is kept
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise ConfigurationError(f"{path} holds no usable secret key: remove it or set "
                                 "POS_SECRET_KEY")
    return key
