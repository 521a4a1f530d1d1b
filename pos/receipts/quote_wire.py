"""The quote on the wire: a plain basket loaded, and the answer written, by a direct path.

A till asks for a quote on every scan, and marshmallow's per-field machinery on a 100-line
basket costs more than the pricing. ``QuoteSchema`` and ``QuoteResultSchema`` stay the
contract (the OpenAPI document, the errors): a plainly valid basket (SKUs or codes with
quantities, no certificate) loads here to what the schema would load, and anything else goes
to marshmallow, which loads it the same way or refuses it. The answer is written as the
result schema dumps it. Tests hold both paths equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError

from pos.core.money import format_minor, format_quantity
from pos.core.schemas import MAX_ID, Quantity, _exponent

_BASKET_KEYS = frozenset({"till_id", "lines", "card_code", "customer_ref", "payment_forms"})
_LINE_KEYS = frozenset({"sku", "code", "quantity", "weight_source"})
_MAX_LINES = 500
_QUANTITY = Quantity()


def plain_basket(data: Any) -> dict[str, Any] | None:
    """Return ``QuoteSchema``'s load of a plainly valid basket, or None to let it judge."""
    if type(data) is not dict or not data.keys() <= _BASKET_KEYS:
        return None
    till_id, requests = data.get("till_id"), data.get("lines")
    if type(till_id) is not int or not 1 <= till_id <= MAX_ID:
        return None
    if type(requests) is not list or not 1 <= len(requests) <= _MAX_LINES:
        return None
    forms = data.get("payment_forms", [])
    if type(forms) is not list or not all(is_text(form) for form in forms):
        return None
    basket: dict[str, Any] = {"till_id": till_id, "payment_forms": list(forms)}
    for key in ("card_code", "customer_ref"):
        if key in data:
            if not is_text(data[key], 64):
                return None
            basket[key] = data[key]
    lines = []
    quantities: dict[Any, Decimal] = {}  # a basket repeats "1" and "2": parse each text once
    for request in requests:
        line = plain_line(request, quantities)
        if line is None:
            return None
        lines.append(line)
    basket["lines"] = lines
    return basket


def plain_line(request: Any, quantities: dict[Any, Decimal]) -> dict[str, Any] | None:
    """Return ``LineInSchema``'s load of a plain line (an SKU or a code), or None."""
    if type(request) is not dict or not request.keys() <= _LINE_KEYS:
        return None
    if ("sku" in request) == ("code" in request):
        return None
    line = dict(request)
    for key, value in line.items():
        if key == "quantity":
            quantity = _quantity(value, quantities)
            if quantity is None:
                return None
            line[key] = quantity
        elif not is_text(value, 64 if key != "weight_source" else None, 1):
            return None
    return line


def _quantity(value: Any, known: dict[Any, Decimal]) -> Decimal | None:
    """Return what the ``Quantity`` field loads of a string or an int, or None."""
    if type(value) not in (str, int):  # floats and the rest go to marshmallow
        return None
    quantity = known.get(value)  # a str never equals an int: one key space is safe
    if quantity is None:
        try:
            quantity = known[value] = _QUANTITY.deserialize(value)
        except ValidationError:
            return None
    return quantity


def is_text(value: Any, longest: int | None = None, shortest: int = 0) -> bool:
    """Return whether a String field with a Length validator takes it (and no NUL)."""
    return (type(value) is str and "\x00" not in value
            and shortest <= len(value) and (longest is None or len(value) <= longest))


def quote_answer(result: Mapping[str, Any]) -> dict[str, Any]:
    """Return what ``QuoteResultSchema`` dumps of a quote's result (``quote.quote``).

    The result's lists of dicts are already JSON-ready and made for this answer: they are
    passed on, not copied. A result without a trace (the compact quote) has none dumped.
    """
    exponent = _exponent()
    quantities: dict[Decimal, str] = {}  # a basket repeats 1.000 and 2.000: write each once
    answer = {
        "lines": [_line(line, exponent, quantities) for line in result["lines"]],
        "total": format_minor(result["total_minor"], exponent),
        "discount": format_minor(result["discount_minor"], exponent),
        "hints": result["hints"],
        "gift_lines": result["gift_lines"],
    }
    if "pricing_trace" in result:
        answer["pricing_trace"] = result["pricing_trace"]
    return answer


def _line(line: Any, exponent: int, quantities: dict[Decimal, str]) -> dict[str, Any]:
    """Return what ``LineSchema`` dumps of a quoted or receipt line."""
    quantity = quantities.get(line.quantity)
    if quantity is None:
        quantity = quantities[line.quantity] = format_quantity(line.quantity)
    return {
        "line_no": line.line_no,
        "item_id": line.item_id,
        "sku": line.sku,
        "name": line.name,
        "code": line.code,
        "quantity": quantity,
        "unit_price": format_minor(line.unit_price_minor, exponent),
        "base_amount": format_minor(line.base_amount_minor, exponent),
        "discount": format_minor(line.discount_minor, exponent),
        "amount": format_minor(line.amount_minor, exponent),
        "vat_rate": line.vat_rate,
        "weight_source": line.weight_source,
        "is_manual_weight": line.is_manual_weight,
        "is_gift": line.is_gift,
        "discounts": line.discounts,
        "original_line_id": line.original_line_id,
        "certificate_type_id": line.certificate_type_id,
        "certificate_id": line.certificate_id,
    }
