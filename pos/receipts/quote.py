"""Price a basket without saving anything: the till's preview, and what a simulation prices.

A :class:`Subject` is what pricing needs of a basket or a stored receipt: its lines, the
engine's inputs and the sale facts conditions look at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from pos.catalog.cache import catalog
from pos.core.context import Context
from pos.core.errors import NotFoundError, ValidationError
from pos.core.scope import sees_store
from pos.discounts.engine import LineInput, Pricing
from pos.discounts.tree import active_rules
from pos.receipts.access import sees_receipt
from pos.receipts.cards import checked_card_code, expect_card
from pos.receipts.lines import LineRequest, LoadedItems, priced_items
from pos.receipts.model import Receipt
from pos.receipts.pricing import SaleFacts, price_lines
from pos.receipts.quote_lines import Line, quoted_lines
from pos.stores.model import Store
from pos.stores.service import till_not_found


@dataclass(frozen=True)
class Basket:
    """What the till wants priced."""

    till_id: int
    lines: tuple[LineRequest, ...]
    card_code: str | None = None
    customer_ref: str | None = None
    payment_forms: frozenset[str] = frozenset()

    @classmethod
    def of(cls, data: dict[str, Any]) -> Basket:
        """Build a basket from a loaded ``QuoteSchema``."""
        return cls(till_id=data["till_id"], lines=tuple(LineRequest(**x) for x in data["lines"]),
                   card_code=data.get("card_code"), customer_ref=data.get("customer_ref"),
                   payment_forms=frozenset(data["payment_forms"]))


@dataclass(frozen=True)
class Subject:
    """Lines to price, the engine's inputs for them, and the facts of the sale."""

    lines: Sequence[Line]
    inputs: list[LineInput]
    facts: SaleFacts


def quote(ctx: Context, basket: Basket, *, explain: bool = False) -> dict[str, Any]:
    """Return the priced lines and totals of a basket (read-only); ``explain``: its trace too.

    The trace repeats each line's applied discounts and adds the displaced ones: a till
    pricing on every scan has no use for it, so it is written only when asked for.
    """
    if not basket.lines:
        raise ValidationError("A quote needs lines", code="receipt_empty", field="lines")
    with ctx.db.read() as session:
        subject = basket_subject(session, ctx, basket)
        rules = active_rules(ctx.registry.caches, session)
        pricing = price_lines(session, rules, subject.inputs, subject.facts)
    return _result(subject.lines, pricing, explain)


def basket_subject(session: Session, ctx: Context, basket: Basket) -> Subject:
    """Resolve a basket's lines at the till's store prices, numbered from 1."""
    # The worker's copy under the catalog token: no statement once a till has been seen. The
    # card rides with the tokens' read, the session's first statement.
    expect_card(session, basket.card_code, ctx.now)
    till, store = catalog(session).till_and_store(basket.till_id)
    if not sees_store(ctx.actor.principal, till.store_id):  # prices of their own stores only
        raise till_not_found(basket.till_id)
    # A card the sale would refuse (unknown, blocked, expired, not activated) is refused here
    # with the same problem: the till learns it when the card is scanned, not at the payment.
    card_code = checked_card_code(session, store, basket.card_code, ctx.now)
    lines, inputs = quoted_lines(session, store, basket.lines, ctx.layouts, ctx.now)
    facts = SaleFacts(now_local=ctx.now.astimezone(store.zone).replace(tzinfo=None),
                      store_id=store.id, cashier_group=ctx.actor.principal.user_group,
                      card_code=card_code, customer_ref=basket.customer_ref,
                      payment_forms=basket.payment_forms)
    return Subject(lines, inputs, facts)


def receipt_subject(session: Session, ctx: Context, receipt_id: int) -> Subject:
    """Take a stored receipt's lines and facts as they were when it was priced."""
    receipt = session.get(Receipt, receipt_id)
    if receipt is None or not sees_receipt(session, ctx.actor.principal, receipt):
        raise NotFoundError(f"No receipt {receipt_id}", code="receipt_not_found",
                            field="receipt_id")
    store = session.get(Store, receipt.store_id)
    assert store is not None
    at = receipt.closed_at or receipt.opened_at
    facts = SaleFacts(now_local=at.astimezone(store.zone).replace(tzinfo=None),
                      store_id=store.id, cashier_group=ctx.actor.principal.user_group,
                      card_code=receipt.card_code, customer_ref=receipt.customer_ref,
                      payment_forms=frozenset(p.kind for p in receipt.payments),
                      manual_discounts=tuple(receipt.manual_discounts))
    lines = list(receipt.lines)
    return Subject(lines, priced_items(session, lines, LoadedItems()), facts)


def _result(lines: Sequence[Line], pricing: Pricing, explain: bool) -> dict[str, Any]:
    by_no = {p.line_no: p for p in pricing.lines}
    out, applied = [], {}
    for line in lines:
        priced = by_no[line.line_no]
        line.discount_minor, line.amount_minor = priced.discount_minor, priced.amount_minor
        line.discounts = applied[line.line_no] = [a.to_dict() for a in priced.applied]
        out.append(line)
    result = {"lines": out, "total_minor": pricing.total_minor,
              "discount_minor": pricing.discount_total_minor,
              "hints": [h.to_dict() for h in pricing.hints],
              "gift_lines": [g.to_dict() for g in pricing.gift_lines]}
    if explain:
        result["pricing_trace"] = _trace(pricing, applied)
    return result


def _trace(pricing: Pricing, applied: dict[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Return ``pricing.trace`` as dicts, reusing the lines' applied records written out."""
    trace: list[dict[str, Any]] = []
    for line in pricing.lines:
        line_no = line.line_no
        trace += [{"line_no": line_no, "event": "applied", **record}
                  for record in applied[line_no]]
        trace += [{"line_no": line_no, "event": "displaced", **record.to_dict()}
                  for record in line.displaced]
    return trace
