"""What each line of a sale earned, and taking it back in proportion when lines are returned.

A sale's earn is split over its lines (:func:`loyalty.points.rules.earn`) so a return takes
back what the returned lines earned. When every line earns the card type's one rate, the split
follows from what the closed receipt keeps (its lines, what was paid otherwise than with money,
the points its earn entry credited) and the type's rules, which never change: it is derived at
the sale's first return and kept then. Only a type with rates per segment (which hang on the
items' segments at the time of sale) keeps the split when the sale closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import column, insert, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from loyalty.cards.model import Card, CardType
from loyalty.cards.service import live_card_id
from loyalty.points import ledger
from loyalty.points.at_till import rules_of
from loyalty.points.model import Earning, Entry
from loyalty.points.rules import share_of, split_earned
from pos.core.context import Context
from pos.core.extensions import ReceiptView

Sold = tuple[int, int, int, int]  # a line's id, amount, item id and quantity (milli)

# The receipt's own rows as loyalty reads them (loyalty imports nothing of receipts).
_LINES = table("receipt_lines", column("receipt_id"), column("id"), column("line_no"),
               column("amount_minor"), column("quantity_milli"), column("certificate_type_id"))
_PAYMENTS = table("receipt_payments", column("receipt_id"), column("kind"),
                  column("amount_minor"))
_RECEIPTS = table("receipts", column("id"), column("total_minor"))
_EARNINGS = insert(Earning.__table__)


def keep_earnings(connection: Connection, receipt_id: int, card_id: int, lot_id: int | None,
                  lines: Sequence[Sold], earned: dict[int, int]) -> None:
    """Keep what each line of a sale earned (the lines that earned something)."""
    connection.execute(_EARNINGS, [
        {"receipt_id": receipt_id, "line_id": line_id, "card_id": card_id, "lot_id": lot_id,
         "earned_cp": earned[line_id], "sold_milli": quantity_milli, "returned_milli": 0,
         "reversed_cp": 0}
        for line_id, _, _, quantity_milli in lines if earned[line_id] > 0])


def earnings_of(session: Session, ctx: Context, receipt_id: int) -> dict[int, Earning]:
    """Return what each line of a sale earned, by line id (derived and kept if not kept yet)."""
    rows = {row.line_id: row for row in session.scalars(
        select(Earning).where(Earning.receipt_id == receipt_id))}
    if rows:
        return rows
    entry = session.execute(select(Entry.card_id, Entry.lot_id, Entry.delta_cp,
                                   Entry.pending_delta_cp, Entry.debt_delta_cp)
                            .where(Entry.receipt_id == receipt_id, Entry.payment_seq == 0,
                                   Entry.once_key == f"earn:{receipt_id}")).first()
    if entry is None:
        return {}  # it earned nothing
    derived = [Earning(receipt_id=receipt_id, line_id=line_id, card_id=entry.card_id,
                       lot_id=entry.lot_id, earned_cp=cp, sold_milli=quantity_milli,
                       returned_milli=0, reversed_cp=0)
               for line_id, quantity_milli, cp in _split_of(session, ctx, receipt_id, entry)
               if cp > 0]
    session.add_all(derived)
    return {row.line_id: row for row in derived}


def _split_of(session: Session, ctx: Context, receipt_id: int, entry: Any
              ) -> list[tuple[int, int, int]]:
    # The sale's lines that are purchases (certificates earn nothing) with what each earned:
    # the earn's points (credited, pending or repaying a debt) over what money paid for them.
    lines = session.execute(select(_LINES.c.id, _LINES.c.amount_minor, _LINES.c.quantity_milli,
                                   _LINES.c.certificate_type_id)
                            .where(_LINES.c.receipt_id == receipt_id)
                            .order_by(_LINES.c.line_no)).all()
    kinds = ctx.registry.payment_types
    not_money = sum(amount for kind, amount in session.execute(
        select(_PAYMENTS.c.kind, _PAYMENTS.c.amount_minor)
        .where(_PAYMENTS.c.receipt_id == receipt_id)).all()
        if kinds.get(kind).tender is not None)
    total = session.scalar(select(_RECEIPTS.c.total_minor).where(_RECEIPTS.c.id == receipt_id))
    sold = [line for line in lines if line.certificate_type_id is None]
    money = int(total or 0) - sum(line.amount_minor for line in lines
                                  if line.certificate_type_id is not None) - not_money
    earned = entry.delta_cp + entry.pending_delta_cp - entry.debt_delta_cp
    split = split_earned(earned, [line.amount_minor for line in sold], money,
                         rules_of(type_of(session, entry.card_id)))
    return [(line.id, line.quantity_milli, cp) for line, cp in zip(sold, split, strict=True)]


def type_of(session: Session, card_id: int) -> CardType:
    """Return a card's type."""
    card_type = session.scalar(select(CardType).join(Card, Card.type_id == CardType.id)
                               .where(Card.id == card_id))
    assert card_type is not None
    return card_type


def take_back(session: Session, ctx: Context, refund: ReceiptView) -> None:
    """Take back, in proportion to what is returned, the points the returned lines earned."""
    if refund.original_receipt_id is None:
        return
    rows = earnings_of(session, ctx, refund.original_receipt_id)
    total, card_id, lot_ids = 0, None, set()
    for line in refund.lines:
        row = rows.get(line.original_line_id)
        if row is None:
            continue
        row.returned_milli = min(row.returned_milli + line.quantity_milli, row.sold_milli)
        rules = rules_of(type_of(session, row.card_id))
        due = share_of(row.earned_cp, row.returned_milli, row.sold_milli, rules) \
            - row.reversed_cp
        row.reversed_cp += due
        total, card_id = total + due, row.card_id
        if row.lot_id is not None:
            lot_ids.add(row.lot_id)
    if total > 0 and card_id is not None:
        ledger.reverse(session, live_card_id(session, card_id), total, sorted(lot_ids),
                       ctx.now, ledger.Refs(refund.id, 0, None, refund.shift_id,
                                            ctx.actor.user_id,
                                            once_key=f"reverse:{refund.id}"))
