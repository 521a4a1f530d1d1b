"""Which lines of a receipt sell gift certificates, found once per receipt and transaction.

Several features ask on the same receipt in one transaction (the points guard when a points
payment is taken, the certificates' listener and the points' earn when it closes): each line
is read once. A line that sells a certificate names its type; the others are purchases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pos.core.extensions import ReceiptView

_FOUND = "loyalty_certificate_lines"  # in session.info: receipt id -> its certificate lines


def certificate_lines(session: Session, receipt: ReceiptView) -> list[Any]:
    """Return the receipt's lines that sell gift certificates (kept for the transaction)."""
    found: dict[int, list[Any]] = session.info.setdefault(_FOUND, {})
    lines = found.get(receipt.id)
    if lines is None:
        lines = [line for line in receipt.lines if line.certificate_type_id is not None]
        if receipt.id is not None:  # a receipt's lines are set before features hear of it
            found[receipt.id] = lines
    return lines
