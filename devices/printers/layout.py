"""Lay receipt text out in fixed-width columns: money, quantities, wrapped names."""

from __future__ import annotations

import textwrap
from decimal import Decimal

from devices.printers.base import ReceiptDocument, ReceiptLine

QTY_INDENT = "  "


def format_minor(amount_minor: int, places: int = 2) -> str:
    """Format an integer amount in minor units as a decimal string like "12.30"."""
    sign = "-" if amount_minor < 0 else ""
    whole, frac = divmod(abs(amount_minor), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"


def format_qty(qty: Decimal) -> str:
    """Format a quantity without trailing zeros or exponent: 2, 0.532, 10."""
    return f"{qty.normalize():f}"


def two_columns(left: str, right: str, columns: int) -> list[str]:
    """Put `left` and `right` on one line of `columns`, wrapping `left` if they do not fit."""
    room = columns - len(right) - 1
    if room < 1:
        return [left[:columns], right.rjust(columns)]
    wrapped = textwrap.wrap(left, room) or [""]
    head, last = wrapped[:-1], wrapped[-1]
    return head + [last.ljust(room) + " " + right]


def wrap(text: str, columns: int) -> list[str]:
    """Wrap free text to the paper width, keeping blank lines."""
    return textwrap.wrap(text, columns) or [""]


def separator(columns: int, char: str = "-") -> str:
    """Return a full-width rule."""
    return char * columns


def line_block(line: ReceiptLine, manual_label: str, columns: int) -> list[str]:
    """Lay out one sold line: the name, then "qty x price" with the amount on the right."""
    unit = f" {line.unit}" if line.unit else ""
    qty = f"{QTY_INDENT}{format_qty(line.qty)}{unit} x {format_minor(line.price_minor)}"
    rows = wrap(line.name, columns)
    rows += two_columns(qty, format_minor(line.amount_minor), columns)
    if line.is_manual_weight:
        rows.append(f"{QTY_INDENT}{manual_label}")
    return rows


def body_rows(doc: ReceiptDocument, columns: int) -> list[str]:
    """Lay out the sold lines and the discounts of a receipt."""
    rows: list[str] = []
    for line in doc.lines:
        rows += line_block(line, doc.labels.manual_weight, columns)
    for discount in doc.discounts:
        label = doc.labels.discount
        if discount.label:
            label = f"{label}: {discount.label}"
        rows += two_columns(label, format_minor(-abs(discount.amount_minor)), columns)
    return rows


def total_rows(doc: ReceiptDocument, columns: int) -> list[str]:
    """Lay out the total line."""
    return two_columns(doc.labels.total, format_minor(doc.total_minor), columns)


def settlement_rows(doc: ReceiptDocument, columns: int) -> list[str]:
    """Lay out payments and change."""
    rows: list[str] = []
    for payment in doc.payments:
        rows += two_columns(payment.label, format_minor(payment.amount_minor), columns)
    if doc.change_minor:
        rows += two_columns(doc.labels.change, format_minor(doc.change_minor), columns)
    return rows
