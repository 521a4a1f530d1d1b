"""The journal's hash chain: intact after a day's documents, broken exactly where tampered."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from pos.journal.canonical import GENESIS_HASH, canonical_json, chain_hash
from pos.journal.model import JournalEntry
from pos.journal.service import verify
from pos.receipts.lines import LineRequest
from pos.receipts.model import Receipt, ReceiptLine
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest
from pos.shifts.model import CashMovement, Shift
from pos.shifts.service import CloseShift, close_shift, move_cash, open_shift
from tests.integration.test_numbering import context_for


def sell_a_day(db, registry, shop, now, receipts=4):
    """Open a shift, then journal ``receipts`` sales, a cash in and a cash out, in that order."""
    ctx = context_for(db, registry, "manager", now)
    shift = open_shift(ctx, shop.till_id, 10000)
    for _ in range(receipts):
        cmd = NewReceipt(till_id=shop.till_id, client_uuid=str(uuid.uuid4()),
                         lines=(LineRequest(sku="OAT-MILK-1L", quantity="2"),),
                         payments=(PaymentRequest("cash", 30000),))
        create_receipt(ctx, cmd)
    move_cash(ctx, shift.id, "cash_in", 5000, "float")
    move_cash(ctx, shift.id, "cash_out", 2000, "safe")


def _tamper(db, till_id, number, document):
    with db.transaction() as session:
        session.execute(update(JournalEntry).where(
            JournalEntry.till_id == till_id, JournalEntry.number == number)
            .values(document=document))


class TestCanonical:
    def test_canonical_json_sorts_keys_and_drops_spaces(self):
        assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'

    def test_chain_hash_depends_on_the_previous_hash(self):
        assert chain_hash(GENESIS_HASH, "{}") != chain_hash("1" * 64, "{}")


class TestVerify:
    def test_an_untouched_chain_is_intact(self, db, registry, shop, fixed_clock):
        sell_a_day(db, registry, shop, fixed_clock.now())
        verdict = verify(db, registry.journal_checks, shop.till_id)
        assert verdict.is_intact
        assert verdict.tills[0].entries == 6

    def test_tampering_with_a_document_breaks_the_chain_at_that_entry(self, db, registry, shop,
                                                                       fixed_clock):
        sell_a_day(db, registry, shop, fixed_clock.now())
        _tamper(db, shop.till_id, 3, '{"total_minor":1}')
        till = verify(db, registry.journal_checks, shop.till_id).tills[0]
        assert (till.is_intact, till.broken_number, till.entries) == (False, 3, 2)
        assert "altered" in (till.reason or "")

    def test_deleting_an_entry_is_reported_as_a_gap(self, db, registry, shop, fixed_clock):
        from sqlalchemy import delete

        sell_a_day(db, registry, shop, fixed_clock.now())
        with db.transaction() as session:
            session.execute(delete(JournalEntry).where(JournalEntry.number == 4))
        assert verify(db, registry.journal_checks, shop.till_id).tills[0].broken_number == 5

    def test_api_and_cli_report_the_broken_entry(self, app, db, registry, shop, fixed_clock, api):
        sell_a_day(db, registry, shop, fixed_clock.now())
        body = api.as_("manager").get("/api/v1/journal/verify").get_json()
        assert body["is_intact"] is True
        _tamper(db, shop.till_id, 2, "{}")
        body = api.as_("manager").get(f"/api/v1/journal/verify?till_id={shop.till_id}")
        assert body.get_json()["tills"][0]["broken_number"] == 2
        result = app.test_cli_runner().invoke(
            args=["journal", "verify", "--till", str(shop.till_id)])
        assert result.exit_code == 1
        assert "BROKEN at number 2" in result.output


class TestLiveRows:
    """A row edited behind the journal's back is caught, though the chain itself is whole."""

    def test_a_receipt_total_changed_in_place_is_reported_at_its_entry(self, db, registry, shop,
                                                                       fixed_clock):
        sell_a_day(db, registry, shop, fixed_clock.now())
        with db.transaction() as session:
            session.execute(update(Receipt).where(Receipt.number == 2)
                            .values(total_minor=100))
        till = verify(db, registry.journal_checks, shop.till_id).tills[0]
        assert (till.is_intact, till.broken_number, till.entries) == (False, 2, 1)
        assert "total_minor" in (till.reason or "")

    def test_a_line_amount_changed_in_place_is_reported(self, db, registry, shop, fixed_clock):
        sell_a_day(db, registry, shop, fixed_clock.now())
        with db.transaction() as session:
            receipt_id = session.scalar(select(Receipt.id).where(Receipt.number == 3))
            session.execute(update(ReceiptLine).where(ReceiptLine.receipt_id == receipt_id)
                            .values(amount_minor=1))
        till = verify(db, registry.journal_checks, shop.till_id).tills[0]
        assert (till.broken_number, "lines" in (till.reason or "")) == (3, True)

    def test_a_cash_movement_and_a_z_report_are_checked_too(self, db, registry, shop, fixed_clock):
        sell_a_day(db, registry, shop, fixed_clock.now())
        ctx = context_for(db, registry, "manager", fixed_clock.now())
        with db.read() as session:
            shift_id = session.scalar(select(Shift.id))
        close_shift(ctx, shift_id, CloseShift(counted_minor=13000 + 4 * 29980))
        assert verify(db, registry.journal_checks, shop.till_id).tills[0].entries == 7
        with db.transaction() as session:
            shift = session.get(Shift, shift_id)
            shift.z_report = {**shift.z_report, "discounts_given_minor": 5}
        assert verify(db, registry.journal_checks, shop.till_id).tills[0].broken_number == 7
        with db.transaction() as session:
            session.execute(update(CashMovement).where(CashMovement.number == 6)
                            .values(amount_minor=1))
        till = verify(db, registry.journal_checks, shop.till_id).tills[0]
        assert (till.broken_number, "amount_minor" in (till.reason or "")) == (6, True)
