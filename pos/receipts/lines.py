"""Turn what the till sends (SKU or barcode, quantity, weight source) into priced lines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from loyalty.gift_certificates.selling import SaleRequest, resolve_sale
from pos.catalog.model import Item, PriceGroup
from pos.catalog.prices import current_prices, resolve_code
from pos.catalog.service import segments_by_item
from pos.core.barcode import WeightLayout
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.money import MoneyFormatError, line_amount, parse_quantity
from pos.discounts.engine import LineInput
from pos.receipts.model import MILLI, ReceiptLine
from pos.stores.model import Store

WEIGHT_SOURCES = ("scale", "manual")
MAX_QUANTITY = Decimal("99999.999")


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


def check_quantity(item: Item, quantity: Decimal) -> None:
    """Refuse a fractional quantity of a piece item."""
    if not item.is_weighed and quantity != quantity.to_integral_value():
        raise ValidationError(f"{item.sku} is sold by the piece", code="fractional_quantity",
                              field="quantity")


class LoadedItems:
    """The catalog items one use case has loaded, with price group and segments, by id.

    Resolving lines fills it; pricing and the purchase history read it instead of querying
    the catalog again in the same transaction.
    """

    def __init__(self) -> None:
        self.by_id: dict[int, Item] = {}
        self._facts: dict[int, ItemFacts] = {}

    def add(self, item: Item) -> None:
        """Remember an item loaded by this use case."""
        self.by_id[item.id] = item

    def of(self, session: Session, item_ids: Iterable[int]) -> dict[int, Item]:
        """Return the items of ``item_ids``, loading those not seen yet in one query."""
        missing = set(item_ids) - self.by_id.keys()
        if missing:
            for item in session.scalars(select(Item).where(Item.id.in_(missing))):
                self.add(item)
        return self.by_id

    def facts(self, session: Session, item_ids: Iterable[int]) -> dict[int, ItemFacts]:
        """Return what pricing reads of each item; items not loaded are read as plain rows.

        The lines already on a receipt need only these three facts: two Core queries, not
        ORM items with their price group and segments (the add-line hot path).
        """
        wanted = set(item_ids)
        for item_id in wanted & self.by_id.keys() - self._facts.keys():
            item = self.by_id[item_id]
            self._facts[item_id] = ItemFacts(
                item.price_group.code if item.price_group else None,
                frozenset(s.code for s in item.segments), item.is_discountable)
        missing = wanted - self._facts.keys()
        if missing:
            segments = segments_by_item(session, list(missing))
            for item_id, group, is_discountable in session.execute(
                    _FACTS, {"ids": list(missing)}):
                self._facts[item_id] = ItemFacts(group, segments[item_id], is_discountable)
        return self._facts


@dataclass(frozen=True)
class ItemFacts:
    """What pricing reads of an item: its price group's code, its segments, if discountable."""

    price_group: str | None
    segments: frozenset[str]
    is_discountable: bool


_FACTS = select(Item.id, PriceGroup.code, Item.is_discountable).outerjoin(
    PriceGroup, PriceGroup.id == Item.price_group_id).where(
    Item.id.in_(bindparam("ids", expanding=True)))


def resolve_lines(session: Session, store: Store, requests: Sequence[LineRequest],
                  layouts: Sequence[WeightLayout], now: datetime, items: LoadedItems
                  ) -> list[ReceiptLine]:
    """Resolve every request to an unsaved line (SKUs in one query, barcodes one by one)."""
    skus = {r.sku for r in requests if r.sku is not None}
    by_sku = {i.sku: i for i in session.scalars(_ITEMS_BY_SKU, {"skus": list(skus)}).unique()} \
        if skus else {}
    for item in by_sku.values():
        items.add(item)
    prices = _prices(session, store, [i.id for i in by_sku.values()], now)
    lines = []
    for request in requests:
        if request.certificate is not None:
            lines.append(certificate_line(session, request.certificate, items))
        elif request.sku is not None:
            lines.append(_sku_line(by_sku, prices, request))
        else:
            lines.append(_code_line(session, store, request, layouts, now, items))
    return lines


