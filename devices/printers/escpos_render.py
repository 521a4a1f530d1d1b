"""Render a receipt document to ESC/POS through python-escpos calls on any Escpos object."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence

from escpos.escpos import Escpos

from devices.printers import layout
from devices.printers.base import ReceiptDocument

# Cyrillic receipts print in PC866, ESC t 17 on Epson-compatible tables (escpos-printer-db).
DEFAULT_CODE_PAGE = "CP866"
# Drawer kick on connector pin 2, ESC p 0 50 50 (python-escpos CD_KICK_2).
DRAWER_PIN = 2
QR_MODULE_SIZE = 4


def begin(p: Escpos, code_page: str = DEFAULT_CODE_PAGE) -> None:
    """Reset the printer and select the code page; call on a fresh Escpos object."""
    # ESC @ resets the printer's code page to 0, so the code page is always sent after it.
    p.hw("INIT")
    p.charcode(code_page)


def render_text(p: Escpos, lines: Sequence[str], columns: int) -> None:
    """Print plain lines, wrapped to the paper width."""
    for line in lines:
        for row in layout.wrap(line, columns):
            p.textln(row)


def render_centered(p: Escpos, lines: Sequence[str], columns: int) -> None:
    """Print lines centred by the printer (ESC a 1), then return to left alignment."""
    if not lines:
        return
    p.set(align="center")
    render_text(p, lines, columns)
    p.set(align="left")


def render_codes(p: Escpos, doc: ReceiptDocument) -> None:
    """Print the optional barcode and QR code centred."""
    if doc.barcode is not None:
        # python-escpos 3.1 prints "Using hardware barcode renderer" to stdout.
        with contextlib.redirect_stdout(io.StringIO()):
            p.barcode(doc.barcode.payload, doc.barcode.symbology, align_ct=True)
        p.set(align="left")
    if doc.qr_payload is not None:
        # native=True sends GS ( k; the default renders a ~600-byte raster image (devices.md §1.3).
        p.set(align="center")
        p.qr(doc.qr_payload, native=True, size=QR_MODULE_SIZE)
        p.set(align="left")


def render_receipt(
    p: Escpos, doc: ReceiptDocument, columns: int, code_page: str = DEFAULT_CODE_PAGE
) -> None:
    """Render a whole receipt, cut it and kick the drawer when the document asks."""
    begin(p, code_page)
    render_centered(p, doc.header, columns)
    rule = layout.separator(columns)
    p.textln(rule)
    render_text(p, layout.body_rows(doc, columns), columns)
    p.textln(rule)
    p.set(bold=True)
    render_text(p, layout.total_rows(doc, columns), columns)
    p.set(bold=False)
    render_text(p, layout.settlement_rows(doc, columns), columns)
    render_centered(p, doc.footer, columns)
    render_codes(p, doc)
    p.cut()
    if doc.open_drawer:
        p.cashdraw(DRAWER_PIN)


def render_cut(p: Escpos) -> None:
    """Feed past the cutter and cut (ESC d 6, GS V 0)."""
    p.cut()


def render_drawer_kick(p: Escpos) -> None:
    """Pulse the cash drawer pin."""
    p.cashdraw(DRAWER_PIN)
