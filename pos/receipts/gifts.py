"""Gift lines: the receipt adds the item a gift rule gives away, and drops it when it lapses.

The engine announces a gift it could not place on a line (``Pricing.gift_lines``); the
receipt then adds that item as a line of its own, flagged ``is_gift``, and prices again so the
gift benefit brings it to the gift price. A gift line whose gift no longer applies (a
qualifying line was removed) is dropped, and so is one whose item the till scanned itself:
the gift then goes to the till's own line, so the customer never pays for the gift twice.
Pricing runs again only on a receipt where a gift comes or goes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from pos.catalog.prices import current_prices
from pos.core.errors import ConflictError
from pos.discounts.engine import GiftLine, Pricing
from pos.receipts.lines import LoadedItems, MakeLine, build_line
from pos.receipts.model import Receipt, ReceiptLine
from pos.stores.model import Store


def settle_gifts(session: Session, receipt: Receipt, store: Store, now: datetime,
                 items: LoadedItems, run: Callable[[], Pricing]) -> Pricing:
    """Price the receipt with ``run``, adding and dropping gift lines until they agree."""
    pricing = run()
    stale = [line for line in receipt.lines if line.is_gift and (
        line.line_no not in pricing.gifted_line_nos or _scanned_too(receipt, line))]
    if stale:
        for line in stale:
            receipt.lines.remove(line)
        pricing = run()
    added = [line for gift in pricing.gift_lines
             if (line := _gift_line(session, store, now, items, gift, receipt.new_line))
             is not None]
    if not added:
        return pricing
    for line in added:
        receipt.add_line(line)
    return run()


def _scanned_too(receipt: Receipt, gift: ReceiptLine) -> bool:
    return any(line.item_id == gift.item_id and not line.is_gift for line in receipt.lines)


def _gift_line(session: Session, store: Store, now: datetime, items: LoadedItems,
               gift: GiftLine, make: MakeLine) -> ReceiptLine | None:
    item = items.of(session, [gift.item_id]).get(gift.item_id)
    if item is None:
        return None
    price = current_prices(session, store, [item.id], store.local_date(now)).get(
        item.id, gift.unit_price_minor)
    try:
        line = build_line(item, price, gift.quantity, None, None, make)
    except ConflictError:
        return None  # an item no longer sold is not given away; the quote still announces it
    line.is_gift = True
    return line
