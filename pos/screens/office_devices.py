"""The office's devices page: each till of the manager's stores, its devices and their status.

A client of the device configuration service (``till_devices``, scoped to the viewer) and of
the device service's live status (``pos.hardware.views.with_status``): an unreachable device
service shows as each device's status and a message on the page, never as an error page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template

from pos.core.errors import ForbiddenError
from pos.core.request import current_db, current_settings
from pos.core.security import Principal, Right
from pos.hardware import service as hardware
from pos.hardware.views import UNREACHABLE, with_status
from pos.hardware.views import row as device_row
from pos.screens.office import blp, manager
from pos.screens.office_state import StoreRow, TillRow, store_overview


@dataclass(frozen=True)
class TillDevicesRow:
    """A till and its devices, each with what the device service sees of it now."""

    store: StoreRow
    till: TillRow
    devices: list[dict[str, Any]]


def _device_manager() -> Principal:
    who = manager()
    if not who.can(Right.MANAGE_DEVICES):
        raise ForbiddenError("Devices are for those who manage them", code="office_forbidden")
    return who


def devices_by_till(who: Principal) -> list[TillDevicesRow]:
    """Return each till the manager sees with its devices and their live status."""
    db, settings = current_db(), current_settings()
    rows: list[TillDevicesRow] = []
    is_down = False
    for store in store_overview(db, who):
        for till in store.tills:
            devices = hardware.till_devices(db, till.id, who)
            if is_down:  # asked once: not every till waits for a service that is not there
                shown = [device_row(d, UNREACHABLE if d.is_enabled else None) for d in devices]
            else:
                shown = with_status(settings, till.id, devices)
                is_down = any(d["status"] is UNREACHABLE for d in shown)
            rows.append(TillDevicesRow(store, till, shown))
    return rows


def _unreachable(rows: list[TillDevicesRow]) -> bool:
    code = UNREACHABLE["last_error_code"]
    return any((device["status"] or {}).get("last_error_code") == code
               for row in rows for device in row.devices)


@blp.get("/devices")
def devices() -> Any:
    """Show each till's devices and their status (a message if the device service is down)."""
    who = _device_manager()
    rows = devices_by_till(who)
    return render_template("screens/office/devices.html", who=who, rows=rows,
                           is_unreachable=_unreachable(rows),
                           is_off=current_settings().devices == "off")
