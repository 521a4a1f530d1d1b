"""A one-shot upload reads its card once: the write re-checks it in the card's guarded update.

What changes between the upload's read and its write (a card blocked or replaced, points taken
off, a debt recorded) is found by that update: the upload is refused with the card's code and
nothing is written, or goes the slow way under the card's lock.
"""

from __future__ import annotations

import pytest
from sqlalchemy import literal, select

from loyalty.cards import service as cards
from loyalty.cards.numbers import is_valid_number, number_for
from loyalty.cards.replace import replace_card
from loyalty.points import ledger
from loyalty.points import service as points
from loyalty.points.at_once import _inlined
from loyalty.points.model import Entry
from pos.core.direct import _MAX_KEPT_VALUES, Direct, _in_order
from pos.receipts import closing
from pos.receipts.model import Receipt
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.quote import Basket, quote
from pos.receipts.returns import NewReturn, ReturnLine, create_return
from pos.receipts.service import LineRequest, PaymentRequest
from tests.helpers import refused, statements
from tests.loyalty.conftest import DISCOUNT, issue
from tests.loyalty.test_points import OAT, balance, give, lots_left, sell

CASH = (PaymentRequest("cash", 2 * OAT),)
PART_POINTS = (PaymentRequest("points", 5000), PaymentRequest("cash", 2 * OAT - 5000))


@pytest.fixture
def between(monkeypatch):  # type: ignore[no-untyped-def]
    """Changes run after an upload's read transaction kept its card, before its write."""
    changes: list = []
    keep = closing.keep_for_write

    def keep_then_change(session, receipt):  # type: ignore[no-untyped-def]
        keep(session, receipt)
        while changes:
            changes.pop(0)()

    monkeypatch.setattr(closing, "keep_for_write", keep_then_change)
    return changes


def receipts_written(ctx) -> int:  # type: ignore[no-untyped-def]
    with ctx.db.read() as session:
        return len(session.scalars(select(Receipt.id)).all())


def sale_entries(ctx) -> list:  # type: ignore[no-untyped-def]
    with ctx.db.read() as session:
        return list(session.scalars(select(Entry.kind).where(Entry.receipt_id.is_not(None))))


