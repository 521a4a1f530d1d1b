"""What the device endpoints need beside a service call: status merging and scope checks."""

from __future__ import annotations

from typing import Any

from pos.core.config import Settings
from pos.core.errors import NotFoundError
from pos.core.scope import works_at
from pos.core.web import authenticate, current_db, current_settings, use_case
from pos.hardware import client
from pos.hardware.channel import DeviceServiceUnavailable
from pos.hardware.model import PRINTER, TillDevice
from pos.hardware.printing import report_lines
from pos.stores.service import get_till, till_not_found

UNREACHABLE = {"online": False, "paper": "unknown", "last_error": "device service unreachable",
               "last_error_code": "device_service_unavailable"}


def row(device: TillDevice, status: dict[str, Any] | None) -> dict[str, Any]:
    """Return a device as the API shows it."""
    shown = {c.name: getattr(device, c.name) for c in TillDevice.__table__.columns
             if c.name != "password"}
    return {**shown, "has_password": device.password is not None, "status": status}


def with_status(settings: Settings, till_id: int, devices: list[TillDevice]
                ) -> list[dict[str, Any]]:
    """Return the devices, each with the device service's live status."""
    try:
        live = client.live_status(settings, till_id) if devices else {}
    except DeviceServiceUnavailable:
        live = dict.fromkeys((d.kind for d in devices), UNREACHABLE)
    return [row(d, live.get(d.kind) if d.is_enabled else None) for d in devices]


def check_till(till_id: int) -> None:
    """Refuse a till the caller does not work at: another store, another cashier's (404)."""
    from pos.shifts.service import till_place

    principal = authenticate()
    with current_db().read() as session:
        till = get_till(session, till_id, principal)
        if not works_at(principal, till_place(session, principal, till.store_id, till.id)):
            raise till_not_found(till_id)


def receipt_till(receipt_id: int) -> int:
    """Return the till of a receipt the caller may read."""
    from pos.receipts.service import get_receipt

    receipt = get_receipt(current_db(), receipt_id, authenticate())
    if receipt.state != "closed":
        raise NotFoundError(f"No closed receipt {receipt_id}", code="receipt_not_found")
    return int(receipt.till_id)


def print_x_report(shift_id: int) -> None:
    """Print the X report, keeping the expected cash from whom blind close keeps it."""
    from pos.shifts import service as shifts

    ctx = use_case()
    report = shifts.x_report(ctx, shift_id)  # refuses a blind-close store's cashier
    settings = current_settings()
    till_id = int(report["till_id"])
    status = client.live_status(settings, till_id)
    if PRINTER in status:
        lines = report_lines(report, shows_cash=True)
        client.ask(settings, {"op": "print", "till_id": till_id, "what": "text", "lines": lines})
    else:
        client.ask(settings, {"op": "x_report", "till_id": till_id}, timeout_s=35.0)
