"""Emulate the fiscal-storage commands of a registrar's day beyond receipts (devices.md §3.1.4).

Correction receipts (0xFF35 begin, 0xFF36 make) and the OFD exchange status (0xFF39): how many
documents the storage still has to send to the fiscal data operator, and the oldest of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from devices.fiscal.shtrih_codec import fn_datetime, read_uint, uint
from devices.fiscal.shtrih_tables import RECEIPT_TYPE_RETURN_SALE, RECEIPT_TYPE_SALE

if TYPE_CHECKING:
    from devices.emulators.shtrih_model import Result, ShtrihModel

E_RECEIPT_OPEN, E_SHIFT_CLOSED = 0x4A, 0x3D
SETTLEMENT_INCOME, SETTLEMENT_REFUND = 1, 3


def begin_correction(model: ShtrihModel, _: bytes) -> Result:
    """Start a correction receipt: a shift must be open and no receipt in progress."""
    if model.receipt is not None:
        return E_RECEIPT_OPEN, b""
    return model._shift_error(), b""  # noqa: SLF001 - the model's own rule


def make_correction(model: ShtrihModel, data: bytes) -> Result:
    """Sign a correction receipt of total(5) with settlement sign(1)."""
    if model.receipt is not None:
        return E_RECEIPT_OPEN, b""
    error = model._shift_error() or model._print_error()  # noqa: SLF001
    if error:
        return error, b""
    total, sign = read_uint(data, 0, 5), data[5]
    refund = sign == SETTLEMENT_REFUND
    document = model._sign_document(  # noqa: SLF001
        "correction", total,
        receipt_type=RECEIPT_TYPE_RETURN_SALE if refund else RECEIPT_TYPE_SALE)
    model.cash_minor += -total if refund else total
    model.receipt_number += 1
    return 0, uint(model.receipt_number, 2) + uint(document.number, 4) + uint(
        document.fiscal_sign, 4)


def ofd_status(model: ShtrihModel, _: bytes) -> Result:
    """Report the documents not yet acknowledged by the OFD (all sent unless it is offline)."""
    unsent = [d for d in model.documents if d.number > model.ofd_acknowledged]
    first = unsent[0] if unsent else None
    data = bytes([1 if unsent else 0, 0]) + uint(len(unsent), 2)
    data += uint(first.number if first else 0, 4)
    return 0, data + (fn_datetime(first.datetime) if first else bytes(5))
