"""Discounts in words for the office: combination rules, benefits and conditions, readable.

Everything here reads the API's own documents (``DiscountSchema`` dumps: money as decimal
strings, ``"amount"``, ``"min_amount"``) and only describes them; what a rule means is the
engine's, what is valid the services'.
"""

from __future__ import annotations

from typing import Any

RULE_WORDS = {
    "max": "the best one applies",
    "min": "the smallest one applies",
    "sum": "all add up",
    "multiply": "one after another, each on the price the previous left",
    "priority": "in priority order, first wins",
}
KIND_WORDS = {"automatic": "automatic", "manual": "manual (by the cashier)",
              "card": "by loyalty card type", "campaign": "marketing campaign"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PER_WORDS = {"unit": "per unit", "line": "per line", "document": "per receipt"}


def rule_words(rule: str) -> str:
    """Say how a group combines what fires inside it."""
    return RULE_WORDS.get(rule, rule)


def benefit_words(benefit: dict[str, Any]) -> str:
    """Say what a benefit gives ("10% off", "2.00 off per unit", "every 3rd free")."""
    kind = benefit.get("type", "")
    per = PER_WORDS.get(benefit.get("per", "unit"), "")
    cap = benefit.get("max_per_receipt")
    capped = f", at most {cap} per receipt" if cap else ""
    if kind == "percent_off":
        return f"{benefit['percent']}% off"
    if kind == "amount_off":
        return f"{benefit['amount']} off {per}"
    if kind == "fixed_price":
        return f"price fixed at {benefit['price']}"
    if kind == "markup":
        size = f"{benefit['percent']}%" if benefit.get("percent") else \
            f"{benefit.get('amount')} {per}"
        return f"markup of {size}"
    if kind == "quantity_discount":
        percent = benefit.get("percent", "100")
        off = "free" if str(percent) in ("100", "100.00") else f"{percent}% off"
        return f"every {_nth(benefit['every_nth'])} unit {off}{capped}"
    if kind == "gift":
        return (f"buy {benefit['required_qty']}"
                f"{' of ' + benefit['required_segment'] if benefit.get('required_segment') else ''}"
                f", get item #{benefit['gift_item_id']} for {benefit.get('gift_price', '0')}"
                f"{capped}")
    if kind == "cheapest_free":
        of = f" of {benefit['segment']}" if benefit.get("segment") else ""
        return f"cheapest of every {benefit['set_size']}{of} free{capped}"
    return kind


def _nth(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"


def condition_words(condition: dict[str, Any]) -> str:
    """Say when a condition holds ("receipt of at least 500.00", "Sat, Sun 20:00-22:00")."""
    kind = condition.get("type", "")
    if kind == "receipt_volume":
        parts = []
        if condition.get("min_amount"):
            parts.append(f"at least {condition['min_amount']}")
        if condition.get("min_quantity"):
            parts.append(f"at least {condition['min_quantity']} items")
        of = f" of {condition['segment']}" if condition.get("segment") else ""
        return f"receipt{of} with {' and '.join(parts) or 'anything'}"
    if kind == "accumulated_volume":
        return f"bought at least {condition['min_amount']} before"
    if kind == "segment_quantity":
        return f"at least {condition['min_quantity']} of {condition['segment']} on the receipt"
    if kind == "first_purchase":
        return "the customer's first purchase"
    if kind == "first_purchase_from_segment":
        return f"first purchase from {condition['segment']}"
    if kind == "time_of_sale":
        return time_words(condition)
    if kind == "date_range":
        return f"from {condition.get('start') or 'any day'} to {condition.get('end') or 'open end'}"
    lists = {"payment_form": ("paid by", "forms"), "card_types": ("card of type", "types"),
             "cashier_group": ("cashier in", "groups"),
             "customer_segment": ("customer in", "segments"),
             "store_in": ("in store", "store_ids")}
    if kind in lists:
        words, key = lists[kind]
        return f"{words} {' or '.join(str(v) for v in condition.get(key) or ())}"
    return kind


def time_words(condition: dict[str, Any]) -> str:
    """Say on which days and hours a time-of-sale condition holds."""
    days = ", ".join(WEEKDAYS[d] for d in sorted(condition.get("weekdays") or ()))
    hours = ", ".join(f"{r['start']}-{r['end']}" for r in condition.get("ranges") or ())
    return " ".join(part for part in (days or "every day", hours) if part)


def validity_words(discount: dict[str, Any]) -> str:
    """Say between which dates a discount is valid."""
    start, end = discount.get("valid_from"), discount.get("valid_to")
    if not start and not end:
        return "always"
    return f"{start or 'any day'} to {end or 'open end'}"


def target_words(discount: dict[str, Any], item_skus: dict[int, str],
                 store_names: dict[int, str]) -> list[str]:
    """Say which lines and stores a discount is limited to (empty: every line everywhere)."""
    words = []
    if discount.get("item_ids"):
        words.append("items " + ", ".join(item_skus.get(i, f"#{i}")
                                          for i in discount["item_ids"]))
    if discount.get("segment"):
        words.append(f"segment {discount['segment']}")
    if discount.get("price_groups"):
        words.append("price groups " + ", ".join(discount["price_groups"]))
    if discount.get("store_ids"):
        words.append("stores " + ", ".join(store_names.get(i, f"#{i}")
                                           for i in discount["store_ids"]))
    if discount.get("card_types"):
        words.append("card types " + ", ".join(discount["card_types"]))
    if discount.get("customer_segments"):
        words.append("customer segments " + ", ".join(discount["customer_segments"]))
    return words
