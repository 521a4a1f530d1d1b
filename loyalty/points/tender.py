"""Points at the till: the ``points`` payment type and the listener that earns on a close.

Receipts call these in their own transactions (:mod:`pos.core.extensions`): a points payment
is spent when it is taken, given back when it is taken back or the receipt voided, restored as
a new lot when a return refunds it; a closed sale earns, a closed return takes back what its
lines earned. A card's accumulated spend (for cumulative discounts) follows its sales and
returns too.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, true, update
from sqlalchemy.orm import Session

from loyalty.cards.codes import HolderCodes
from loyalty.cards.model import ACTIVE as CARD_ACTIVE
from loyalty.cards.model import Card, CardType
from loyalty.cards.service import live_card_id
from loyalty.gift_certificates.lines import certificate_lines
from loyalty.points import ledger
from loyalty.points.at_till import AtTill, card_at_till, recheck, share_limit_minor
from loyalty.points.earnings import keep_earnings, take_back, type_of
from loyalty.points.jobs import Settled, settle
from loyalty.points.model import EARN, RESTORE, SPEND, Entry
from loyalty.points.rules import EarnLine, earn, earned_total, points_for_amount
from pos.core.context import Context
from pos.core.direct import Direct
from pos.core.errors import ConflictError, ValidationError
from pos.core.extensions import PaymentView, ReceiptView, print_on

POINTS = "points"
_AMOUNT, _POSITIVE = operator.attrgetter("amount_minor"), functools.partial(operator.lt, 0)


def local_day(session: Session, ctx: Context, store_id: int, at: datetime) -> date:
    """Return the store's local date at ``at`` (the UTC date if no lookup is registered)."""
    lookup = ctx.registry.local_date
    return lookup(session, store_id, at) if lookup is not None else at.date()


_SPENDS = "loyalty_one_shot_spends"  # in session.info: a one-shot's spends, for its close


def _spend_now(session: Session, card_id: int, spends: list[ledger.Spend]) -> None:
    for each in spends:
        ledger.spend(session, card_id, each.cp, each.kind, each.at, each.refs)


class PointsTender:
    """The ``points`` payment type: spends from the receipt's card by a guarded update.

    A one-shot upload's payments are taken in the transaction that closes it (the receipt is
    closed already when they are): the close's listener spends them with its earn, in one
    update of the card and one insert of the entries.
    """

    def prepare(self, details: Mapping[str, Any]) -> dict[str, Any]:
        """Take no details: points are spent from the card attached to the receipt."""
        if details:
            raise ValidationError("A points payment takes no details; attach the card",
                                  code="unexpected_payment_field", field="details")
        return {}

    def take(self, session: Session, ctx: Context, receipt: ReceiptView,
             payment: PaymentView) -> None:
        """Spend the payment's points from the receipt's card, or refuse (nothing written)."""
        card = card_at_till(session, receipt, ctx.now)
        if card is None:
            raise ConflictError("Attach a loyalty card to pay with points", code="card_required")
        card.ensure_usable(local_day(session, ctx, receipt.store_id, ctx.now))
        if not card.terms.is_bonus:
            raise ConflictError("This card collects no points", code="card_has_no_points")
        cp = points_for_amount(payment.amount_minor, card.terms.rules)
        if cp is None:
            raise ValidationError("This card's points are spent whole", code="fractional_points",
                                  field="amount")
        paid = sum(p.amount_minor for p in receipt.payments if p.kind == POINTS)
        limit = share_limit_minor(card.terms, receipt.total_minor)
        if paid > limit:
            raise ValidationError("Points may pay only part of this receipt",
                                  code="points_share_exceeded", field="amount",
                                  extra={"max_points_minor": max(limit - paid +
                                                                 payment.amount_minor, 0)})
        if card.is_due:
            settle(session, [card.card_id], ctx.now, Settled())
            card.is_due = False
        refs = ledger.Refs(receipt.id, payment.seq, payment.amount_minor, receipt.shift_id,
                           ctx.actor.user_id)
        if receipt.state == "closed":  # a one-shot upload: its close follows in this
            # transaction, and its earn's update takes these points (or refuses them)
            session.info.setdefault(_SPENDS, []).append(ledger.Spend(cp, SPEND, ctx.now, refs))
            return
        ledger.spend(session, card.card_id, cp, SPEND, ctx.now, refs)

    def give_back(self, session: Session, ctx: Context, receipt: ReceiptView,
                  payment: PaymentView) -> None:
        """Put a taken-back payment's points back on the card, as a new lot."""
        spent = _spend_of(session, receipt.id, payment.seq)
        _restore(session, ctx, spent, -spent.delta_cp, ledger.Refs(
            receipt.id, payment.seq, payment.amount_minor, receipt.shift_id, ctx.actor.user_id))

    def refund(self, session: Session, ctx: Context, refund: ReceiptView, payment: PaymentView,
               original: PaymentView) -> None:
        """Restore, as a new lot, the points a return refunds (never more than were spent)."""
        assert refund.original_receipt_id is not None
        spent = _spend_of(session, refund.original_receipt_id, original.seq)
        card_type = type_of(session, spent.card_id)
        cp = min(_points_down(payment.amount_minor, card_type), -spent.delta_cp)
        _restore(session, ctx, spent, cp, ledger.Refs(
            refund.id, payment.seq, payment.amount_minor, refund.shift_id, ctx.actor.user_id,
            once_key=f"refund:{refund.id}:{payment.seq}"))


