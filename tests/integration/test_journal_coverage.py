"""Journal verify notices what is missing: a deleted tail, a lost entry, an edited outbox row."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, event, insert, select, update

from pos.fiscal.model import FAILED, FISCALISED, OutboxEntry
from pos.fiscal.numbering import TillCounter
from pos.journal import coverage
from pos.journal import service as journal
from pos.journal.model import JournalEntry
from pos.journal.service import verify
from pos.receipts.lines import LineRequest
from pos.receipts.model import Receipt, ReceiptLine, ReceiptPayment
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest
from pos.shifts.model import CashMovement, Shift
from pos.shifts.service import CloseShift, close_shift
from tests.integration.test_journal import sell_a_day
from tests.integration.test_numbering import context_for


@pytest.fixture
def day(db, registry, shop, fixed_clock):
    """A till's day: sales 1-4, cash in 5, cash out 6, all still waiting for the device."""
    sell_a_day(db, registry, shop, fixed_clock.now())
    return shop


def _sell(db, registry, shop, now) -> int:
    ctx = context_for(db, registry, "manager", now)
    cmd = NewReceipt(till_id=shop.till_id, client_uuid=str(uuid.uuid4()),
                     lines=(LineRequest(sku="OAT-MILK-1L"),),
                     payments=(PaymentRequest("cash", 20000),))
    return create_receipt(ctx, cmd).receipt.id


def _till(db, registry, shop):
    return verify(db, registry.journal_checks, shop.till_id).tills[0]


def _delete_entry(db, till_id, number):
    with db.transaction() as session:
        session.execute(delete(JournalEntry).where(JournalEntry.till_id == till_id,
                                                   JournalEntry.number == number))


def _delete_receipt(db, receipt_id):
    with db.transaction() as session:
        for table in (ReceiptPayment, ReceiptLine):
            session.execute(delete(table).where(table.receipt_id == receipt_id))
        session.execute(delete(Receipt).where(Receipt.id == receipt_id))


def _outbox_row(db, till_id, number):
    with db.read() as session:
        return session.scalar(select(OutboxEntry).where(OutboxEntry.till_id == till_id,
                                                        OutboxEntry.number == number))


def _set_outbox(db, row_id, **values):
    with db.transaction() as session:
        session.execute(update(OutboxEntry).where(OutboxEntry.id == row_id).values(**values))


class TestMissingEntries:
    def test_a_deleted_last_entry_is_reported_by_its_receipt(self, db, registry, day, fixed_clock):
        _sell(db, registry, day, fixed_clock.now())
        _delete_entry(db, day.till_id, 7)
        till = _till(db, registry, day)
        assert (till.is_intact, till.broken_number, till.broken_entry_id) == (False, 7, None)
        assert till.entries == 6 and "sale" in (till.reason or "")

    def test_the_last_entry_deleted_with_its_receipt_and_outbox_row_is_caught_by_the_counter(
            self, db, registry, day, fixed_clock):
        receipt_id = _sell(db, registry, day, fixed_clock.now())
        _delete_entry(db, day.till_id, 7)
        _delete_receipt(db, receipt_id)
        with db.transaction() as session:
            session.execute(delete(OutboxEntry).where(OutboxEntry.number == 7))
        till = _till(db, registry, day)
        assert (till.is_intact, till.broken_number, till.entries) == (False, 7, 6)
        assert "counter" in (till.reason or "")

    def test_a_counter_moved_back_is_reported(self, db, registry, day):
        with db.transaction() as session:
            session.execute(update(TillCounter).values(last_number=4))
        till = _till(db, registry, day)
        assert (till.is_intact, till.broken_number, "counter" in (till.reason or "")) == (
            False, 5, True)

    def test_deleting_only_a_cash_movements_entry_is_reported(self, db, registry, day):
        _delete_entry(db, day.till_id, 6)  # the cash out, the journal's last entry
        _set_outbox(db, _outbox_row(db, day.till_id, 6).id, state=FISCALISED)
        till = _till(db, registry, day)
        assert (till.is_intact, till.broken_number) == (False, 6)
        assert "cash_out" in (till.reason or "")

    def test_a_z_report_renumbered_behind_the_journal_is_reported(self, db, registry, day,
                                                                   fixed_clock):
        ctx = context_for(db, registry, "manager", fixed_clock.now())
        with db.read() as session:
            shift_id = session.scalar(select(Shift.id))
        close_shift(ctx, shift_id, CloseShift(counted_minor=13000 + 4 * 29980))
        with db.transaction() as session:
            session.execute(update(Shift).values(z_number=70))
        till = _till(db, registry, day)
        assert (till.broken_number, "no longer carries number 7" in (till.reason or "")) == (
            7, True)

    def test_a_second_document_carrying_a_journaled_number_is_reported(self, db, registry, day):
        with db.transaction() as session:
            session.execute(update(CashMovement).where(CashMovement.kind == "cash_in")
                            .values(number=3))
        till = _till(db, registry, day)
        assert (till.broken_number, "also carries number 3" in (till.reason or "")) == (3, True)


