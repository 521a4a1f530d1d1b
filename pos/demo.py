"""Demo data: one store with two tills, its cashier and manager, an admin, ~200 items.

Also manual discount limits and a few automatic discounts, so quotes, hints and the
applied-discounts report show something on a fresh ``make run``. Loaded once: a second run
finds the demo store and changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from loyalty.gift_certificates.codes import CodeBook
from loyalty.gift_certificates.demo import DEMO_SKU, load_demo_certificates
from loyalty.gift_certificates.wiring import code_book
from pos.auth.model import User
from pos.auth.service import NewUser, create_user, principal_of
from pos.catalog.model import Barcode, Item, Price, PriceGroup, PriceType, Segment
from pos.core.barcode import gs1_check_digit
from pos.core.db import Database
from pos.core.request import current_settings
from pos.demo_loyalty import load_loyalty_demo
from pos.discounts.limits import replace_limits
from pos.discounts.schemas import NewDiscountSchema
from pos.discounts.service import create_discount
from pos.stores.model import Store, Till

DEMO_STORE = "MAIN"
DEMO_USERS = (
    ("cashier", "cashier-pass", "cashier"),
    ("manager", "manager-pass", "manager"),
    ("admin", "admin-pass", "admin"),
)
DEMO_PINS = {"cashier": "1111", "manager": "2222", "admin": "3333"}

PRICE_GROUPS = {"DAIRY": "Dairy", "BAKERY": "Bakery", "PRODUCE": "Fruit and vegetables",
                "GROCERY": "Grocery", "DRINKS": "Drinks", "TOBACCO": "Tobacco"}
SEGMENTS = {"MILK": "Milk and cream", "CHEESE": "Cheese", "BREAD": "Bread", "FRUIT": "Fruit",
            "VEG": "Vegetables", "COFFEE": "Coffee", "TEA": "Tea", "SWEETS": "Sweets",
            "WATER": "Water and juice", "READY": "Ready meals"}

# (sku, name, group, segment, weighed, plu, price in kopecks per unit or per kg)
SIGNATURE_ITEMS = (
    ("OAT-MILK-1L", "Oat milk 1 l", "DAIRY", "MILK", False, None, 14990),
    ("MILK-3.2-1L", "Milk 3.2% 1 l", "DAIRY", "MILK", False, None, 8990),
    ("GOUDA-KG", "Gouda cheese", "DAIRY", "CHEESE", True, 101, 89900),
    ("BANANA-KG", "Bananas", "PRODUCE", "FRUIT", True, 1, 12990),
    ("APPLE-KG", "Apples Golden", "PRODUCE", "FRUIT", True, 2, 15990),
    ("TOMATO-KG", "Tomatoes", "PRODUCE", "VEG", True, 3, 24990),
    ("BAGUETTE", "Baguette", "BAKERY", "BREAD", False, None, 6990),
    ("COFFEE-BEANS-1KG", "Coffee beans 1 kg", "GROCERY", "COFFEE", False, None, 149900),
    ("ESPRESSO-250G", "Espresso ground 250 g", "GROCERY", "COFFEE", False, None, 45900),
    ("GREEN-TEA-100G", "Green tea 100 g", "GROCERY", "TEA", False, None, 25900),
    ("WATER-0.5L", "Still water 0.5 l", "DRINKS", "WATER", False, None, 4990),
    ("CHOCOLATE-100G", "Dark chocolate 100 g", "GROCERY", "SWEETS", False, None, 12990),
)
# (user group, price group or None for the general limit, largest percent)
DEMO_LIMITS = (
    ("cashiers", None, "5"), ("cashiers", "BAKERY", "10"), ("cashiers", "PRODUCE", "10"),
    ("managers", None, "20"), ("managers", "PRODUCE", "30"),
)
# Automatic discounts as the API takes them, but items named by SKU (``item_skus``).
DEMO_DISCOUNTS = (
    {"name": "Coffee: 10% from 3 items", "segment": "COFFEE",
     "benefit": {"type": "percent_off", "percent": "10"},
     "conditions": [{"type": "segment_quantity", "segment": "COFFEE", "min_quantity": "3"}]},
    {"name": "Happy hour: bakery 20% off, 19:00-21:00", "price_groups": ["BAKERY"],
     "benefit": {"type": "percent_off", "percent": "20"},
     "conditions": [{"type": "time_of_sale", "ranges": [{"start": "19:00", "end": "21:00"}]}]},
    {"name": "3% off receipts over 1,000.00", "scope": "document",
     "benefit": {"type": "percent_off", "percent": "3"},
     "conditions": [{"type": "receipt_volume", "min_amount": "1000.00"}]},
    {"name": "Still water: 2+1", "item_skus": ["WATER-0.5L"],
     "benefit": {"type": "quantity_discount", "every_nth": 3}},
)
FILLER = (("GROCERY", "SWEETS", "Cookies"), ("DRINKS", "WATER", "Juice"),
          ("DAIRY", "MILK", "Yoghurt"), ("BAKERY", "BREAD", "Rye bread"),
          ("GROCERY", "TEA", "Black tea"), ("GROCERY", "COFFEE", "Instant coffee"),
          ("GROCERY", "READY", "Soup"), ("DAIRY", "CHEESE", "Cheese slices"))
FILLER_WEIGHED = (("PRODUCE", "FRUIT", "Pears"), ("PRODUCE", "VEG", "Potatoes"),
                  ("PRODUCE", "VEG", "Cucumbers"), ("DAIRY", "CHEESE", "Feta"))


def ean13(number: int) -> str:
    """Return a valid EAN-13 built on the demo's own prefix 460 (Russia) plus ``number``."""
    body = f"460{number:09d}"
    return body + str(gs1_check_digit(body))


