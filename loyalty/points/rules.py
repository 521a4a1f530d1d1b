"""How many points a sale earns: the pure earning rules of a card type.

Points are earned on the part of the receipt paid with money (not with points or
certificates), spread over the lines in proportion to their amounts; each line earns its
segment's rate (the lowest override when a line is in several segments with one, the type's
rate otherwise), times the best campaign multiplier of the day and store (campaigns do not
stack). The receipt's total is rounded once by the type's rule (``down`` or ``half_up``), to
hundredths of a point or, when the type forbids fractions, to whole points, and allocated back
to the lines so returns can take back exactly what each line earned.

Points are not money: they round by the card type's own rule, not by the money policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pos.core.money import allocate

POINT_CP = 100  # hundredths of a point in one point
BASIS = 10_000  # basis points in 100 %


@dataclass(frozen=True)
class EarnRules:
    """A card type's earning rules."""

    earn_bp: int
    segment_bp: Mapping[str, int] = field(default_factory=dict)
    campaigns: Sequence[Mapping[str, Any]] = ()
    rounding: str = "down"
    is_fractional: bool = False
    point_value_minor: int = 100


@dataclass(frozen=True)
class EarnLine:
    """A receipt line as earning sees it."""

    line_id: int
    amount_minor: int
    segments: frozenset[str] = frozenset()


def multiplier(rules: EarnRules, day: date, store_id: int) -> Fraction:
    """Return the best campaign multiplier on ``day`` in the store (1 without a campaign)."""
    best = Fraction(1)
    for campaign in rules.campaigns:
        starts, ends = campaign.get("from"), campaign.get("to")
        if starts and day < date.fromisoformat(str(starts)):
            continue
        if ends and day > date.fromisoformat(str(ends)):
            continue
        stores = campaign.get("store_ids") or []
        if stores and store_id not in stores:
            continue
        best = max(best, Fraction(Decimal(str(campaign["multiplier"]))))
    return best


def rate_bp(rules: EarnRules, segments: frozenset[str]) -> int:
    """Return a line's rate: the lowest segment override that applies, else the type's."""
    overrides = [rules.segment_bp[s] for s in sorted(segments) if s in rules.segment_bp]
    return min(overrides) if overrides else rules.earn_bp


def round_points(exact_cp: Fraction, rules: EarnRules) -> int:
    """Round exact hundredths of a point by the type's rule (to whole points if unfractional)."""
    return _rounded(exact_cp.numerator, exact_cp.denominator, rules)


def _rounded(numerator: int, denominator: int, rules: EarnRules) -> int:
    # numerator / denominator hundredths of a point, rounded in integers (no Fraction
    # arithmetic on the till's path): down, or half up, to the type's step.
    step = step_of(rules)
    whole, left = divmod(numerator, denominator * step)
    if rules.rounding == "half_up" and 2 * left >= denominator * step:
        whole += 1
    return whole * step


def earn(lines: Sequence[EarnLine], money_minor: int, rules: EarnRules, day: date,
         store_id: int) -> dict[int, int]:
    """Return the hundredths of a point each line earns (0 for lines that earn nothing)."""
    bases = _bases([line.amount_minor for line in lines], money_minor)
    if bases is None:
        return {line.line_id: 0 for line in lines}
    # Each line's exact share is base x rate x the common factor: base x rate weighs it (the
    # base alone when every line earns the type's rate).
    weights = [base * rate_bp(rules, line.segments) for base, line in zip(bases, lines,
                                                                           strict=True)] \
        if rules.segment_bp else None
    earned = _earned(sum(weights) if weights else sum(bases) * rules.earn_bp, rules, day,
                     store_id)
    if earned <= 0:
        return {line.line_id: 0 for line in lines}
    return dict(zip((line.line_id for line in lines),
                    _split(earned, weights or bases, rules), strict=True))


def earned_total(amount_minor: int, money_minor: int, rules: EarnRules, day: date,
                 store_id: int) -> int:
    """Return what a sale of ``amount_minor`` earns when every line earns the type's rate.

    What :func:`earn` gives its lines in all: the rate on the part paid with money.
    """
    if amount_minor <= 0 or money_minor <= 0:
        return 0
    return _earned(min(amount_minor, money_minor) * rules.earn_bp, rules, day, store_id)


def _earned(weight: int, rules: EarnRules, day: date, store_id: int) -> int:
    # Rate-weighted amount (basis points x minor units) to points, boosted and rounded once.
    if not rules.campaigns:
        return _rounded(weight * POINT_CP, BASIS * rules.point_value_minor, rules)
    boost = multiplier(rules, day, store_id)
    return _rounded(weight * boost.numerator * POINT_CP,
                    BASIS * rules.point_value_minor * boost.denominator, rules)


def split_earned(earned_cp: int, amounts: Sequence[int], money_minor: int, rules: EarnRules
                 ) -> list[int]:
    """Return how a sale's earned points fall on its lines when every line earns one rate.

    The same split :func:`earn` made at the sale, from what the closed receipt keeps: its
    lines' amounts, the part paid with money, and the points it earned.
    """
    bases = _bases(amounts, money_minor)
    if bases is None or earned_cp <= 0:
        return [0] * len(amounts)
    return _split(earned_cp, bases, rules)


def _bases(amounts: Sequence[int], money_minor: int) -> list[int] | None:
    # What each line earns on: its amount, or its share of the money when part was paid
    # otherwise; None when nothing earns.
    positive = [max(amount, 0) for amount in amounts]
    total = sum(positive)
    if total <= 0 or money_minor <= 0:
        return None
    return positive if money_minor >= total else allocate(money_minor, positive)


def _split(earned_cp: int, weights: Sequence[int], rules: EarnRules) -> list[int]:
    step = step_of(rules)  # each line earns whole steps, so returns take back whole points
    return [part * step for part in allocate(earned_cp // step, weights)]


def step_of(rules: EarnRules) -> int:
    """Return the smallest amount of points the type deals in: a hundredth, or a point."""
    return 1 if rules.is_fractional else POINT_CP


def share_of(earned_cp: int, part_milli: int, whole_milli: int, rules: EarnRules) -> int:
    """Return a returned part's share of what a line earned, half up to the type's step."""
    if part_milli >= whole_milli:
        return earned_cp
    step = step_of(rules)
    units = Fraction(earned_cp * part_milli, whole_milli * step)
    whole = units.numerator // units.denominator
    return (whole + (1 if units - whole >= Fraction(1, 2) else 0)) * step


def points_for_amount(amount_minor: int, rules: EarnRules) -> int | None:
    """Return the hundredths of a point a payment of ``amount_minor`` costs (None: a fraction)."""
    whole, left = divmod(amount_minor * POINT_CP, rules.point_value_minor)
    if left or (not rules.is_fractional and whole % POINT_CP):
        return None
    return whole


def value_of(cp: int, rules: EarnRules) -> int:
    """Return the money (minor units) hundredths of a point pay, rounded down."""
    return cp * rules.point_value_minor // POINT_CP
