"""A quote's basket as plain lines and engine inputs, its SKUs read as a receipt's are.

A quote saves nothing, so its lines need not be ORM objects: the items of every SKU line and
their prices come from the worker's catalog copy (``pos.catalog.cache``, as for a receipt), and
each line is a :class:`QuotedLine` built beside its engine input. Barcodes and certificates are
resolved one by one as on a receipt, then priced the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from pos.catalog.cache import CatalogItem
from pos.core.barcode import WeightLayout
from pos.core.errors import NotFoundError, ValidationError
from pos.discounts.engine import LineInput
from pos.receipts.lines import (
    LineRequest,
    LoadedItems,
    parse_line_quantity,
    priced_items,
    resolve_lines,
    sellable_amount,
    sku_items,
    weight_source_of,
)
from pos.receipts.model import MILLI, ReceiptLine
from pos.stores.model import Store


@dataclass(slots=True)
class QuotedLine:
    """A priced basket line with the attributes of a receipt line, never saved."""

    line_no: int
    item_id: int
    sku: str
    name: str
    quantity: Decimal
    unit_price_minor: int
    base_amount_minor: int
    vat_rate: str
    weight_source: str | None
    discount_minor: int = 0
    amount_minor: int = 0
    discounts: list[dict[str, Any]] = field(default_factory=list)
    code: str | None = None
    is_gift: bool = False
    original_line_id: int | None = None
    certificate_type_id: int | None = None
    certificate_id: int | None = None

    @property
    def is_manual_weight(self) -> bool:
        """Tell whether the weight was typed in rather than read from a scale."""
        return self.weight_source == "manual"


Line = QuotedLine | ReceiptLine


def quoted_lines(session: Session, store: Store, requests: Sequence[LineRequest],
                 layouts: Sequence[WeightLayout], now: datetime
                 ) -> tuple[list[Line], list[LineInput]]:
    """Resolve the requests in order to lines numbered from 1 and the engine's inputs."""
    loaded = LoadedItems()
    items = sku_items(session, store, requests, now, loaded)
    lines: list[Line] = []
    inputs: list[LineInput] = []
    quantities: dict[Any, Decimal | None] = {}  # a basket repeats "1" and "2": parse each once
    for line_no, request in enumerate(requests, start=1):
        if request.sku is not None and request.certificate is None:
            found = items.get(request.sku)
            if found is None:
                raise NotFoundError(f"No item {request.sku}", code="item_not_found", field="sku")
            item = found[0]
            line = _sku_line(line_no, item, found[1], request, quantities)
            inputs.append(_input(line, item))
        else:
            (line,) = resolve_lines(session, store, [request], layouts, now, loaded)
            line.line_no = line_no
            inputs += priced_items(session, [line], loaded)
        lines.append(line)
    return lines, inputs


def _sku_line(line_no: int, item: CatalogItem, price_minor: int | None, request: LineRequest,
              quantities: dict[Any, Decimal | None]) -> QuotedLine:
    # The checks of a receipt's SKU line (lines._sku_line, lines.build_line), in that order.
    quantity = _quantity(request.quantity, quantities)
    if quantity is None:
        if item.is_weighed:
            raise ValidationError(f"{item.sku} is weighed: send a quantity in kg",
                                  code="quantity_required", field="quantity")
        quantity = _ONE
    source = weight_source_of(item, request.weight_source)
    amount = sellable_amount(item, price_minor, quantity)
    assert price_minor is not None  # sellable_amount refused it otherwise
    return QuotedLine(line_no, item.id, item.sku, item.name, quantity, price_minor, amount,
                      item.vat_rate, source, amount_minor=amount)


def _quantity(text: str | Decimal | None, known: dict[Any, Decimal | None]) -> Decimal | None:
    """Return the quantity a receipt would hold for ``text`` (None: not sent), or refuse it."""
    if text not in known:
        parsed = parse_line_quantity(text)
        # Stored as thousandths on a receipt: quote the quantity a receipt would hold.
        known[text] = None if parsed is None else Decimal(int(parsed * MILLI)).scaleb(-3)
    return known[text]


_ONE = Decimal(MILLI).scaleb(-3)  # a piece item's quantity when none is sent, as stored


def _input(line: QuotedLine, item: CatalogItem) -> LineInput:
    return LineInput(line.line_no, item.id, line.quantity, line.unit_price_minor,
                     item.price_group, item.segments, item.is_discountable)