class TestReadOnce:
    def test_the_write_reads_no_card(self, cashier, manager, shop, shift, card, db):
        give(manager, card, 10000)
        with statements(db) as sent:
            sell(cashier, shop, card, "2", payments=PART_POINTS)
        card_reads = [s for s in sent if s.startswith("SELECT") and "FROM loyalty_cards" in s]
        assert len(card_reads) == 1  # the read transaction's check
        assert balance(cashier, card) == (10000 - 5000 + 1200, 0, 0)
        assert points.verify(cashier.db)["problems"] == {}

    def test_the_card_costs_the_read_no_statement_of_its_own(self, cashier, manager, shop,
                                                             shift, card, db):
        # The card rides in the read's first statement, with the version tokens: an upload
        # with a card sends as many reads as one without (its writes are the card's own).
        give(manager, card, 10000)
        sell(cashier, shop, card, "1")  # (the worker's copies of the catalog and card types)
        with statements(db) as plain:
            sell(cashier, shop, None, "2")
        with statements(db) as carded:
            sell(cashier, shop, card, "2", payments=PART_POINTS)
        reads = [[s for s in sent if s.startswith("SELECT")] for sent in (plain, carded)]
        assert len(reads[1]) == len(reads[0])
        (card_read,) = [s for s in reads[1] if "FROM loyalty_cards" in s]
        assert "loyalty_card_types_version" in card_read and "catalog_version" in card_read
        assert balance(cashier, card) == (10000 - 5000 + 1200 + 700, 0, 0)

    def test_a_quote_with_a_card_reads_it_with_the_tokens(self, cashier, shop, shift, card,
                                                          db):
        basket = Basket(till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L"),))
        quote(cashier, basket)  # (the worker's copies of the catalog and card types)
        quote(cashier, Basket(basket.till_id, basket.lines, card_code=card))
        with statements(db) as plain:
            quote(cashier, basket)
        with statements(db) as carded:
            quote(cashier, Basket(basket.till_id, basket.lines, card_code=card))
        assert len(carded) == len(plain)
        (card_read,) = [s for s in carded if "FROM loyalty_cards" in s]
        assert "catalog_version" in card_read

    @pytest.mark.parametrize("number", [number_for("29", 987654), "2900000000001", "not one"])
    def test_an_unknown_card_read_with_the_tokens_is_refused(self, cashier, shop, shift, db,
                                                            number):
        with statements(db) as sent, refused("unknown_card"):
            sell(cashier, shop, number, "1")
        card_reads = [s for s in sent if s.startswith("SELECT") and "FROM loyalty_cards" in s]
        assert len(card_reads) == (1 if is_valid_number(number) else 0)  # (none: not a number)
        assert all("catalog_version" in s for s in card_reads)  # the tokens' statement
        assert receipts_written(cashier) == 0


class TestTheCardsOneStatement:
    # psycopg converts a statement's text again at every run past 50 placeholders: the card's
    # statement for a sale that earns, or earns and spends, stays under, its constants (the
    # lots' state, zero, the LIMIT's one) in its text.
    @pytest.mark.parametrize(("entries", "has_lot", "is_spent"),
                             [(1, True, False), (2, True, True), (2, False, True)])
    def test_a_sales_statement_keeps_its_placeholders_under_psycopgs_limit(
            self, entries, has_lot, is_spent):
        from sqlalchemy.dialects.postgresql.psycopg import dialect

        built = ledger._AT_ONCE._build(entries, has_lot, is_spent)
        compiled = _inlined(built).compile(dialect=_in_order(dialect()))
        assert len(compiled.positiontup) <= _MAX_KEPT_VALUES
        assert "state = 'active'" in compiled.string
        assert not [name for name in compiled.positiontup if name.startswith(("state", "param"))]
        # as built, before its constants are written in: the caller's values are the same
        as_built = built.compile(dialect=_in_order(dialect()))
        assert {name for name in as_built.positiontup
                if not name.startswith(("state_", "param_", "remaining_cp_"))} \
            == set(compiled.positiontup)


class TestTheWriteWaitsForTheNextStatement:
    # On PostgreSQL the card's one statement goes with the next statement the sale sends (a
    # keyed upload's stored answer), in one round trip; its answer is read before the commit.
    # (What changed meanwhile is then found at the commit: TestChangedBetweenReadAndWrite.)
    def test_the_cards_write_goes_with_the_next_statement(self, cashier, manager, shop,
                                                         shift, card, db, carried):
        give(manager, card, 10000)
        for _ in range(2):  # (the worker learns the catalog, the devices, the buyer's history)
            sell(cashier, shop, card, "1")
        carried.clear()
        answered = Direct(select(literal(1)))  # as the upload's stored answer would be
        create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, card_code=card,
            lines=(LineRequest(sku="OAT-MILK-1L", quantity="2"),), payments=PART_POINTS),
            on_write=lambda session, receipt: answered.scalar(session.connection()))
        went = [(count, sql.split()[0]) for count, sql in carried]
        assert went == ([(1, "SELECT")] if db.dialect == "postgresql" else [])
        assert balance(cashier, card) == (10000 + 1400 - 5000 + 1200, 0, 0)
        assert points.verify(cashier.db)["problems"] == {}


