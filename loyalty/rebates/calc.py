"""The rebate arithmetic: tiers, plan, per-unit rates, compensation, cap, adjustments.

Pure: no framework, no database. A base is what an agreement counted in a period (an amount
in minor units and a quantity in thousandths); the terms say how tiers turn it into a bonus.

- **whole base**: the highest tier reached gives its rate to the whole base, retroactively;
- **per bracket**: each tier's rate applies only to the part of the base within its bracket.

Thresholds are absolute (minor units or thousandths, whichever the base counts) or a percent
of a plan. A rate is a percent of the amount or a fixed amount (minor units) per unit sold.
The compensation for services is added to the premium and the cap (a percent of the base
amount) bounds the sum; the compensation is kept whole first (it pays for a service rendered),
so a cap cuts the premium. An unmet condition (overdue debt at period end) voids the premium.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from pos.core.money import percent_of, round_minor

MILLI = 1000


class Measure(StrEnum):
    """What the tiers count: the sales amount or the quantity."""

    AMOUNT = "amount"
    QUANTITY = "quantity"


class Mode(StrEnum):
    """How a reached tier pays: on the whole base or only within its bracket."""

    WHOLE = "whole"
    BRACKET = "bracket"


class RateKind(StrEnum):
    """A tier's rate: a percent of the amount or a fixed amount per unit."""

    PERCENT = "percent"
    PER_UNIT = "per_unit"


class TermsError(ValueError):
    """Raise when terms cannot be calculated; ``code`` is the stable problem code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class Tier:
    """From ``threshold`` on (absolute units, or percent of the plan), ``rate`` applies."""

    threshold: Decimal
    rate: Decimal


@dataclass(frozen=True)
class Terms:
    """How an agreement turns a base into a bonus."""

    tiers: tuple[Tier, ...]
    measure: Measure = Measure.AMOUNT
    mode: Mode = Mode.WHOLE
    rate_kind: RateKind = RateKind.PERCENT
    plan: int | None = None  # set: thresholds are percents of this plan (same units as base)
    cap_percent: Decimal | None = None
    compensation_minor: int = 0


@dataclass(frozen=True)
class Base:
    """What was counted: amount in minor units, quantity in thousandths of a unit."""

    amount_minor: int = 0
    quantity_milli: int = 0


@dataclass(frozen=True)
class Bonus:
    """A calculated bonus and how it came about."""

    tier: int | None  # index of the highest tier reached, None below the first
    premium_minor: int  # after the cap
    compensation_minor: int
    total_minor: int
    is_capped: bool


@dataclass(frozen=True)
class Progress:
    """Where a base stands against its tiers."""

    bonus: Bonus
    next_threshold: int | None  # in base units; None when the top tier is reached
    to_next_tier: int | None


def check_terms(terms: Terms) -> None:
    """Refuse tiers out of order, overlapping, negative, or rates the measure cannot pay."""
    if not terms.tiers:
        raise TermsError("tiers_missing", "An agreement needs at least one tier")
    thresholds = [t.threshold for t in terms.tiers]
    if any(t < 0 for t in thresholds) or any(t.rate < 0 for t in terms.tiers):
        raise TermsError("tier_negative", "Tier thresholds and rates cannot be negative")
    if len(set(thresholds)) != len(thresholds):
        raise TermsError("tiers_overlap", "Two tiers start at the same threshold")
    if thresholds != sorted(thresholds):
        raise TermsError("tiers_out_of_order", "Tiers must be listed by rising threshold")
    if terms.plan is not None and terms.plan <= 0:
        raise TermsError("plan_invalid", "A plan must be positive")
    if terms.mode is Mode.BRACKET and _rate_measure(terms.rate_kind) is not terms.measure:
        raise TermsError("bracket_rate_mismatch",
                         "Per bracket, a percent rate needs an amount base and a per-unit "
                         "rate a quantity base")
    if terms.cap_percent is not None and terms.cap_percent < 0:
        raise TermsError("cap_invalid", "A cap cannot be negative")
    if terms.compensation_minor < 0:
        raise TermsError("compensation_invalid", "A compensation cannot be negative")


def thresholds_of(terms: Terms) -> list[int]:
    """Return each tier's threshold in base units (a plan's percent made absolute)."""
    if terms.plan is None:
        return [int(t.threshold) for t in terms.tiers]
    return [round_minor(Decimal(terms.plan) * t.threshold / 100) for t in terms.tiers]


def calculate(terms: Terms, base: Base, *, is_condition_met: bool = True) -> Bonus:
    """Return the bonus the terms give for ``base``."""
    measured = _measured(terms, base)
    limits = thresholds_of(terms)
    tier = _tier_reached(limits, measured)
    premium = 0
    if is_condition_met and tier is not None:
        premium = (_whole(terms, base, tier) if terms.mode is Mode.WHOLE
                   else _brackets(terms, limits, measured))
    compensation = terms.compensation_minor
    total = premium + compensation
    if terms.cap_percent is not None:
        cap = max(0, percent_of(base.amount_minor, terms.cap_percent))
        if total > cap:
            compensation = min(compensation, cap)
            return Bonus(tier, cap - compensation, compensation, cap, True)
    return Bonus(tier, premium, compensation, total, False)


def progress(terms: Terms, base: Base, *, is_condition_met: bool = True) -> Progress:
    """Return the bonus so far, the next tier's threshold and the distance to it."""
    measured = _measured(terms, base)
    upcoming = [limit for limit in thresholds_of(terms) if limit > measured]
    following = upcoming[0] if upcoming else None
    return Progress(calculate(terms, base, is_condition_met=is_condition_met), following,
                    None if following is None else following - measured)


def adjustment(total_minor: int, claimed_minor: Sequence[int]) -> int:
    """Return the claim that brings what was claimed to ``total_minor`` (0: nothing to claim)."""
    return total_minor - sum(claimed_minor)


def project(base: Base, elapsed_days: int, period_days: int) -> Base:
    """Return the base at the period's end if it grows at the rate seen so far."""
    if elapsed_days <= 0 or period_days <= elapsed_days:
        return base
    return Base(base.amount_minor * period_days // elapsed_days,
                base.quantity_milli * period_days // elapsed_days)


def _rate_measure(kind: RateKind) -> Measure:
    return Measure.AMOUNT if kind is RateKind.PERCENT else Measure.QUANTITY


def _measured(terms: Terms, base: Base) -> int:
    return base.amount_minor if terms.measure is Measure.AMOUNT else base.quantity_milli


def _tier_reached(limits: list[int], measured: int) -> int | None:
    reached = [i for i, limit in enumerate(limits) if measured >= limit]
    return reached[-1] if reached else None


def _pay(kind: RateKind, rate: Decimal, units: int) -> int:
    # ``units``: minor units for a percent rate, thousandths for a per-unit rate.
    if kind is RateKind.PERCENT:
        return percent_of(units, rate)
    return round_minor(rate * units / MILLI)


def _whole(terms: Terms, base: Base, tier: int) -> int:
    units = base.amount_minor if terms.rate_kind is RateKind.PERCENT else base.quantity_milli
    return max(0, _pay(terms.rate_kind, terms.tiers[tier].rate, units))


def _brackets(terms: Terms, limits: list[int], measured: int) -> int:
    total = 0
    for index, (tier, low) in enumerate(zip(terms.tiers, limits, strict=True)):
        high = limits[index + 1] if index + 1 < len(limits) else None
        top = measured if high is None else min(measured, high)
        if top > low:
            total += _pay(terms.rate_kind, tier.rate, top - low)
    return total