def load_demo(db: Database, now: datetime, *, item_count: int = 200,
              codes: CodeBook | None = None) -> bool:
    """Load the demo data unless the demo store exists; return whether it was loaded.

    ``codes`` derives gift certificate codes (default: the running app's). Runs in an app context.
    """
    with db.read() as session:
        if session.scalar(select(Store.id).where(Store.code == DEMO_STORE)) is not None:
            return False
    with db.transaction() as session:
        retail = PriceType(code="retail", name="Retail", rounding_step_minor=1)
        session.add(retail)
        session.flush()
        store = Store(code=DEMO_STORE, name="Demo store", address="1 Market Street",
                      timezone="Europe/Moscow", max_cash_difference_minor=50000,
                      price_type_id=retail.id, created_at=now)
        store.tills = [Till(number=1, name="Till 1"), Till(number=2, name="Till 2")]
        groups = {code: PriceGroup(code=code, name=name) for code, name in PRICE_GROUPS.items()}
        segments = {code: Segment(code=code, name=name) for code, name in SEGMENTS.items()}
        session.add_all([store, *groups.values(), *segments.values()])
        session.flush()
        for index, row in enumerate(_item_rows(item_count)):
            sku, name, group, segment, weighed, plu, price = row
            item = Item(sku=sku, name=name, unit="kg" if weighed else "pcs", is_weighed=weighed,
                        vat_rate="vat10" if group in {"DAIRY", "PRODUCE", "BAKERY"} else "vat20",
                        plu=plu, price_group=groups[group], segments=[segments[segment]],
                        is_discountable=group != "TOBACCO", created_at=now, updated_at=now)
            if not weighed:
                n = 10_000 + index
                item.barcodes = [Barcode(code=ean13(n), kind="ean13")]
                if price % 7 == 0:  # some items come in two packagings
                    item.barcodes.append(Barcode(code=ean13(n + 500_000), kind="ean13"))
            session.add(item)
            session.flush()
            session.add(Price(store_id=store.id, item_id=item.id, price_type_id=retail.id,
                              price_minor=price, valid_from=_prices_from(now),
                              valid_to=None))
        store_id, till_ids = store.id, tuple(till.id for till in store.tills)
    _create_users(db, now, store_id, till_ids)
    _load_rules(db, now)
    _load_wholesale(db, now, till_ids[-1])
    load_loyalty_demo(db, now)
    _load_gift_certificates(db, now, store_id, codes or code_book(current_settings()))
    return True


# Demo sales to the wholesale customers, three deliveries each on account on the last till
# (its shift then closed). This quarter Aroma ends just below its 10,000.00 tier and Corner
# has met its 15,000.00 plan (not yet by a fifth). The previous quarter is over, so its
# period end can be run today: Aroma passed its first tier, Corner beat its plan by a fifth,
# and both paid their debt within that quarter.
WHOLESALE_SALES = (("AROMA", "COFFEE-BEANS-1KG", "2"), ("CORNER", "ESPRESSO-250G", "13"))
PREVIOUS_QUARTER_SALES = (("AROMA", "COFFEE-BEANS-1KG", "3"), ("CORNER", "ESPRESSO-250G", "16"))


def _prices_from(now: datetime) -> date:
    # From the previous quarter on, so the demo's sales in it find their prices.
    from loyalty.rebates.demo import previous_quarter

    return previous_quarter(now.date()).start


def _load_wholesale(db: Database, now: datetime, till_id: int) -> None:
    from loyalty.customers.account import register_payment
    from loyalty.rebates.demo import load_agreements, previous_quarter
    from pos.app import build_registry
    from pos.core.context import Context
    from pos.core.security import Actor

    with db.read() as session:
        users = {u.username: u for u in session.scalars(select(User))}
    registry = build_registry(current_settings())
    manager = Context(db, registry, Actor(principal_of(users["manager"])), now)
    ids = load_agreements(manager)
    _create_partner(manager, ids["AROMA"])
    cashier = Context(db, registry, Actor(principal_of(users["cashier"])), now, till_id=till_id)
    then = datetime.combine(previous_quarter(now.date()).start + timedelta(days=30),
                            time(9, 0), tzinfo=UTC)
    debts = _deliver(replace(cashier, now=then), till_id, PREVIOUS_QUARTER_SALES)
    paid = replace(manager, now=then + timedelta(days=10))
    for code, amount_minor in debts.items():
        register_payment(paid, ids[code], amount_minor, reference="demo bank transfer")
    _deliver(cashier, till_id, WHOLESALE_SALES)


