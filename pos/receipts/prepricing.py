"""Pricing a scanned line before the write lock, and the guard that lets the write reuse it.

SQLite has one writer at a time: a till whose add-line priced the whole receipt inside its write
transaction made every other till wait for that pricing. The line is therefore resolved and the
receipt priced with it first, in a read transaction; the write transaction then loads the
receipt for the change (every check runs there, as always) and takes the prices only if what
they were computed from still holds: the same lines at the same prices and discounts, the same
card, customer, manual discounts and payments, the same catalog and rules version. Anything else,
or anything unusual (a typed-in weight needing approval, another cashier's receipt, a gift line
coming or going, a refusal), and the write prices the receipt itself, as it did before.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from pos.catalog.cache import catalog
from pos.core.context import Context
from pos.core.errors import PosError
from pos.discounts.tree import rules_version
from pos.receipts.draft import DraftLine, DraftReceipt
from pos.receipts.lines import LineRequest, LoadedItems, resolve_lines
from pos.receipts.model import OPEN, ReceiptLine
from pos.receipts.repricing import reprice
from pos.receipts.stored_draft import load_draft

_NEW_LINE_FIELDS = [c.key for c in ReceiptLine.__table__.columns
                    if c.key not in ("id", "receipt_id", "line_no")]


@dataclass(frozen=True)
class Prepriced:
    """A line and the receipt's prices with it, computed outside the write transaction."""

    basis: Hashable  # what the prices were computed from (:func:`basis_of`)
    line: dict[str, Any]  # the new line's columns
    line_no: int
    lines: dict[int, tuple[int, int, list[Any]]]  # line_no -> discount, amount, discounts
    total_minor: int
    discount_minor: int
    pricing_trace: list[Any]

    def apply(self, session: Session, receipt: DraftReceipt) -> DraftLine | None:
        """Add the line with these prices if the receipt is as they were computed; else None."""
        if basis_of(session, receipt) != self.basis:
            return None
        line = receipt.add_line(receipt.new_line(**self.line))
        assert line.line_no == self.line_no  # the basis holds the same lines
        for each in receipt.lines:
            each.discount_minor, each.amount_minor, each.discounts = self.lines[each.line_no]
        receipt.total_minor, receipt.discount_minor = self.total_minor, self.discount_minor
        receipt.pricing_trace = self.pricing_trace
        return line


def preprice(ctx: Context, receipt_id: int, request: LineRequest) -> Prepriced | None:
    """Resolve the line and price the receipt with it in a read transaction (None: not here).

    Nothing is written and nothing is refused here: a request this cannot price plainly is
    left to the write transaction, which checks and refuses as it always did.
    """
    if request.certificate is not None:
        return None
    with ctx.db.read() as session:
        loaded = load_draft(session, receipt_id, for_update=False)
        if loaded is None or not _is_plain(ctx, loaded[0]):
            return None
        receipt = loaded[0]
        basis = basis_of(session, receipt)
        before = {line.line_no for line in receipt.lines}
        store = catalog(session).store(receipt.store_id)
        assert store is not None
        items = LoadedItems()
        try:
            (line,) = resolve_lines(session, store, [request], ctx.layouts, ctx.now, items,
                                    receipt.new_line)
            if line.is_manual_weight:
                return None  # needs the right or an approval, taken in the write
            receipt.add_line(line)
            reprice(session, ctx, receipt, store, items)
        except PosError:
            return None
        if {each.line_no for each in receipt.lines} != before | {line.line_no}:
            return None  # a gift line came or went: the write settles gifts itself
        return Prepriced(
            basis, {key: getattr(line, key) for key in _NEW_LINE_FIELDS}, line.line_no,
            {each.line_no: (each.discount_minor, each.amount_minor, each.discounts)
             for each in receipt.lines},
            receipt.total_minor, receipt.discount_minor, receipt.pricing_trace)


def _is_plain(ctx: Context, receipt: DraftReceipt) -> bool:
    # The actor's own open receipt on its till, without payments and without an approval:
    # anything else may need an approval or a refusal, which only the write gives.
    return (receipt.state == OPEN and not receipt.payments and ctx.actor.approval is None
            and receipt.cashier_id == ctx.actor.user_id
            and (ctx.till_id is None or receipt.till_id == ctx.till_id))


def basis_of(session: Session, receipt: DraftReceipt) -> Hashable:
    """Return what a receipt's pricing depends on, to tell whether it changed since."""
    return (
        receipt.state, receipt.card_code, receipt.customer_ref,
        repr(receipt.manual_discounts), receipt.total_minor, receipt.discount_minor,
        tuple((line.line_no, line.item_id, line.quantity_milli, line.unit_price_minor,
               line.discount_minor, line.amount_minor, line.is_gift, line.certificate_type_id)
              for line in receipt.lines),
        tuple((p.seq, p.kind, p.amount_minor) for p in receipt.payments),
        catalog(session).token, rules_version(session),
    )
