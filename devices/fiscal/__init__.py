"""Register fiscal documents: interface, Shtrih-M driver and an in-memory fake."""

from devices.fiscal.base import (
    FiscalDocument,
    FiscalReceipt,
    FiscalRegistrar,
    FiscalResult,
    FiscalStatus,
    Payment,
    PaymentKind,
    ReceiptKind,
    ReceiptLine,
    Vat,
)

__all__ = [
    "FiscalDocument",
    "FiscalReceipt",
    "FiscalRegistrar",
    "FiscalResult",
    "FiscalStatus",
    "Payment",
    "PaymentKind",
    "ReceiptKind",
    "ReceiptLine",
    "Vat",
]
