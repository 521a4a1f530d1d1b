"""Fixtures of the loyalty tests: card types, cards, and the use-case contexts."""

from __future__ import annotations

from typing import Any

import pytest

from loyalty.cards import service as cards
from pos.core.context import Context
from tests.service.conftest import cashier, manager, receipt, shift  # noqa: F401

BONUS = {"code": "BONUS", "name": "Bonus card", "is_bonus": True, "is_personal": True,
         "number_prefix": "29", "earn_bp": 500, "segment_bp": {}, "campaigns": [],
         "rounding": "down", "is_fractional": False, "pending_days": 0, "expiry_days": 365,
         "point_value_minor": 100, "max_share_percent": 50, "tiers": [],
         "validity_days": None}
DISCOUNT = {**BONUS, "code": "GOLD", "name": "Gold discount card", "is_bonus": False,
            "is_discount": True, "number_prefix": "28", "earn_bp": 0,
            "tiers": [{"name": "3%", "min_minor": 1_000_000},
                      {"name": "5%", "min_minor": 5_000_000},
                      {"name": "7%", "min_minor": 15_000_000}]}


def card_type(ctx: Context, **fields: Any) -> str:
    """Create a bonus card type (changed by ``fields``) and return its code."""
    spec = {**BONUS, **fields}
    cards.create_card_type(ctx, spec)
    return str(spec["code"])


def issue(ctx: Context, type_code: str = "BONUS", pin: str | None = "4321",
          personal: bool = True) -> str:
    """Issue and activate one card of a type (personal: registered with a PIN)."""
    holder = cards.NewHolder("Hal Holder", "+7 900 000-00-00", pin=pin) if personal else None
    return cards.issue_cards(ctx, type_code, 1, holder, is_active=True)[0].number


@pytest.fixture
def bonus_type(manager: Context) -> str:  # noqa: F811
    """A personal bonus card type: 5% earned, whole points, at most 50% paid in points."""
    return card_type(manager)


@pytest.fixture
def card(manager: Context, bonus_type: str) -> str:  # noqa: F811
    """An active bonus card's number."""
    return issue(manager, bonus_type)