class TestOutbox:
    def test_an_edited_pending_payload_is_reported_at_its_number(self, db, registry, day):
        row = _outbox_row(db, day.till_id, 2)
        _set_outbox(db, row.id, payload={**row.payload, "total_minor": 1})
        till = _till(db, registry, day)
        assert (till.is_intact, till.broken_number, till.broken_outbox_id) == (False, 2, row.id)
        assert "total_minor" in (till.reason or "")

    def test_a_failed_row_is_still_to_be_sent_so_it_is_checked(self, db, registry, day):
        row = _outbox_row(db, day.till_id, 6)
        _set_outbox(db, row.id, state=FAILED, payload={**row.payload, "amount_minor": 900000})
        assert _till(db, registry, day).broken_outbox_id == row.id

    def test_a_fiscalised_payload_is_history_and_not_checked(self, db, registry, day):
        row = _outbox_row(db, day.till_id, 2)
        _set_outbox(db, row.id, state=FISCALISED, payload={"total_minor": 1})
        assert _till(db, registry, day).is_intact

    def test_a_row_pointing_at_another_document_is_reported(self, db, registry, day):
        row = _outbox_row(db, day.till_id, 5)
        _set_outbox(db, row.id, document_id=row.document_id + 1)
        assert _till(db, registry, day).broken_number == 5

    def test_a_pending_row_past_the_journal_is_reported(self, db, registry, day, fixed_clock):
        row = _outbox_row(db, day.till_id, 6)
        with db.transaction() as session:
            session.execute(insert(OutboxEntry), dict(
                store_id=day.store_id, till_id=day.till_id, number=9, kind="sale",
                document_id=row.document_id, payload={}, state="pending", attempts=0,
                created_at=fixed_clock.now()))
        till = _till(db, registry, day)
        assert (till.broken_number, "outbox row" in (till.reason or "")) == (9, True)

    def test_an_edited_shift_opening_is_reported_by_its_row(self, db, registry, day):
        with db.read() as session:
            row = session.scalar(select(OutboxEntry).where(OutboxEntry.kind == "shift_open"))
        _set_outbox(db, row.id, payload={**row.payload, "opening_float_minor": 1})
        till = _till(db, registry, day)
        assert (till.broken_number, till.broken_outbox_id) == (None, row.id)
        assert "opening_float_minor" in (till.reason or "")

    def test_an_unnumbered_row_of_no_known_kind_is_reported(self, db, registry, day, fixed_clock):
        with db.transaction() as session:
            session.execute(insert(OutboxEntry), dict(
                store_id=day.store_id, till_id=day.till_id, number=None, kind="z_report",
                document_id=1, payload={}, state="pending", attempts=0,
                created_at=fixed_clock.now()))
        assert "no check" in (_till(db, registry, day).reason or "")


class TestScale:
    def test_an_intact_day_verifies_on_every_till(self, db, registry, day):
        verdict = verify(db, registry.journal_checks)
        assert verdict.is_intact and [t.entries for t in verdict.tills] == [6, 0, 0]  # + WEST

    def test_small_pages_find_the_same_faults(self, db, registry, day, monkeypatch):
        monkeypatch.setattr(journal, "VERIFY_BATCH", 2)
        monkeypatch.setattr(coverage, "OUTBOX_PAGE", 1)
        assert _till(db, registry, day).is_intact
        row = _outbox_row(db, day.till_id, 5)
        _set_outbox(db, row.id, payload={**row.payload, "reason": "holiday"})
        assert _till(db, registry, day).broken_number == 5

    def test_statements_do_not_grow_with_the_documents_on_a_page(self, db, registry, day,
                                                                  fixed_clock):
        statements = []

        def count(*_args: object) -> None:
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:  # (the app's engine is shared: a listener left would watch every later test)
            _till(db, registry, day)
            few = len(statements)
            for _ in range(5):
                _sell(db, registry, day, fixed_clock.now())
            statements.clear()
            assert _till(db, registry, day).entries == 11
            assert len(statements) == few
        finally:
            event.remove(db.engine, "before_cursor_execute", count)

    def test_a_sale_closed_while_verifying_is_no_fault(self, db, registry, day, fixed_clock,
                                                         monkeypatch):
        pages = journal._batches

        def pages_then_a_sale(session, till_id):
            yield from pages(session, till_id)
            _sell(db, registry, day, fixed_clock.now())

        monkeypatch.setattr(journal, "_batches", pages_then_a_sale)
        till = _till(db, registry, day)
        assert (till.is_intact, till.entries) == (True, 6), till.reason
        monkeypatch.undo()
        assert _till(db, registry, day).entries == 7


def test_the_cli_names_a_missing_tail(app, db, registry, day):
    _delete_entry(db, day.till_id, 6)
    result = app.test_cli_runner().invoke(args=["journal", "verify", "--till", str(day.till_id)])
    assert result.exit_code == 1
    assert "BROKEN at number 6 (no entry)" in result.output


def test_the_api_names_the_outbox_row_at_fault(db, day, api):
    row = _outbox_row(db, day.till_id, 4)
    _set_outbox(db, row.id, payload={**row.payload, "lines": []})
    body = api.as_("manager").get(f"/api/v1/journal/verify?till_id={day.till_id}").get_json()
    assert body["is_intact"] is False
    assert (body["tills"][0]["broken_number"], body["tills"][0]["broken_outbox_id"]) == (4, row.id)
