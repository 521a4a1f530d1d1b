"""The current price: the barcode lookup's query and the receipt's batch apply one rule."""

from datetime import date

import pytest
from sqlalchemy import delete

from pos.catalog.model import Price, PriceType
from pos.catalog.prices import current_prices, price_query
from pos.stores.model import Store

DAY = date(2026, 11, 22)


@pytest.fixture
def price_types(db, shop):
    """Oat milk with expired, future, tied and promo prices; milk with none valid today."""
    oat, milk = shop.items["OAT-MILK-1L"], shop.items["MILK-1L"]
    with db.transaction() as session:
        retail = session.get(Store, shop.store_id).price_type_id
        promo = PriceType(code="promo", name="Promo", rounding_step_minor=1)
        session.add(promo)
        session.flush()

        def price(item_id, minor, valid_from, valid_to=None, type_id=retail):
            session.add(Price(store_id=shop.store_id, item_id=item_id, price_type_id=type_id,
                              price_minor=minor, valid_from=valid_from, valid_to=valid_to))
            session.flush()  # rows get ids in this order

        price(oat, 13990, date(2026, 11, 1), valid_to=date(2026, 11, 21))  # expired
        price(oat, 15990, date(2026, 11, 20))  # tied on valid_from: the later row wins
        price(oat, 16990, date(2026, 11, 20))
        price(oat, 17990, date(2026, 11, 23))  # tomorrow
        price(oat, 9990, date(2026, 11, 22), type_id=promo.id)
        session.execute(delete(Price).where(Price.item_id == milk))
        price(milk, 7990, date(2026, 11, 23))
    return {"retail": retail, "promo": promo.id, None: None}


class TestCurrentPrice:
    @pytest.mark.parametrize(("store_type", "oat_minor"), [
        ("retail", 16990),  # latest valid_from, then the latest row, of the store's type
        ("promo", 9990),  # a store of another type sees only that type
        (None, 9990),  # a store without a type takes any: the promo's valid_from is later
    ])
    def test_batch_and_lookup_pick_the_same_price(self, db, shop, price_types, store_type,
                                                  oat_minor):
        oat, milk = shop.items["OAT-MILK-1L"], shop.items["MILK-1L"]
        store = Store(id=shop.store_id, price_type_id=price_types[store_type])
        with db.read() as session:
            batch = current_prices(session, store, [oat, milk], DAY)
            single = {i: session.scalar(price_query(store, i, DAY)) for i in (oat, milk)}
        assert batch == {oat: oat_minor}
        assert single == {oat: oat_minor, milk: None}

    def test_no_items_asks_nothing(self, db, shop):
        with db.read() as session:
            assert current_prices(session, Store(id=shop.store_id), [], DAY) == {}
