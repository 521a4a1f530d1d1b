"""The installation's secret key: configured, or kept beside an embedded database."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from loyalty.gift_certificates.wiring import code_book
from pos.core.config import Settings
from pos.core.errors import ConfigurationError
from pos.core.secret_key import kept_key, with_secret_key


def test_a_configured_key_is_used_as_it_is() -> None:
    settings = Settings(database_url="postgresql://pos@localhost/pos", secret_key="k" * 40)
    assert with_secret_key(settings) is settings


def test_a_server_database_without_a_key_refuses_to_start() -> None:
    with pytest.raises(ConfigurationError, match="POS_SECRET_KEY"):
        with_secret_key(Settings(database_url="postgresql://pos@localhost/pos"))


def test_an_embedded_database_keeps_one_key_beside_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/data/pos.db"
    first = with_secret_key(Settings(database_url=url)).secret_key
    second = with_secret_key(Settings(database_url=url)).secret_key  # another worker
    kept = tmp_path / "data" / "pos.db.key"
    assert first == second == kept.read_text()
    assert len(first) >= 48
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert sorted(p.name for p in kept.parent.iterdir()) == ["pos.db.key"]  # no drafts left


def test_each_embedded_installation_has_its_own_key(tmp_path: Path) -> None:
    one = with_secret_key(Settings(database_url=f"sqlite:///{tmp_path}/a.db")).secret_key
    two = with_secret_key(Settings(database_url=f"sqlite:///{tmp_path}/b.db")).secret_key
    assert one != two


def test_a_key_another_worker_made_first_is_the_one_used(tmp_path: Path) -> None:
    path = tmp_path / "pos.db.key"
    path.write_text("m" * 64)
    assert kept_key(path) == "m" * 64


def test_an_unusable_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pos.db.key"
    path.write_text("short")
    with pytest.raises(ConfigurationError, match="no usable secret key"):
        kept_key(path)


def test_an_in_memory_database_gets_a_random_key_per_process() -> None:
    one = with_secret_key(Settings(database_url="sqlite://")).secret_key
    two = with_secret_key(Settings(database_url="sqlite:///:memory:")).secret_key
    assert one and two and one != two


def test_gift_codes_are_never_derived_from_no_secret() -> None:
    with pytest.raises(ConfigurationError, match="gift certificate codes"):
        code_book(Settings())
    assert code_book(Settings(secret_key="a" * 40)).code_of(b"\x01" * 16) != \
        code_book(Settings(secret_key="b" * 40)).code_of(b"\x01" * 16)