def certificate_line(session: Session, request: SaleRequest, items: LoadedItems
                     ) -> ReceiptLine:
    """Make the line selling a gift certificate: one piece of its type's item, at its amount."""
    sale = resolve_sale(session, request)
    item = session.scalar(select(Item).where(Item.sku == sale.sku))
    if item is None:
        raise NotFoundError(f"No item {sale.sku} for this certificate type",
                            code="item_not_found", field="certificate")
    items.add(item)
    line = build_line(item, sale.amount_minor, Decimal(1), None, None)
    line.certificate_type_id, line.certificate_id = sale.type_id, sale.certificate_id
    return line


def weight_source_of(item: Item, requested: str | None) -> str | None:
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


def _sku_line(items: dict[str, Item], prices: dict[int, int], request: LineRequest
              ) -> ReceiptLine:
    item = items.get(request.sku or "")
    if item is None:
        raise NotFoundError(f"No item {request.sku}", code="item_not_found", field="sku")
    quantity = parse_line_quantity(request.quantity)
    if quantity is None:
        if item.is_weighed:
            raise ValidationError(f"{item.sku} is weighed: send a quantity in kg",
                                  code="quantity_required", field="quantity")
        quantity = Decimal(1)
    return build_line(item, prices.get(item.id), quantity,
                      weight_source_of(item, request.weight_source), None)


def _code_line(session: Session, store: Store, request: LineRequest,
               layouts: Sequence[WeightLayout], now: datetime, items: LoadedItems
               ) -> ReceiptLine:
    found = resolve_code(session, store, request.code or "", list(layouts), now)
    items.add(found.item)
    if found.is_weight_barcode:
        if request.quantity is not None:
            raise ValidationError("A weight barcode carries its own quantity",
                                  code="quantity_not_allowed", field="quantity")
        return build_line(found.item, found.unit_price_minor, found.quantity,
                          "barcode" if found.item.is_weighed else None, found.code)
    quantity = parse_line_quantity(request.quantity) or Decimal(1)
    return build_line(found.item, found.unit_price_minor, quantity,
                      weight_source_of(found.item, request.weight_source), found.code)


def build_line(item: Item, price_minor: int | None, quantity: Decimal,
               weight_source: str | None, code: str | None) -> ReceiptLine:
    """Make a line at the catalog price; weighed goods record where the weight came from."""
    if not item.is_active:
        raise ConflictError(f"{item.sku} is no longer sold", code="item_inactive", field="sku")
    if price_minor is None:
        raise ConflictError(f"{item.sku} has no price in this store", code="price_not_set",
                            field="sku")
    check_quantity(item, quantity)
    amount = line_amount(price_minor, quantity)
    return ReceiptLine(item_id=item.id, sku=item.sku, name=item.name, code=code,
                       quantity_milli=int(quantity * MILLI), unit_price_minor=price_minor,
                       base_amount_minor=amount, discount_minor=0, amount_minor=amount,
                       vat_rate=item.vat_rate, is_weighed=item.is_weighed,
                       weight_source=weight_source, is_gift=False, discounts=[])


def _prices(session: Session, store: Store, item_ids: list[int], now: datetime
            ) -> dict[int, int]:
    return current_prices(session, store, item_ids, store.local_date(now))


# Built once: the hot path only binds values.
# Segments come by the relationship's own select-in load (a second query by item id): a joined
# eager load nests the link table's join, which SQLite answers by materialising the whole
# table (40 ms per look-up with 20,000 items, against 1.3 ms this way).
_ITEMS_BY_SKU = select(Item).where(
    Item.sku.in_(bindparam("skus", expanding=True)))


def priced_items(session: Session, lines: Sequence[ReceiptLine], items: LoadedItems
                 ) -> list[LineInput]:
    """Return the engine's input for each line, reading the facts of items not seen yet."""
    by_id = items.facts(session, [line.item_id for line in lines])
    return [LineInput(
        line_no=line.line_no, item_id=line.item_id, quantity=line.quantity,
        unit_price_minor=line.unit_price_minor,
        price_group=by_id[line.item_id].price_group,
        segments=by_id[line.item_id].segments,
        # A certificate is sold at its value: no discount, whatever its item says.
        is_discountable=by_id[line.item_id].is_discountable and not line.is_certificate,
        is_gift=line.is_gift,
    ) for line in lines]
