"""``pos gift-certificates verify`` and ``expire`` on a real database."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner
from sqlalchemy import update

from loyalty.gift_certificates.model import GiftCertificate
from loyalty.gift_certificates.report import liability
from pos.cli import main
from pos.shifts.service import open_shift
from tests.gift_helpers import FIXED, THOUSAND_MINOR, add_certificate_item, add_types, sell
from tests.helpers import context_for


def test_verify_then_expire_then_verify_again(database_url, db, registry, shop, fixed_clock,
                                              monkeypatch):
    monkeypatch.setenv("POS_DATABASE_URL", database_url)
    cashier = context_for(db, registry, "cashier", fixed_clock.now())
    add_certificate_item(db, fixed_clock.now())
    add_types(context_for(db, registry, "manager", fixed_clock.now()))
    open_shift(cashier, shop.till_id, 0)
    sell(cashier, shop.till_id, FIXED)
    runner = CliRunner()
    clean = runner.invoke(main, ["gift-certificates", "verify"])
    assert clean.exit_code == 0, clean.output
    with db.transaction() as session:
        session.execute(update(GiftCertificate).values(
            expires_at=datetime(2020, 1, 1, tzinfo=UTC)))
    expired = runner.invoke(main, ["gift-certificates", "expire"])
    assert "expired 1 certificates" in expired.output
    assert runner.invoke(main, ["gift-certificates", "expire"]).output.startswith("expired 0")
    assert runner.invoke(main, ["gift-certificates", "verify"]).exit_code == 0
    [row] = liability(db)
    assert (row["expired_minor"], row["outstanding_minor"]) == (THOUSAND_MINOR, 0)
    with db.transaction() as session:
        session.execute(update(GiftCertificate).values(balance_minor=5))
    broken = runner.invoke(main, ["gift-certificates", "verify"])
    assert broken.exit_code == 1 and "balance 5, ledger 0" in broken.output
