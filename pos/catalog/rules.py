"""Validation of catalog input shared by the API and the bulk import.

One place decides what a valid item is, so a row refused by ``pos catalog import`` is refused
by ``POST /api/v1/items`` with the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pos.catalog.model import UNITS, VAT_RATES
from pos.core.barcode import BarcodeError, WeightLayout, classify


@dataclass(frozen=True)
class BarcodeInput:
    """A barcode to attach; ``kind`` is detected when not given."""

    code: str
    kind: str | None = None


@dataclass(frozen=True)
class ItemInput:
    """Fields of an item as a client or an import file gives them."""

    sku: str
    name: str
    unit: str = "pcs"
    is_weighed: bool = False
    vat_rate: str = "vat20"
    plu: int | None = None
    price_group: str | None = None
    segments: tuple[str, ...] = ()
    barcodes: tuple[BarcodeInput, ...] = ()
    is_discountable: bool = True
    is_active: bool = True


@dataclass
class Problems:
    """Field errors gathered while checking one input: field -> list of (code, message)."""

    items: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, name: str, code: str, message: str) -> None:
        """Record an error on a field."""
        self.items.setdefault(name, []).append((code, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def first_code(self) -> str:
        """Return the code of the first error, for the problem's top-level ``code``."""
        return next(iter(self.items.values()))[0][0]

    def messages(self) -> dict[str, list[str]]:
        """Return field -> messages, the ``errors`` member of a problem."""
        return {name: [m for _, m in errs] for name, errs in self.items.items()}


def check_item(item: ItemInput, layouts: list[WeightLayout]) -> tuple[Problems, list[str]]:
    """Check an item on its own; return problems and the detected kind of each barcode."""
    problems = Problems()
    if not item.sku.strip() or len(item.sku) > 64:
        problems.add("sku", "invalid_sku", "SKU must be 1-64 characters")
    if not item.name.strip() or len(item.name) > 200:
        problems.add("name", "invalid_name", "Name must be 1-200 characters")
    if item.unit not in UNITS:
        problems.add("unit", "unknown_unit", f"Unit must be one of {', '.join(UNITS)}")
    if item.vat_rate not in VAT_RATES:
        problems.add("vat_rate", "unknown_vat_rate",
                     f"VAT rate must be one of {', '.join(VAT_RATES)}")
    if item.plu is not None and not 0 < item.plu < 100_000:
        problems.add("plu", "invalid_plu", "PLU must be 1-99999 (five digits in the barcode)")
    kinds = _check_barcodes(item.barcodes, layouts, problems)
    return problems, kinds


def _check_barcodes(
    barcodes: tuple[BarcodeInput, ...], layouts: list[WeightLayout], problems: Problems
) -> list[str]:
    kinds: list[str] = []
    weight_prefixes = set().union(*(lay.prefixes for lay in layouts)) if layouts else set()
    seen: set[str] = set()
    for index, barcode in enumerate(barcodes):
        where = f"barcodes[{index}]"
        try:
            kind = classify(barcode.code, barcode.kind)
        except BarcodeError as error:
            problems.add(where, error.code, str(error))
            kinds.append("invalid")
            continue
        if kind == "ean13" and barcode.code[:2] in weight_prefixes:
            problems.add(where, "reserved_barcode_prefix",
                         f"{barcode.code} uses a weight-barcode prefix; set the item's PLU")
        if barcode.code in seen:
            problems.add(where, "duplicate_barcode", f"{barcode.code} is listed twice")
        seen.add(barcode.code)
        kinds.append(kind)
    return kinds
