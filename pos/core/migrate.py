"""Alembic, driven from code: upgrade, downgrade and inspect the schema of a database URL."""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str, output: io.StringIO | None = None) -> Config:
    """Build an Alembic configuration for ``url`` without an ini file."""
    config = Config(stdout=output) if output is not None else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database down to ``revision`` (``base`` removes everything)."""
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> str:
    """Return the revision the database is at, as Alembic prints it."""
    out = io.StringIO()
    command.current(alembic_config(url, out))
    return out.getvalue().strip() or "(empty database)"
