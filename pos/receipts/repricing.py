"""Pricing an open receipt again: its lines' discounts, its totals and the stored trace."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pos.core.context import Context
from pos.discounts.tree import active_rules
from pos.receipts.gifts import settle_gifts
from pos.receipts.lines import LoadedItems, priced_items
from pos.receipts.model import Receipt
from pos.receipts.pricing import SaleFacts, price_lines
from pos.stores.model import Store


def reprice(session: Session, ctx: Context, receipt: Receipt, store: Store,
            items: LoadedItems | None = None, payment_forms: frozenset[str] | None = None
            ) -> None:
    """Run pricing over the receipt and store each line's discounts and the trace."""
    if not receipt.lines:
        receipt.total_minor = receipt.discount_minor = 0
        receipt.pricing_trace = []
        return
    forms = payment_forms if payment_forms is not None else frozenset(
        p.kind for p in receipt.payments)
    facts = SaleFacts(now_local=ctx.now.astimezone(store.zone).replace(tzinfo=None),
                      store_id=store.id, cashier_group=ctx.actor.principal.user_group,
                      card_code=receipt.card_code, customer_ref=receipt.customer_ref,
                      payment_forms=forms, manual_discounts=tuple(receipt.manual_discounts))
    items = items or LoadedItems()
    rules = active_rules(ctx.registry.caches, session)
    pricing = settle_gifts(session, receipt, store, ctx.now, items, lambda: price_lines(
        session, rules, priced_items(session, receipt.lines, items), facts))
    by_no = {line.line_no: line for line in receipt.lines}
    for priced in pricing.lines:
        line = by_no[priced.line_no]
        line.discount_minor, line.amount_minor = priced.discount_minor, priced.amount_minor
        line.discounts = [a.to_dict() for a in priced.applied]
    receipt.total_minor = pricing.total_minor
    receipt.discount_minor = pricing.discount_total_minor
    receipt.pricing_trace = trace_of(pricing)


def trace_of(pricing: Any) -> list[dict[str, Any]]:
    """Return a pricing's trace as stored with the receipt (the applied-discounts report)."""
    return [{"line_no": e.line_no, "event": e.event, **e.record.to_dict()}
            for e in pricing.trace]
