"""Turn what the till sends (SKU or barcode, quantity, weight source) into priced lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.gift_certificates.selling import SaleRequest, resolve_sale
from pos.catalog.cache import CatalogItem, catalog
from pos.catalog.model import Item
from pos.catalog.prices import resolve_code
from pos.core.barcode import WeightLayout
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.money import MoneyFormatError, line_amount, parse_quantity
from pos.discounts.engine import LineInput
from pos.receipts.model import MILLI, ReceiptLine
from pos.stores.model import Store

WEIGHT_SOURCES = ("scale", "manual")
MAX_QUANTITY = Decimal("99999.999")

MakeLine = Callable[..., Any]  # builds a line from its fields: ReceiptLine, or a draft's


@dataclass(frozen=True)
class LineRequest:
    """A line as the till asks for it: an SKU or any barcode, a quantity, a weight source."""

    sku: str | None = None
    code: str | None = None
    quantity: str | Decimal | None = None
    weight_source: str | None = None
    certificate: SaleRequest | None = None  # a gift certificate sold (then no sku or code)


def parse_line_quantity(text: str | Decimal | None, field: str = "quantity"
                        ) -> Decimal | None:
    """Parse a quantity: positive, at most three decimals; ``invalid_quantity`` otherwise."""
    if text is None:
        return None
    try:
        quantity = parse_quantity(text)
    except MoneyFormatError as error:
        raise ValidationError(str(error), code="invalid_quantity", field=field) from None
    if quantity <= 0 or quantity > MAX_QUANTITY:
        raise ValidationError("Quantity must be above 0 and below 100000",
                              code="invalid_quantity", field=field)
    return quantity


def check_quantity(item: CatalogItem, quantity: Decimal) -> None:
    """Refuse a fractional quantity of a piece item."""
    if not item.is_weighed and quantity != quantity.to_integral_value():
        raise ValidationError(f"{item.sku} is sold by the piece", code="fractional_quantity",
                              field="quantity")


class LoadedItems:
    """The catalog items one use case has read, by id, as the worker's catalog copy gives them.

    Resolving lines fills it; pricing and the purchase history read it instead of asking the
    catalog again in the same transaction. Items found another way (a barcode, a certificate)
    are added as the same plain :class:`CatalogItem`.
    """

    def __init__(self) -> None:
        self.by_id: dict[int, CatalogItem] = {}

    def add(self, item: Item | CatalogItem) -> CatalogItem:
        """Remember an item read by this use case; return it as a plain catalog item."""
        plain = item if isinstance(item, CatalogItem) else CatalogItem(
            item.id, item.sku, item.name, item.is_weighed, item.vat_rate, item.is_active,
            item.is_discountable, item.price_group.code if item.price_group else None,
            frozenset(s.code for s in item.segments))
        self.by_id[plain.id] = plain
        return plain

    def of(self, session: Session, item_ids: Iterable[int]) -> dict[int, CatalogItem]:
        """Return the items of ``item_ids``, reading those not seen yet from the catalog."""
        missing = set(item_ids) - self.by_id.keys()
        if missing:
            self.by_id.update(catalog(session).items_by_id(missing))
        return self.by_id


def resolve_lines(session: Session, store: Store, requests: Sequence[LineRequest],
                  layouts: Sequence[WeightLayout], now: datetime, items: LoadedItems,
                  make: MakeLine = ReceiptLine) -> list[Any]:
    """Resolve every request to an unsaved line (SKUs in one query, barcodes one by one).

    ``make`` builds each line: a stored receipt's (the default) or a draft's.
    """
    by_sku = sku_items(session, store, requests, now, items)
    lines = []
    for request in requests:
        if request.certificate is not None:
            lines.append(certificate_line(session, request.certificate, items, make))
        elif request.sku is not None:
            lines.append(sku_line(by_sku, request, make))
        else:
            lines.append(_code_line(session, store, request, layouts, now, items, make))
    return lines


def certificate_line(session: Session, request: SaleRequest, items: LoadedItems,
                     make: MakeLine = ReceiptLine) -> Any:
    """Make the line selling a gift certificate: one piece of its type's item, at its amount."""
    sale = resolve_sale(session, request)
    item = session.scalar(select(Item).where(Item.sku == sale.sku))
    if item is None:
        raise NotFoundError(f"No item {sale.sku} for this certificate type",
                            code="item_not_found", field="certificate")
    line = build_line(items.add(item), sale.amount_minor, Decimal(1), None, None, make)
    line.certificate_type_id, line.certificate_id = sale.type_id, sale.certificate_id
    return line


