"""Demo loyalty data: a bonus card type, a discount card type with tiers, cards and points.

Loaded by :func:`pos.demo.load_demo` after the users and discounts. The numbers are the first
of each type, so the README can name them: bonus cards 2900000000018 (PIN 1234, 500 points)
and 2900000000032 (PIN 1234), gold card 2800000000011 (PIN 1234, 12,000.00 already spent:
the 3 % tier).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from loyalty.cards.model import Card
from loyalty.cards.service import NewHolder, create_card_type, issue_cards
from loyalty.points.service import adjust
from pos.auth.model import User
from pos.auth.service import principal_of
from pos.core.context import Context
from pos.core.db import Database
from pos.core.registry import Registry
from pos.core.security import Actor
from pos.discounts.schemas import NewDiscountSchema, NewGroupSchema
from pos.discounts.service import create_discount, create_group

DEMO_PIN = "1234"
BONUS = {"code": "BONUS", "name": "Bonus card", "is_bonus": True, "is_discount": False,
         "is_personal": True, "number_prefix": "29", "validity_days": None, "earn_bp": 500,
         "segment_bp": {"WATER": 1000}, "campaigns": [], "rounding": "down",
         "is_fractional": False, "pending_days": 0, "expiry_days": 365,
         "point_value_minor": 100, "max_share_percent": 50, "tiers": []}
GOLD = {**BONUS, "code": "GOLD", "name": "Gold discount card", "is_bonus": False,
        "is_discount": True, "number_prefix": "28", "earn_bp": 0, "segment_bp": {},
        "tiers": [{"name": "3%", "min_minor": 1_000_000}, {"name": "5%", "min_minor": 5_000_000},
                  {"name": "7%", "min_minor": 15_000_000}]}
HOLDERS = (("BONUS", "Anna Petrova"), ("BONUS", "Boris Ivanov"), ("GOLD", "Vera Sokolova"))


def load_loyalty_demo(db: Database, now: datetime) -> None:
    """Create the demo card types, their tier discounts, three personal cards and points."""
    with db.read() as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        assert admin is not None
        ctx = Context(db, Registry(), Actor(principal_of(admin)), now)
    create_card_type(ctx, dict(BONUS))
    create_card_type(ctx, dict(GOLD))
    numbers = [issue_cards(ctx, type_code, 1, NewHolder(name, pin=DEMO_PIN, has_consent=True),
                           is_active=True)[0].number for type_code, name in HOLDERS]
    adjust(ctx, numbers[0], 50_000, "welcome points")
    with db.transaction() as session:  # spend carried over from the previous loyalty system
        session.execute(update(Card).where(Card.number == numbers[2])
                        .values(accumulated_minor=1_200_000))
    _tier_discounts(db, now)


def _tier_discounts(db: Database, now: datetime) -> None:
    # The tier is the best discount whose accumulated-spend floor the card reached: MAX.
    group = create_group(db, NewGroupSchema().load({"name": "Gold card tiers", "rule": "max"}),
                         now)
    for tier in GOLD["tiers"]:
        floor = f"{tier['min_minor'] // 100}.00"
        create_discount(db, NewDiscountSchema().load({
            "name": f"Gold card {tier['name']}", "kind": "card", "card_types": ["GOLD"],
            "group_id": group.id, "benefit": {"type": "percent_off",
                                              "percent": tier["name"].rstrip("%")},
            "conditions": [{"type": "accumulated_volume", "min_amount": floor}]}), now)
