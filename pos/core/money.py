"""Money in integer minor units, quantities in Decimal, and the one rounding policy.

Every amount inside the service is an ``int`` of minor units (kopecks, cents); JSON carries
decimal strings (``"12.30"``). Quantities are ``Decimal`` with at most three places (kg for
weighed goods). Nothing outside this module rounds: line amounts, percentages and allocations
all go through :func:`round_minor` and :func:`allocate`.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar, Token
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import cast

QUANTITY_PLACES = 3
_QUANTITY_QUANT = Decimal(1).scaleb(-QUANTITY_PLACES)
_QUANTITY_SCALE = 1000
_HUNDRED = Decimal(100)

ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}

# A private context: enough precision for any price x quantity x percent we can meet, and
# independent of whatever the thread's default context happens to be.
_CTX = decimal.Context(prec=40, rounding=ROUND_HALF_UP)
# Amounts and quantities read from text stay within 10^±30, so no step above exceeds _CTX.
_MAX_MAGNITUDE = 30


class MoneyFormatError(ValueError):
    """Raise when a decimal string is not a valid amount or quantity."""


# The installation's rounding mode, set by the app for the requests and commands it runs
# (``rounding``); a context variable, so two apps in one process keep their own policy.
_ROUNDING: ContextVar[str] = ContextVar("pos_rounding", default=ROUND_HALF_UP)


def rounding_mode(name: str) -> str:
    """Return the decimal rounding mode of a setting name (``half_up`` or ``half_even``)."""
    try:
        return ROUNDING_MODES[name]
    except KeyError:
        raise ValueError(f"unknown rounding mode {name!r}") from None


@contextmanager
def rounding(name: str) -> Iterator[None]:
    """Round by the named policy inside the block (the app wraps each request in it)."""
    token = _ROUNDING.set(rounding_mode(name))
    try:
        yield
    finally:
        _ROUNDING.reset(token)


def use_rounding(name: str) -> Token[str]:
    """Round by the named policy in the current context until :func:`reset_rounding`."""
    return _ROUNDING.set(rounding_mode(name))


def reset_rounding(token: Token[str]) -> None:
    """Restore the rounding policy :func:`use_rounding` replaced."""
    _ROUNDING.reset(token)


def round_minor(value: Decimal) -> int:
    """Round an exact amount in minor units to a whole minor unit by the policy."""
    return int(value.quantize(Decimal(1), rounding=_ROUNDING.get(), context=_CTX))


# Decimal() also reads "1_000" and other scripts' digits ("１２"), which no till sends and no
# receipt prints: decimal text is ASCII digits, a sign, a point and an exponent only.
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def _decimal(text: str | int | Decimal) -> Decimal:
    if isinstance(text, bool) or isinstance(text, float):
        raise MoneyFormatError("floats are not accepted; send a decimal string")
    if isinstance(text, str) and not _DECIMAL_TEXT.fullmatch(text.strip()):
        raise MoneyFormatError(f"{text!r} is not a decimal number")
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise MoneyFormatError(f"{text!r} is not a decimal number") from None
    if not value.is_finite():
        raise MoneyFormatError(f"{text!r} is not a finite number")
    if value and not -_MAX_MAGNITUDE < value.adjusted() < _MAX_MAGNITUDE:
        # 1e308 or 1e-99999999: scaling or quantizing it would overflow the context
        raise MoneyFormatError(f"{text!r} is out of range")
    return value


def parse_minor(text: str | int | Decimal, exponent: int = 2) -> int:
    """Parse a decimal string such as ``"12.30"`` into minor units, refusing extra places."""
    value = _decimal(text)
    scaled = value.scaleb(exponent, context=_CTX)
    if scaled != scaled.to_integral_value():
        raise MoneyFormatError(f"{text!r} has more than {exponent} decimal places")
    return int(scaled)


def format_minor(amount_minor: int, exponent: int = 2) -> str:
    """Format minor units as a plain decimal string (``1230`` -> ``"12.30"``)."""
    if exponent == 0:
        return str(amount_minor)
    sign = "-" if amount_minor < 0 else ""
    whole, frac = divmod(abs(amount_minor), 10**exponent)
    return f"{sign}{whole}.{frac:0{exponent}d}"


def parse_quantity(text: str | int | Decimal) -> Decimal:
    """Parse a quantity with at most three decimal places (grams precision for kg)."""
    value = _decimal(text)
    try:
        quantity = value.quantize(_QUANTITY_QUANT, context=_CTX)
    except InvalidOperation:  # more digits than the context holds: "1e300"
        raise MoneyFormatError(f"{text!r} is too large for a quantity") from None
    if value != quantity:
        raise MoneyFormatError(f"{text!r} has more than {QUANTITY_PLACES} decimal places")
    return quantity


def format_quantity(quantity: Decimal) -> str:
    """Format a quantity with exactly three decimal places."""
    return str(quantity.quantize(_QUANTITY_QUANT, context=_CTX))


def line_amount(price_minor: int, quantity: Decimal) -> int:
    """Return price x quantity rounded once to minor units."""
    return round_minor(Decimal(price_minor) * quantity)


def quantity_for_amount(amount_minor: int, unit_price_minor: int) -> Decimal:
    """Return the quantity that costs ``amount_minor`` at a unit price, to three places."""
    if unit_price_minor <= 0:
        raise ValueError("unit price must be positive")
    exact = Decimal(amount_minor) / Decimal(unit_price_minor)
    return exact.quantize(_QUANTITY_QUANT, rounding=_ROUNDING.get(), context=_CTX)


def percent_of(amount_minor: int, percent: Decimal) -> int:
    """Return ``percent`` % of an amount, rounded once to minor units."""
    return round_minor(Decimal(amount_minor) * percent / _HUNDRED)


def round_to_step(amount_minor: int, step_minor: int) -> int:
    """Round an amount to a multiple of ``step_minor`` (price types: 0.10, 1.00) by the policy."""
    if step_minor <= 0:
        raise ValueError("step must be positive")
    return round_minor(Decimal(amount_minor) / Decimal(step_minor)) * step_minor


def allocate(total_minor: int, weights: Sequence[int | Decimal]) -> list[int]:
    """Split ``total_minor`` over ``weights`` so the parts add up exactly.

    Largest remainder method: each part gets the floor of its exact share, and the units left
    over go to the largest remainders, ties broken by position (the earlier line first). A
    negative total is split like its absolute value and the parts negated.
    """
    if not weights:
        raise ValueError("nothing to allocate over")
    # Whole-number weights (amounts) need no scaling: a common factor changes no share.
    if all(type(w) is int for w in weights):
        scaled = cast(list[int], list(weights))
    else:
        scaled = [_integer_weight(w) for w in weights]
    if any(w < 0 for w in scaled):
        raise ValueError("weights must not be negative")
    weight_sum = sum(scaled)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    sign = -1 if total_minor < 0 else 1
    total = abs(total_minor)
    parts: list[int] = []
    remainders: list[int] = []
    for weight in scaled:
        part, remainder = divmod(total * weight, weight_sum)
        parts.append(part)
        remainders.append(remainder)
    left = total - sum(parts)
    if left:
        # Largest remainders first; a stable sort keeps ties in position order.
        by_remainder = sorted(range(len(parts)), key=remainders.__getitem__, reverse=True)
        for index in by_remainder[:left]:
            parts[index] += 1
    return [sign * part for part in parts] if sign < 0 else parts


def _integer_weight(weight: int | Decimal) -> int:
    # Weights are amounts (ints) or quantities (three places): scale the latter to integers so
    # the split is done in exact integer arithmetic.
    if isinstance(weight, int):
        return weight * _QUANTITY_SCALE
    scaled = Decimal(weight).scaleb(QUANTITY_PLACES, context=_CTX)
    if scaled != scaled.to_integral_value():
        raise ValueError("weights may have at most three decimal places")
    return int(scaled)
