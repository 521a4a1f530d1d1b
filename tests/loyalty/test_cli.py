"""``pos loyalty run-jobs`` and ``pos loyalty verify`` from the console."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import update

from loyalty.cards.model import Card
from loyalty.points import service as points
from pos.cli import main


def test_run_jobs_then_verify_a_good_and_a_tampered_ledger(database_url, app, manager, card,
                                                           monkeypatch):
    monkeypatch.setenv("POS_DATABASE_URL", database_url)
    points.adjust(manager, card, 1000, "welcome")
    runner = CliRunner()
    ran = runner.invoke(main, ["loyalty", "run-jobs"])
    assert ran.exit_code == 0 and "settled 0 cards" in ran.output, ran.output
    good = runner.invoke(main, ["loyalty", "verify"])
    assert good.exit_code == 0 and "1 cards checked, 0 faulty" in good.output, good.output
    with manager.db.transaction() as session:
        session.execute(update(Card).where(Card.number == card).values(balance_cp=1))
    bad = runner.invoke(main, ["loyalty", "verify"])
    assert bad.exit_code == 1 and card in bad.output
