"""Add-line priced before the write lock: reused only while the receipt is as it was priced."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from pos.receipts.lines import LineRequest
from pos.receipts.prepricing import preprice
from pos.receipts.service import add_line, write_line
from tests.helpers import refused, statements

MILK = LineRequest(sku="MILK-1L")  # 89.90
OAT_MILK = LineRequest(sku="OAT-MILK-1L")  # 149.90



class TestPrepricedLine:
    def test_the_write_takes_the_prices_computed_before_it(self, cashier, receipt, db):
        add_line(cashier, receipt.id, OAT_MILK)
        prepriced = preprice(cashier, receipt.id, MILK)
        assert prepriced is not None and prepriced.total_minor == 23980
        with statements(db) as sent:
            added = write_line(cashier, receipt.id, MILK, prepriced)
        assert (added.line.line_no, added.total_minor) == (2, 23980)
        # Pricing reads the store (its time zone and price type); the write does not.
        assert not [s for s in sent if " FROM stores" in s]
        assert any(s.startswith("UPDATE receipts") for s in sent)  # the write's own

    def test_a_receipt_changed_since_is_priced_again_by_the_write(self, cashier, receipt):
        prepriced = preprice(cashier, receipt.id, MILK)
        assert prepriced is not None and prepriced.line_no == 1
        add_line(cashier, receipt.id, OAT_MILK)  # another request got in between
        added = write_line(cashier, receipt.id, MILK, prepriced)
        assert [line.sku for line in added.receipt.lines] == ["OAT-MILK-1L", "MILK-1L"]
        assert (added.line.line_no, added.total_minor) == (2, 23980)

    def test_a_price_changed_since_is_the_one_charged(self, cashier, receipt, db, shop):
        prepriced = preprice(cashier, receipt.id, MILK)
        with db.transaction() as session:
            session.execute(text("UPDATE prices SET price_minor = 7990 WHERE item_id = :item"),
                            {"item": shop.items["MILK-1L"]})
        added = write_line(cashier, receipt.id, MILK, prepriced)
        assert (added.line.unit_price_minor, added.total_minor) == (7990, 7990)

    def test_another_cashiers_receipt_is_left_to_the_write(self, manager, receipt):
        assert preprice(manager, receipt.id, MILK) is None

    def test_a_line_refused_is_refused_by_the_write_as_before(self, cashier, receipt):
        assert preprice(cashier, receipt.id, LineRequest(sku="NO-SUCH-SKU")) is None
        with refused("item_not_found"):
            write_line(cashier, receipt.id, LineRequest(sku="NO-SUCH-SKU"), None)


def _receipt_reads(sent: list[str]) -> int:
    return sum(1 for s in sent if s.startswith("SELECT") and " FROM receipts " in f"{s} ")


class TestWhenToPriceFirst:
    def test_with_the_writer_lock_free_the_receipt_is_loaded_once(self, cashier, receipt, db):
        add_line(cashier, receipt.id, OAT_MILK)
        assert not db.writer_busy()
        with statements(db) as sent:
            add_line(cashier, receipt.id, MILK)
        assert _receipt_reads(sent) == 1

    def test_while_another_till_writes_the_line_is_priced_before_the_lock(
            self, cashier, receipt, db):
        if db.dialect != "sqlite":
            assert not db.writer_busy()  # writers lock rows there, not the database
            return
        add_line(cashier, receipt.id, OAT_MILK)
        other_till = threading.Event()

        def write_slowly() -> None:
            with db.transaction() as session:
                session.execute(text("UPDATE stores SET name = name"))
                other_till.set()
                time.sleep(0.3)

        writer = threading.Thread(target=write_slowly)
        writer.start()
        assert other_till.wait(5) and db.writer_busy()
        with statements(db) as sent:
            added = add_line(cashier, receipt.id, MILK)
        writer.join()
        assert added.total_minor == 23980
        assert _receipt_reads(sent) == 2  # priced in a read, then written
        assert not db.writer_busy()
