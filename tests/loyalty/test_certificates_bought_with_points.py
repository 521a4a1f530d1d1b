"""A certificate type says whether bonus points may buy it: checked when points are paid."""

from __future__ import annotations

import pytest

from loyalty.gift_certificates import service as gift_service
from loyalty.points import service as points
from pos.receipts import service
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest
from tests.gift_helpers import (
    GIFT_SKU,
    THOUSAND_MINOR,
    add_certificate_item,
    add_types,
    certificate_line,
)
from tests.helpers import refused

OAT = 14990


@pytest.fixture
def rich_card(db, fixed_clock, manager, card):  # type: ignore[no-untyped-def]
    """Certificate types (GC-1000 not for points, GC-PTS for points); a card rich in points."""
    add_certificate_item(db, fixed_clock.now())
    add_types(manager)
    gift_service.create_type(manager, gift_service.NewType(
        "GC-PTS", "Bought with points", GIFT_SKU, face_value_minor=THOUSAND_MINOR,
        is_points_purchasable=True))
    points.adjust(manager, card, 10_000_000, "test points")
    return card


def _open(cashier, shop, card, type_code):  # type: ignore[no-untyped-def]
    receipt = create_receipt(cashier, NewReceipt(till_id=shop.till_id, card_code=card)).receipt
    service.add_line(cashier, receipt.id, LineRequest(sku="OAT-MILK-1L"))
    service.add_line(cashier, receipt.id, certificate_line(type_code))
    return receipt


def test_points_pay_for_the_goods_never_for_a_certificate_not_sold_for_points(
        db, cashier, shop, shift, rich_card):  # type: ignore[no-untyped-def]
    receipt = _open(cashier, shop, rich_card, "GC-1000")
    before = points.settled_card(db, rich_card, cashier.now).balance_cp
    with refused("certificate_not_for_points") as caught:
        service.add_payment(cashier, receipt.id, PaymentRequest("points", 15000))
    assert caught.value.extra == {"payable_minor": OAT}
    assert service.get_receipt(db, receipt.id).payments == []
    assert points.settled_card(db, rich_card, cashier.now).balance_cp == before
    service.add_payment(cashier, receipt.id, PaymentRequest("points", 14900))  # whole points
    with refused("certificate_not_for_points") as caught:
        service.add_payment(cashier, receipt.id, PaymentRequest("points", 100))
    assert caught.value.extra == {"payable_minor": OAT - 14900}
    service.add_payment(cashier, receipt.id, PaymentRequest("cash", THOUSAND_MINOR + 90))
    assert service.close_receipt(cashier, receipt.id).state == "closed"


def test_a_type_sold_for_points_takes_them(db, cashier, shop, shift, rich_card
                                           ):  # type: ignore[no-untyped-def]
    receipt = _open(cashier, shop, rich_card, "GC-PTS")
    paid = service.add_payment(cashier, receipt.id, PaymentRequest("points", 50000))
    assert [p.amount_minor for p in paid.payments] == [50000]  # beyond the oat milk


def test_a_one_shot_sale_paying_a_certificate_with_points_is_refused_whole(
        db, cashier, shop, shift, rich_card):  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from pos.receipts.model import Receipt

    with refused("certificate_not_for_points"):
        create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, card_code=rich_card,
            lines=(certificate_line("GC-1000"),),
            payments=(PaymentRequest("points", 10000),
                      PaymentRequest("cash", THOUSAND_MINOR - 10000))))
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Receipt)) == 0
