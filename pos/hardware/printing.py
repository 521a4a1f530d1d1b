"""Print on a till's ESC/POS printer: a receipt's non-fiscal copy, reports, slips, price tags.

The copy is built from the receipt's canonical document (what was journaled and fiscalised),
so it can only say what the fiscal receipt says, plus the registrar's number and sign.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from devices.printers.base import Adjustment, ReceiptDocument, ReceiptLine
from pos.core.db import Database
from pos.core.money import format_minor
from pos.fiscal.model import OutboxEntry

MAX_LINES = 500
Job = Callable[[Any], None]


def print_job(db: Database, request: dict[str, Any]) -> Job:
    """Return the printer command a channel print request asks for."""
    if request.get("what") == "receipt_copy":
        document = copy_document(db, int(request["receipt_id"]))
        return lambda printer: printer.print_document(document)
    lines = [str(line)[:200] for line in request["lines"]][:MAX_LINES]

    def text_and_cut(printer: Any) -> None:
        printer.print_text(lines)
        printer.cut()

    return text_and_cut


def copy_document(db: Database, receipt_id: int) -> ReceiptDocument:
    """Build the non-fiscal copy of a closed receipt from its outbox document."""
    with db.read() as session:
        entry = session.scalars(select(OutboxEntry).where(
            OutboxEntry.document_id == receipt_id,
            OutboxEntry.kind.in_(("sale", "return")))).first()
        if entry is None:
            raise KeyError(f"receipt {receipt_id} is not closed")
        payload, number, sign = entry.payload, entry.device_number, entry.fiscal_sign
    fiscal = (f"FD {number}  FS {sign}",) if number is not None else ("NOT YET FISCALISED",)
    return ReceiptDocument(
        header=("COPY - NOT A FISCAL RECEIPT", f"{payload['kind'].upper()} {payload['number']}"),
        lines=tuple(_line(line) for line in payload["lines"]),
        total_minor=payload["total_minor"],
        discounts=tuple(Adjustment(d["name"], d["amount_minor"])
                        for d in payload.get("discounts", ())),
        payments=tuple(Adjustment(p["kind"], p["amount_minor"]) for p in payload["payments"]),
        change_minor=payload.get("change_minor", 0),
        footer=fiscal,
    )


def _line(line: dict[str, Any]) -> ReceiptLine:
    return ReceiptLine(name=line["name"], qty=Decimal(line["quantity"]),
                       price_minor=line["unit_price_minor"], amount_minor=line["amount_minor"],
                       is_manual_weight=bool(line.get("is_manual_weight")))


def report_lines(report: dict[str, Any], *, shows_cash: bool) -> list[str]:
    """Lay out an X report as text; without ``shows_cash`` the expected cash is left out."""
    sales, returns, cash = report["sales"], report["returns"], report["cash"]
    lines = [f"X REPORT  shift {report['shift_id']}  till {report['till_id']}",
             f"Sales:   {sales['count']}  {format_minor(sales['total_minor'])}",
             f"Returns: {returns['count']}  {format_minor(returns['total_minor'])}"]
    for kind, amount in sorted(sales.get("by_payment", {}).items()):
        lines.append(f"  {kind}: {format_minor(amount)}")
    lines.append(f"Cash in: {format_minor(cash['cash_in_minor'])}  "
                 f"out: {format_minor(cash['cash_out_minor'])}")
    if shows_cash:  # blind close: the expected cash is kept from the cashier (pos.shifts.blind)
        lines.append(f"Expected cash: {format_minor(cash['expected_minor'])}")
    return lines


def slip_lines(title: str, body: list[str]) -> list[str]:
    """Lay out a slip (card terminal slip, price tag) as text."""
    return [title.upper(), *body, ""]
