"""The one pricing function: receipt lines and sale facts through the discount engine.

Rules come from the app's versioned cache (recompiled only when they change), the buyer's
history from incrementally kept daily totals, a wholesale customer's rebate allowances from
loyalty (taken off last); the engine itself is pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from loyalty.cards.service import card_facts
from loyalty.rebates.allowance import PREFIX, offers
from pos.discounts.engine import (
    Allowance,
    CompiledRules,
    LineInput,
    ManualDiscount,
    Pricing,
    PricingContext,
    price,
)
from pos.discounts.history import BuyerHistory, buyer_key, read_history, read_segments


@dataclass(frozen=True)
class SaleFacts:
    """What conditions may look at: when, where, who sells, who buys, how they pay."""

    now_local: datetime
    store_id: int
    cashier_group: str | None = None
    card_code: str | None = None
    customer_ref: str | None = None
    payment_forms: frozenset[str] = frozenset()
    card_types: frozenset[str] = frozenset()
    manual_discounts: tuple[dict[str, Any], ...] = ()


def manual_inputs(docs: Sequence[dict[str, Any]]) -> tuple[ManualDiscount, ...]:
    """Turn a receipt's stored manual discounts into the engine's inputs."""
    return tuple(ManualDiscount(
        id=f"manual:{doc['id']}", line_no=doc.get("line_no"),
        percent=Decimal(doc["percent"]) if doc.get("percent") is not None else None,
        amount_minor=doc.get("amount_minor"), reason=doc.get("reason", ""),
    ) for doc in docs)


# The conditions that read the buyer's purchase history, and those that read the card's facts
# (a card keeps its own accumulated spend and whether it has bought; its segments are in the
# history, as a customer's are).
HISTORY_CONDITIONS = frozenset({"accumulated_volume", "first_purchase",
                                "first_purchase_from_segment"})
CARD_CONDITIONS = frozenset({"card_types", "accumulated_volume", "first_purchase"})
_needs: dict[int, tuple[CompiledRules, frozenset[str]]] = {}


def condition_codes(rules: CompiledRules) -> frozenset[str]:
    """Return the codes of every condition the rules' active discounts have (kept per rules)."""
    known = _needs.get(id(rules))
    if known is not None and known[0] is rules:
        return known[1]
    codes = frozenset(c.code for conditions in rules.conditions.values() for c in conditions)
    if len(_needs) > 8:  # compiled rules are replaced when they change: keep the recent few
        _needs.clear()
    _needs[id(rules)] = (rules, codes)
    return codes


def context_for(session: Session, facts: SaleFacts,
                codes: frozenset[str] = HISTORY_CONDITIONS | CARD_CONDITIONS
                ) -> PricingContext:
    """Build the engine's context, reading the buyer's history and card only if ``codes`` need.

    ``codes`` are the condition codes the rules have (all that read a buyer, by default).
    """
    buyer = buyer_key(facts.card_code, facts.customer_ref)
    card = card_facts(session, facts.card_code) if codes & CARD_CONDITIONS else None
    if facts.card_code and buyer:  # a loyalty card: its own figures, and its segments
        history = BuyerHistory(
            0, card is not None and not card.has_bought,
            read_segments(session, buyer) if "first_purchase_from_segment" in codes
            else frozenset())
    elif buyer and codes & HISTORY_CONDITIONS:
        history = read_history(session, buyer, facts.now_local.date())
    else:
        history = BuyerHistory(is_first_purchase=False)
    card_types, accumulated = facts.card_types, history.accumulated_minor
    if card is not None:  # a loyalty card: its type, and its own accumulated spend
        card_types = card_types | {card.type_code}
        accumulated = card.accumulated_minor
    return PricingContext(
        now_local=facts.now_local, store_id=facts.store_id,
        cashier_groups=frozenset({facts.cashier_group}) if facts.cashier_group else frozenset(),
        card_types=card_types, card_id=facts.card_code, customer_id=facts.customer_ref,
        payment_forms=facts.payment_forms, is_first_purchase=history.is_first_purchase,
        segments_bought_before=history.segments_bought,
        accumulated_volume_minor=accumulated,
        manual_discounts=manual_inputs(facts.manual_discounts),
        allowances=allowances_of(session, facts.customer_ref),
    )


def allowances_of(session: Session, customer_ref: str | None) -> tuple[Allowance, ...]:
    """Return what a wholesale customer's rebate allowances may still take off its receipt."""
    if not customer_ref:
        return ()
    return tuple(Allowance(f"{PREFIX}{offer.id}", offer.name, offer.left_minor)
                 for offer in offers(session, customer_ref))


def price_lines(session: Session, rules: CompiledRules, items: Sequence[LineInput],
                facts: SaleFacts) -> Pricing:
    """Price a receipt's lines under ``rules`` (the active ones, or a draft's)."""
    return price(items, rules, context_for(session, facts, condition_codes(rules)))
