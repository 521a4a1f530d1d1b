"""Gift certificate test helpers: the certificate item, two types, selling and paying."""

from __future__ import annotations

from datetime import datetime

from loyalty.gift_certificates import service as gift_service
from loyalty.gift_certificates.selling import SaleRequest
from loyalty.gift_certificates.wiring import code_book
from pos.catalog.model import Item
from pos.core.config import Settings
from pos.core.context import Context
from pos.core.db import Database
from pos.receipts.lines import LineRequest
from pos.receipts.model import Receipt
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest
from tests.helpers import TEST_SECRET_KEY

GIFT_SKU = "GIFT-CERT"
FIXED, FREE, WHOLE = "GC-1000", "GC-FREE", "GC-WHOLE"
THOUSAND_MINOR = 100000
# The code book of the app under test (its secret key).
CODES = code_book(Settings(secret_key=TEST_SECRET_KEY))


def add_certificate_item(db: Database, now: datetime) -> int:
    """Add the catalog item certificate lines are made of (no VAT, never discounted)."""
    with db.transaction() as session:
        item = Item(sku=GIFT_SKU, name="Gift certificate", unit="pcs", vat_rate="none",
                    is_discountable=False, created_at=now, updated_at=now)
        session.add(item)
        session.flush()
        return item.id


def add_types(manager: Context) -> dict[str, int]:
    """Create a fixed 1000.00 type, a free 500-10000 type and a spend-it-whole type."""
    made = [
        gift_service.create_type(manager, gift_service.NewType(
            FIXED, "Certificate 1000", GIFT_SKU, face_value_minor=THOUSAND_MINOR)),
        gift_service.create_type(manager, gift_service.NewType(
            FREE, "Certificate, any amount", GIFT_SKU, min_minor=50000, max_minor=1000000,
            valid_days=180)),
        gift_service.create_type(manager, gift_service.NewType(
            WHOLE, "Spend it whole", GIFT_SKU, face_value_minor=50000,
            is_partial_allowed=False)),
    ]
    return {kind.code: kind.id for kind in made}


def certificate_line(type_code: str | None = None, amount_minor: int | None = None,
                     serial: str | None = None) -> LineRequest:
    """Return a line selling a certificate."""
    return LineRequest(certificate=SaleRequest(type_code, amount_minor, serial))


def sell(ctx: Context, till_id: int, type_code: str = FIXED, amount_minor: int | None = None,
         client_uuid: str | None = None) -> tuple[Receipt, str]:
    """Sell an electronic certificate for cash in one shot; return the sale and the code."""
    sale = create_receipt(ctx, NewReceipt(
        till_id=till_id, client_uuid=client_uuid,
        lines=(certificate_line(type_code, amount_minor),),
        payments=(PaymentRequest("cash", amount_minor or THOUSAND_MINOR),))).receipt
    sold = gift_service.sold_on(ctx.db, CODES, sale.id, ctx.actor.principal)
    return sale, sold[0].code


def pay(code: str, amount_minor: int) -> PaymentRequest:
    """Pay ``amount_minor`` with a certificate."""
    return PaymentRequest("gift_certificate", amount_minor, details={"code": code})
