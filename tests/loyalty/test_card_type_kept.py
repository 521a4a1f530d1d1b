"""A sale reads its card alone: the card's type is kept per worker under the types' token.

And a ledger entry's key is kept unique with the receipt and payment it names, by the one index
that also finds a receipt's entries.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from loyalty.cards.model import CARD_TYPES, CardType, bump_types_version
from loyalty.points import ledger
from loyalty.points.model import Entry
from pos.core import versions
from tests.helpers import statements
from tests.loyalty.conftest import card_type, issue
from tests.loyalty.test_points import balance, sell

TYPE_READ = re.compile(r"\bloyalty_card_types\b")  # the table (its _version is a word on)


def types_token(db) -> str | None:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return versions.token(session, CARD_TYPES)


class TestTypeKept:
    def test_a_sale_reads_its_card_and_not_its_type(self, cashier, shop, shift, card, db):
        sell(cashier, shop, card)  # this worker learns the type
        with statements(db) as sent:
            sell(cashier, shop, card, "2")
        assert not [s for s in sent if TYPE_READ.search(s)]
        assert [s for s in sent if s.startswith("SELECT") and "FROM loyalty_cards" in s]
        assert balance(cashier, card) == (700 + 1400, 0, 0)  # 5 % each time

    def test_a_new_type_changes_the_token_and_sells_on_its_own_terms(
            self, cashier, manager, shop, shift, card, db):
        sell(cashier, shop, card)
        before = types_token(db)
        richer = issue(manager, card_type(manager, code="RICH", number_prefix="27",
                                          earn_bp=1000))
        assert types_token(db) not in (None, before)
        sell(cashier, shop, richer, "2")
        assert balance(cashier, richer) == (2900, 0, 0)  # 10 % of 299.80, whole points

    def test_terms_changed_with_the_token_are_read_again(
            self, cashier, manager, shop, shift, card, db):
        sell(cashier, shop, card)  # kept at 5 %
        with db.transaction() as session:  # as an edit of the type would: terms and token
            session.execute(update(CardType).where(CardType.code == "BONUS")
                            .values(earn_bp=1000))
            bump_types_version(session)
        sell(cashier, shop, card, "2")
        assert balance(cashier, card) == (700 + 2900, 0, 0)


class TestEntryKey:
    def test_an_earn_kept_twice_for_one_receipt_is_refused_by_the_database(
            self, cashier, shop, shift, card, db):
        receipt = sell(cashier, shop, card)
        with db.read() as session:
            earn = session.execute(select(Entry.__table__).where(
                Entry.once_key == f"earn:{receipt.id}")).one()._asdict()
        assert (earn["receipt_id"], earn["payment_seq"]) == (receipt.id, 0)
        del earn["id"]
        with pytest.raises(IntegrityError), db.transaction() as session:
            session.execute(insert(Entry.__table__).values(**earn))

    def test_entries_without_a_key_on_one_payment_do_not_clash(
            self, cashier, shop, shift, card, db):
        receipt = sell(cashier, shop, card)
        with db.read() as session:
            card_id = session.scalar(select(Entry.card_id).where(
                Entry.receipt_id == receipt.id))
        refs = ledger.Refs(receipt.id, 1, 100)
        now = datetime.now(UTC)
        with db.transaction() as session:
            ledger.entry(session, card_id, "spend", now, refs)
            ledger.entry(session, card_id, "spend", now, refs)
        with db.read() as session:
            assert len(session.scalars(select(Entry.id).where(
                Entry.receipt_id == receipt.id, Entry.payment_seq == 1)).all()) == 2

    @pytest.mark.parametrize("refs", [ledger.Refs(None, 0, once_key="earn:1"),
                                      ledger.Refs(1, None, once_key="earn:1")],
                             ids=["no_receipt", "no_payment"])
    def test_a_keyed_entry_names_its_receipt_and_payment(self, refs, card, db):
        with pytest.raises(ValueError, match="names its receipt and payment"), \
                db.transaction() as session:
            ledger.entry(session, 1, "earn", datetime.now(UTC), refs)
