"""Read a device's status for the cache, whatever its kind."""

from __future__ import annotations

from typing import Any

from devices.errors import DeviceError


def probe(driver: Any) -> dict[str, Any]:
    """Return the status fields the API shows for a registrar, printer or scale."""
    if hasattr(driver, "register_receipt"):
        return _registrar(driver)
    if hasattr(driver, "print_document"):
        status = driver.status()
        return {"paper": status.paper.value, "cover_open": status.cover_open,
                "drawer_open": status.drawer_open}
    try:
        reading = driver.read()
    except DeviceError as error:
        if error.retryable:
            raise
        return {"paper": "unknown", "reading": error.code}  # it answered: online
    return {"paper": "unknown", "reading": "stable" if reading.is_stable else "moving"}


def _registrar(driver: Any) -> dict[str, Any]:
    status = driver.status()
    if status.shift_expired:
        shift_state = "expired"
    else:
        shift_state = "open" if status.shift_open else "closed"
    unsent = getattr(driver, "unsent_documents", None)
    return {
        "paper": "ok" if status.paper_present else "out",
        "cover_open": status.cover_open,
        "shift_state": shift_state,
        "shift_number": status.shift_number,
        "last_document_number": status.last_document_number,
        "document_open": status.document_open,
        "storage_warnings": list(status.storage_warnings),
        "unsent_documents": unsent() if callable(unsent) else None,
    }