def _points_down(amount_minor: int, card_type: CardType) -> int:
    # A part of a payment may not be whole points: the fraction is lost, never gained.
    cp = amount_minor * 100 // card_type.point_value_minor
    return cp if card_type.is_fractional else cp - cp % 100


def _spend_of(session: Session, receipt_id: int, seq: int) -> Entry:
    spent = session.scalar(select(Entry).where(
        Entry.receipt_id == receipt_id, Entry.payment_seq == seq, Entry.kind == SPEND)
        .order_by(Entry.id.desc()).limit(1))
    assert spent is not None, "a points payment without its spend"
    return spent


def _restore(session: Session, ctx: Context, spent: Entry, cp: int, refs: ledger.Refs) -> None:
    if cp <= 0:
        return
    card_id = live_card_id(session, spent.card_id)
    card_type = type_of(session, card_id)
    expires = ctx.now + timedelta(days=card_type.expiry_days) if card_type.expiry_days else None
    ledger.credit(session, card_id, cp, RESTORE, ctx.now, refs, active_from=ctx.now,
                  expires_at=expires)


_ADD_SPENT = update(Card.__table__).where(Card.__table__.c.id == bindparam("card")).values(
    accumulated_minor=Card.__table__.c.accumulated_minor + bindparam("spent"),
    has_bought=true())
_ACCUMULATE = Direct(_ADD_SPENT)
_ACCUMULATE_IF_ACTIVE = Direct(_ADD_SPENT.where(Card.__table__.c.state == CARD_ACTIVE))


class PointsListener:
    """Earns on a closed sale, takes back on a closed return, keeps accumulated spend.

    A registered holder's sale also prints the holder's one-time sign-in code (``codes``).
    """

    def __init__(self, codes: HolderCodes) -> None:
        self.codes = codes

    def closed(self, session: Session, ctx: Context, receipt: ReceiptView) -> None:
        """Earn (sale) or take back (return) the points of a receipt with a card.

        A sale earns as of its time of sale (an offline upload's ``sold_at``) on the store's
        local date: the campaign of that day, pending and expiry counted from then.
        """
        card = card_at_till(session, receipt, ctx.now)
        if card is None:
            return
        spends: list[ledger.Spend] = session.info.pop(_SPENDS, [])
        # A gift certificate sold is a liability, not a purchase: it earns nothing, and the
        # money that paid for it is not money paid for goods.
        certificates = certificate_lines(session, receipt)
        sign = -1 if receipt.kind == "return" else 1
        spent = sign * (receipt.total_minor - sum(line.amount_minor for line in certificates))
        if receipt.kind == "return":
            _spend_now(session, card.card_id, spends)
            take_back(session, ctx, receipt)
            _accumulate(session, card.card_id, spent)
            return
        if card.holder_id is not None:  # a one-time sign-in code for the holder, printed
            print_on(receipt, "holder_code", self.codes.code_for(receipt.id))
        day = local_day(session, ctx, receipt.store_id, receipt.closed_at or ctx.now)
        if card.terms.is_bonus and card.state == "active" and not card.is_expired(day) \
                and _earn(session, ctx, receipt, card, certificates, spent, day, spends):
            return  # the points spent and the accumulated spend moved with the earn
        if card.is_carried and not _accumulate(session, card.card_id, spent, is_guarded=True):
            # no longer active (the earn's update has the same guard): refused, or it was
            # blocked and unblocked since the read
            recheck(session, card, day, ctx.now)
            _accumulate(session, card.card_id, spent)
        elif not card.is_carried:
            _accumulate(session, card.card_id, spent)
        _spend_now(session, card.card_id, spends)

    def voided(self, session: Session, ctx: Context, receipt: ReceiptView) -> None:
        """Nothing to do: a voided receipt's points payments were given back already."""