class TestChangedBetweenReadAndWrite:
    @pytest.mark.parametrize("payments", [CASH, PART_POINTS], ids=["earn", "spend_and_earn"])
    def test_a_card_blocked_meanwhile_is_refused_and_nothing_written(
            self, cashier, manager, shop, shift, card, between, payments):
        give(manager, card, 10000)
        between.append(lambda: cards.change_state(manager, card, "block", "reported stolen"))
        with refused("card_blocked"):
            sell(cashier, shop, card, "2", payments=payments)
        assert receipts_written(cashier) == 0
        assert sale_entries(cashier) == []
        assert cards.get_card(cashier.db, card)[0].balance_cp == 10000

    def test_a_card_replaced_meanwhile_is_refused_and_nothing_written(
            self, cashier, manager, shop, shift, card, between):
        give(manager, card, 10000)
        new: list[str] = []
        between.append(lambda: new.append(replace_card(manager, card).number))
        with refused("card_replaced"):
            sell(cashier, shop, card, "2", payments=PART_POINTS)
        assert receipts_written(cashier) == 0
        assert sale_entries(cashier) == []
        assert balance(cashier, new[0]) == (10000, 0, 0)
        assert points.verify(cashier.db)["problems"] == {}

    def test_a_discount_card_blocked_meanwhile_is_refused(self, cashier, manager, shop, shift,
                                                          between):
        cards.create_card_type(manager, dict(DISCOUNT))
        gold = issue(manager, "GOLD")
        between.append(lambda: cards.change_state(manager, gold, "block", "lost"))
        with refused("card_blocked"):
            sell(cashier, shop, gold, "2")
        assert receipts_written(cashier) == 0
        assert cards.get_card(cashier.db, gold)[0].accumulated_minor == 0

    def test_points_taken_off_meanwhile_refuse_the_spend_and_nothing_is_written(
            self, cashier, manager, shop, shift, card, between):
        give(manager, card, 5000)
        between.append(lambda: points.adjust(manager, card, -1000, "correction"))
        with refused("insufficient_points"):
            sell(cashier, shop, card, "2", payments=PART_POINTS)
        assert receipts_written(cashier) == 0
        assert balance(cashier, card) == (4000, 0, 0)
        assert points.verify(cashier.db)["problems"] == {}

    def test_a_debt_recorded_meanwhile_is_repaid_from_the_earn(self, cashier, manager, shop,
                                                               shift, card, between):
        sale = sell(cashier, shop, card, "2")  # 14 points
        points.adjust(manager, card, -1000, "spent on a gift")
        between.append(lambda: create_return(cashier, NewReturn(
            till_id=shop.till_id, original_receipt_id=sale.id,
            lines=(ReturnLine("2", line_no=1),))))
        sell(cashier, shop, card, "2")  # read with no debt, written with 10 points owed
        assert balance(cashier, card) == (400, 0, 0)
        assert points.verify(cashier.db)["problems"] == {}

    def test_a_debt_repaid_meanwhile_leaves_the_earn_a_lot_of_its_own(
            self, cashier, manager, shop, shift, card, between):
        sale = sell(cashier, shop, card, "4")  # 29 points
        points.adjust(manager, card, -2900, "spent on a gift")
        create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=sale.id,
                                         lines=(ReturnLine("4", line_no=1),)))
        between.append(lambda: points.adjust(manager, card, 2400, "goodwill"))  # owes 5 now
        # read owing 29: all of the 14 earned would repay it, no lot; written owing 5
        sell(cashier, shop, card, "2")
        assert balance(cashier, card) == (900, 0, 0)
        assert lots_left(cashier, card)[-1] == 900  # the earn's own lot holds the 9 points
        assert points.verify(cashier.db)["problems"] == {}
        points.adjust(manager, card, -900, "spent at the counter")  # drawn from that lot
        assert balance(cashier, card) == (0, 0, 0)

    def test_a_card_unblocked_again_meanwhile_still_sells(self, cashier, manager, shop, shift,
                                                          card, between):
        def block_and_unblock() -> None:
            cards.change_state(manager, card, "block", "found it")
            cards.change_state(manager, card, "unblock")

        between.append(block_and_unblock)
        sell(cashier, shop, card, "2")
        assert balance(cashier, card) == (1400, 0, 0)