# Cafe Aroma's buyer signs in at /me to follow its agreement (a user with no staff rights).
DEMO_PARTNER = ("aroma", "aroma-pass")


def _create_partner(manager: Any, customer_id: int) -> None:
    from loyalty.customers.service import link_partner

    username, password = DEMO_PARTNER
    user = create_user(manager.db, NewUser(username, "Cafe Aroma buyer", "card_holder", password),
                       now=manager.now, actor_id=None)
    link_partner(manager, customer_id, user.id)


def _deliver(cashier: Any, till_id: int, sales: tuple[tuple[str, str, str], ...]
             ) -> dict[str, int]:
    # One shift of deliveries on account at the cashier's time; return each customer's debt.
    from pos.receipts.lines import LineRequest
    from pos.receipts.opening import NewReceipt, create_receipt
    from pos.receipts.service import PaymentRequest, add_payment, close_receipt
    from pos.shifts.service import CloseShift, close_shift, open_shift

    shift = open_shift(cashier, till_id, 0)
    debts: dict[str, int] = {}
    for customer, sku, quantity in sales:
        lines = (LineRequest(sku=sku, quantity=quantity),)
        for _ in range(3):  # three deliveries each
            receipt = create_receipt(cashier, NewReceipt(till_id=till_id, customer_ref=customer,
                                                         lines=lines)).receipt
            add_payment(cashier, receipt.id, PaymentRequest("on_account", receipt.total_minor))
            close_receipt(cashier, receipt.id)
            debts[customer] = debts.get(customer, 0) + receipt.total_minor
    close_shift(cashier, shift.id, CloseShift(counted_minor=0))
    return debts


def _load_gift_certificates(db: Database, now: datetime, store_id: int, codes: CodeBook
                            ) -> None:
    """Add the certificate item (no VAT, never discounted) and the demo certificates."""
    with db.transaction() as session:
        session.add(Item(sku=DEMO_SKU, name="Gift certificate", unit="pcs", vat_rate="none",
                         is_discountable=False, created_at=now, updated_at=now))
        admin = session.scalar(select(User.id).where(User.username == "admin"))
        load_demo_certificates(session, codes, now, store_id, admin)


def _create_users(db: Database, now: datetime, store_id: int, till_ids: tuple[int, ...]
                  ) -> None:
    # The cashier and the manager work in the demo store, the cashier at both its tills; the
    # admin sees every store anyway.
    with db.read() as session:
        existing = set(session.scalars(select(User.username)))
    for username, password, role in DEMO_USERS:
        if username in existing:
            continue
        create_user(db, NewUser(username, f"Demo {role}", role, password,
                                DEMO_PINS[username], user_group=f"{role}s",
                                store_ids=(store_id,) if role != "admin" else (),
                                till_ids=till_ids if role == "cashier" else ()),
                    now=now, actor_id=None)


def _load_rules(db: Database, now: datetime) -> None:
    """Set the manual discount limits and add the demo's automatic discounts."""
    replace_limits(db, [{"user_group": user_group, "price_group": price_group,
                         "max_percent": Decimal(percent)}
                        for user_group, price_group, percent in DEMO_LIMITS])
    with db.read() as session:
        ids = {sku: item_id for sku, item_id in session.execute(select(Item.sku, Item.id))}
    schema = NewDiscountSchema()
    for document in DEMO_DISCOUNTS:
        skus = document.get("item_skus", ())
        if not all(sku in ids for sku in skus):
            continue  # a catalog loaded with fewer items (--items) may lack them
        fields = {key: value for key, value in document.items() if key != "item_skus"}
        if skus:
            fields["item_ids"] = [ids[sku] for sku in skus]
        create_discount(db, schema.load(fields), now)


def _item_rows(count: int) -> list[tuple[str, str, str, str, bool, int | None, int]]:
    rng = random.Random(20261122)
    rows = list(SIGNATURE_ITEMS)
    plu = 200
    while len(rows) < count:
        n = len(rows)
        if n % 10 == 0:
            group, segment, name = FILLER_WEIGHED[n % len(FILLER_WEIGHED)]
            plu += 1
            rows.append((f"{name.upper().replace(' ', '-')}-{n}-KG", f"{name} #{n}", group,
                         segment, True, plu, rng.randrange(9900, 99900, 10)))
        else:
            group, segment, name = FILLER[n % len(FILLER)]
            rows.append((f"{name.upper().replace(' ', '-')}-{n}", f"{name} #{n}", group,
                         segment, False, None, rng.randrange(2990, 59990, 10)))
    return rows[:count]