def _accumulate(session: Session, card_id: int, spent: int, is_guarded: bool = False) -> bool:
    # Add a sale (or, negative, a return) to the card's accumulated spend; guarded: only if
    # the card is active. Tell whether the card's row was updated.
    return bool((_ACCUMULATE_IF_ACTIVE if is_guarded else _ACCUMULATE).count(
        session.connection(), {"card": card_id, "spent": spent}))


def _earned(session: Session, ctx: Context, receipt: ReceiptView, card: AtTill,
            certificates: list[Any], money: int, day: date) -> tuple[int, Callable[..., None]]:
    # What the sale earns, and how to keep its split over the lines once the lot is known: a
    # type with one rate keeps none (derived at the first return), so it reads one field of
    # each line and allocates nothing here.
    terms = card.terms
    if not terms.has_segment_rates:
        lines = [line for line in receipt.lines if line not in certificates] \
            if certificates else receipt.lines
        amount = sum(filter(_POSITIVE, map(_AMOUNT, lines)))  # (in C: a sale has many lines)
        return earned_total(amount, money, terms.rules, day, receipt.store_id), \
            lambda lot_id: None
    lines = [(line.id, line.amount_minor, line.item_id, line.quantity_milli)
             for line in receipt.lines if line not in certificates]
    lookup = ctx.registry.item_segments
    segments = lookup(session, [line[2] for line in lines]) if lookup else {}
    earned = earn([EarnLine(line_id, amount, segments.get(item_id, frozenset()))
                   for line_id, amount, item_id, _ in lines], money, terms.rules, day,
                  receipt.store_id)
    return sum(earned.values()), lambda lot_id: keep_earnings(
        session.connection(), receipt.id, card.card_id, lot_id, lines, earned)


def _earn(session: Session, ctx: Context, receipt: ReceiptView, card: AtTill,
          certificates: list[Any], spent: int, day: date, spends: list[ledger.Spend]) -> bool:
    # Earn the receipt's points, take a one-shot's ``spends`` and add ``spent`` (the sale less
    # its certificates) to the card's accumulated spend in the same update; False when it
    # earns nothing (the caller then spends and adds the spend alone).
    kinds, terms = ctx.registry.payment_types, card.terms
    not_money = sum(p.amount_minor for p in receipt.payments
                    if kinds.get(p.kind).tender is not None)
    total, keep_split = _earned(session, ctx, receipt, card, certificates, spent - not_money,
                                day)
    if total <= 0:
        return False
    # Spendable at once, the lot is stamped with the very instant the receipt's rows were
    # sent with (converted for the database once).
    active_from = receipt.closed_at or ctx.now
    if terms.pending_days:
        active_from += timedelta(days=terms.pending_days)
    expires = active_from + timedelta(days=terms.expiry_days) if terms.expiry_days else None
    lot_id = ledger.credit(session, card.card_id, total, EARN, ctx.now, ledger.Refs(
        receipt.id, 0, None, receipt.shift_id, ctx.actor.user_id, once_key=f"earn:{receipt.id}"),
        active_from=active_from, expires_at=expires, debt_seen=card.debt_cp, accumulate=spent,
        spends=spends, on_moved=(lambda: recheck(session, card, day, ctx.now))
        if card.is_carried else None, may_wait=not terms.has_segment_rates)
    keep_split(lot_id)  # (a type with segment rates waits for its lot's id)
    return True
