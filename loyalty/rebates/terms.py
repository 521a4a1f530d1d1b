"""Between an agreement's row and the pure arithmetic: its terms, its base, its checks."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from loyalty.rebates.calc import (
    MILLI,
    Base,
    Measure,
    Mode,
    RateKind,
    Terms,
    TermsError,
    Tier,
    check_terms,
)
from loyalty.rebates.model import AccruedBase, Agreement
from pos.core.errors import ValidationError
from pos.core.money import MoneyFormatError, parse_minor


def terms_of(agreement: Agreement) -> Terms:
    """Return an agreement's terms for :mod:`loyalty.rebates.calc`.

    Tiers are kept as the agreement states them: ``from`` is money (``"1000000.00"``) for an
    amount base, units (``"250.5"``) for a quantity base, a percent of plan (``"120"``) with a
    plan; ``rate`` is a percent, or money per unit for a per-unit rate.
    """
    return Terms(
        tiers=tuple(Tier(_threshold(agreement, t["from"]), _rate(agreement, t["rate"]))
                    for t in agreement.tiers),
        measure=Measure(agreement.measure), mode=Mode(agreement.mode),
        rate_kind=RateKind(agreement.rate_kind), plan=agreement.plan_minor,
        cap_percent=None if agreement.cap_percent is None else Decimal(agreement.cap_percent),
        compensation_minor=agreement.compensation_minor,
    )


def _threshold(agreement: Agreement, text: str) -> Decimal:
    if agreement.plan_minor is not None:
        return Decimal(text)
    if agreement.measure == Measure.AMOUNT:
        return Decimal(parse_minor(text))
    return (Decimal(text) * MILLI).to_integral_value()


def _rate(agreement: Any, text: str) -> Decimal:
    if agreement.rate_kind == RateKind.PER_UNIT:
        return Decimal(parse_minor(text))
    return Decimal(text)


def first_rate(agreement: Any) -> Decimal:
    """Return the first tier's rate (percent, or minor units per unit): what a bill-back pays."""
    return _rate(agreement, agreement.tiers[0]["rate"])


def base_of(agreement: Agreement, row: AccruedBase | None) -> Base:
    """Return what an agreement counts of an accrued base: gross, net or paid; quantity."""
    if row is None:
        return Base()
    if agreement.source == "payments":
        amount = row.paid_minor
    else:
        amount = row.net_minor if agreement.is_net else row.gross_minor
    return Base(amount, row.quantity_milli)


def checked_tiers(raw: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Return tiers as stored (decimal strings), refusing what is not a number."""
    try:
        return [{"from": str(Decimal(str(t["from"]))), "rate": str(Decimal(str(t["rate"])))}
                for t in raw]
    except (InvalidOperation, KeyError, TypeError, ValueError):
        raise ValidationError("Each tier needs a numeric 'from' and 'rate'",
                              code="tier_invalid", field="tiers") from None


def check(agreement: Agreement) -> None:
    """Refuse an agreement whose terms cannot be calculated or whose target is unclear."""
    if (agreement.customer_id is None) == (agreement.customer_segment is None):
        raise ValidationError("Name either a customer or a customer segment",
                              code="agreement_target_invalid", field="customer_id")
    if agreement.valid_from > agreement.valid_to:
        raise ValidationError("Validity ends before it starts", code="validity_invalid",
                              field="valid_to")
    if agreement.kind == "lump_sum":
        if agreement.lump_sum_minor <= 0:
            raise ValidationError("A lump sum must be positive", code="lump_sum_invalid",
                                  field="lump_sum")
        return
    try:
        check_terms(terms_of(agreement))
    except (InvalidOperation, MoneyFormatError, ValueError) as error:
        if isinstance(error, TermsError):
            raise ValidationError(str(error), code=error.code, field="tiers") from None
        raise ValidationError(f"A tier is not a valid number: {error}", code="tier_invalid",
                              field="tiers") from None
    except TermsError as error:
        raise ValidationError(str(error), code=error.code, field="tiers") from None
    shares = [Decimal(str(f["share"])) for f in agreement.funds]
    if any(s <= 0 for s in shares) or sum(shares, Decimal(0)) > 100:
        raise ValidationError("Fund shares must be positive and add up to at most 100",
                              code="fund_shares_invalid", field="funds")