def weight_source_of(item: CatalogItem, requested: str | None) -> str | None:
    """Return where a weighed item's weight comes from: typed in unless the till says scale.

    A weight the till does not vouch for is ``manual`` (it needs the manual_weight right and
    is flagged on the line), never silently taken for the scale's. Only a weight barcode's own
    line says ``barcode``; a till may not claim it, nor any other source than ``scale`` or
    ``manual``. Piece goods have none.
    """
    if not item.is_weighed:
        return None
    source = requested or "manual"
    if source not in WEIGHT_SOURCES:
        raise ValidationError("weight_source is scale or manual", code="invalid_weight_source",
                              field="weight_source")
    return source


def sku_items(session: Session, store: Store, requests: Sequence[LineRequest], now: datetime,
              items: LoadedItems) -> dict[str, tuple[CatalogItem, int | None]]:
    """Return the item and current price of every SKU the requests name (unknown ones left out)."""
    skus = {r.sku for r in requests if r.sku is not None and r.certificate is None}
    if not skus:
        return {}
    known = catalog(session)
    by_sku = known.items_by_sku(skus)
    items.by_id.update((item.id, item) for item in by_sku.values())
    prices = known.prices(store, [item.id for item in by_sku.values()], store.local_date(now))
    return {sku: (item, prices.get(item.id)) for sku, item in by_sku.items()}


def sku_line(by_sku: dict[str, tuple[CatalogItem, int | None]], request: LineRequest,
             make: MakeLine = ReceiptLine) -> Any:
    """Make the line of an SKU request from ``sku_items``' answer."""
    found = by_sku.get(request.sku or "")
    if found is None:
        raise NotFoundError(f"No item {request.sku}", code="item_not_found", field="sku")
    item, price_minor = found
    quantity = parse_line_quantity(request.quantity)
    if quantity is None:
        if item.is_weighed:
            raise ValidationError(f"{item.sku} is weighed: send a quantity in kg",
                                  code="quantity_required", field="quantity")
        quantity = Decimal(1)
    return build_line(item, price_minor, quantity,
                      weight_source_of(item, request.weight_source), None, make)


def _code_line(session: Session, store: Store, request: LineRequest,
               layouts: Sequence[WeightLayout], now: datetime, items: LoadedItems,
               make: MakeLine) -> Any:
    found = resolve_code(session, store, request.code or "", list(layouts), now)
    item = items.add(found.item)
    if found.is_weight_barcode:
        if request.quantity is not None:
            raise ValidationError("A weight barcode carries its own quantity",
                                  code="quantity_not_allowed", field="quantity")
        return build_line(item, found.unit_price_minor, found.quantity,
                          "barcode" if item.is_weighed else None, found.code, make)
    quantity = parse_line_quantity(request.quantity) or Decimal(1)
    return build_line(item, found.unit_price_minor, quantity,
                      weight_source_of(item, request.weight_source), found.code, make)


def sellable_amount(item: CatalogItem, price_minor: int | None, quantity: Decimal) -> int:
    """Return the amount of ``quantity`` of an item on sale here, or refuse it as a line."""
    if not item.is_active:
        raise ConflictError(f"{item.sku} is no longer sold", code="item_inactive", field="sku")
    if price_minor is None:
        raise ConflictError(f"{item.sku} has no price in this store", code="price_not_set",
                            field="sku")
    check_quantity(item, quantity)
    return line_amount(price_minor, quantity)


def build_line(item: CatalogItem, price_minor: int | None, quantity: Decimal,
               weight_source: str | None, code: str | None, make: MakeLine = ReceiptLine
               ) -> Any:
    """Make a line at the catalog price; weighed goods record where the weight came from."""
    amount = sellable_amount(item, price_minor, quantity)
    assert price_minor is not None  # sellable_amount refused it otherwise
    return make(item_id=item.id, sku=item.sku, name=item.name, code=code,
                quantity_milli=int(quantity * MILLI), unit_price_minor=price_minor,
                base_amount_minor=amount, discount_minor=0, amount_minor=amount,
                vat_rate=item.vat_rate, is_weighed=item.is_weighed,
                weight_source=weight_source, is_gift=False, discounts=[])


def priced_items(session: Session, lines: Sequence[ReceiptLine], items: LoadedItems
                 ) -> list[LineInput]:
    """Return the engine's input for each line, reading the items not seen yet."""
    by_id = items.of(session, [line.item_id for line in lines])
    return [LineInput(
        line_no=line.line_no, item_id=line.item_id, quantity=line.quantity,
        unit_price_minor=line.unit_price_minor,
        price_group=by_id[line.item_id].price_group,
        segments=by_id[line.item_id].segments,
        # A certificate is sold at its value: no discount, whatever its item says.
        is_discountable=by_id[line.item_id].is_discountable and not line.is_certificate,
        is_gift=line.is_gift,
    ) for line in lines]
