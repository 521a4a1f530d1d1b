"""Define the device error hierarchy: one base, a stable snake_case `code` per failure."""

from __future__ import annotations


class DeviceError(Exception):
    """Signal a device failure; `code` is stable, `device_code` is the device's own number."""

    code: str = "device_error"
    default_message: str = "device error"
    # Retrying the same request may succeed (link trouble), as opposed to a state or config error.
    retryable: bool = False

    def __init__(self, message: str | None = None, *, device_code: int | None = None) -> None:
        self.message = message or self.default_message
        self.device_code = device_code
        super().__init__(self.message)

    def __repr__(self) -> str:
        extra = f", device_code=0x{self.device_code:02X}" if self.device_code is not None else ""
        return f"{type(self).__name__}({self.message!r}{extra})"


class DeviceAbsent(DeviceError):
    """Report that the port does not exist or nothing answers on it."""

    code = "device_absent"
    default_message = "device not found"
    retryable = True


class DeviceTimeout(DeviceError):
    """Report that the device did not answer within the timeout."""

    code = "device_timeout"
    default_message = "device did not answer in time"
    retryable = True


class GarbledFrame(DeviceError):
    """Report a frame that failed its checksum or structure check."""

    code = "garbled_frame"
    default_message = "garbled frame from device"
    retryable = True


class PortBusy(DeviceError):
    """Report that another process holds the port."""

    code = "port_busy"
    default_message = "port is in use by another process"


class Disconnected(DeviceError):
    """Report that the device went away while the port was open."""

    code = "disconnected"
    default_message = "device disconnected"
    retryable = True


class PaperOut(DeviceError):
    """Report that the printer has no paper."""

    code = "paper_out"
    default_message = "load paper"


class PaperNearEnd(DeviceError):
    """Report that the paper roll is nearly exhausted."""

    code = "paper_near_end"
    default_message = "paper roll nearly exhausted"


class CoverOpen(DeviceError):
    """Report that the printer cover is open."""

    code = "cover_open"
    default_message = "close the printer cover"


class PrinterStall(DeviceError):
    """Report that the printer stopped accepting data."""

    code = "printer_stall"
    default_message = "printer stopped accepting data"


class ShiftExpired(DeviceError):
    """Report that the shift is older than 24 h; a Z report is required."""

    code = "shift_expired"
    default_message = "shift is over 24 hours old, close it with a Z report"


class ShiftNotOpen(DeviceError):
    """Report that the operation needs an open shift."""

    code = "shift_not_open"
    default_message = "shift is not open"


class ShiftAlreadyOpen(DeviceError):
    """Report that a shift is already open."""

    code = "shift_already_open"
    default_message = "shift is already open"


class StorageFull(DeviceError):
    """Report that the fiscal storage is full, expired or exhausted."""

    code = "storage_full"
    default_message = "fiscal storage is full"


class WrongPassword(DeviceError):
    """Report that the device refused the configured password."""

    code = "wrong_password"
    default_message = "device refused the password; check the configuration"


class DeviceBusy(DeviceError):
    """Report that the device stayed busy through every retry."""

    code = "device_busy"
    default_message = "device is busy"
    retryable = True


class CommandRejected(DeviceError):
    """Report a device error code with no more specific meaning."""

    code = "command_rejected"
    default_message = "device rejected the command"


class DocumentOpen(DeviceError):
    """Report that a document is open on the device when it should not be."""

    code = "document_open"
    default_message = "a document is open on the device"


class NeedsReconciliation(DeviceError):
    """Report that the device state does not match what was sent; a human must decide."""

    code = "needs_reconciliation"
    default_message = "device state does not match the document sent"


class UnstableWeight(DeviceError):
    """Report that the scale is in motion."""

    code = "unstable_weight"
    default_message = "weight is not stable"
    retryable = True


class Overload(DeviceError):
    """Report that the load exceeds the scale capacity."""

    code = "overload"
    default_message = "scale overloaded"


class Underload(DeviceError):
    """Report that the scale is below its zero range."""

    code = "underload"
    default_message = "scale underloaded"


class NegativeWeight(DeviceError):
    """Report a negative net weight."""

    code = "negative_weight"
    default_message = "weight is negative"


class BelowMinimumWeight(DeviceError):
    """Report a weight below the legal minimum of the scale."""

    code = "below_minimum_weight"
    default_message = "weight is below the scale minimum"


class DeviceMisconfigured(DeviceError):
    """Report a configuration that names no known driver or misses a required setting."""

    code = "device_misconfigured"
    default_message = "device configuration is invalid"


class UnsupportedCommand(DeviceError):
    """Report that the device does not know the command."""

    code = "unsupported_command"
    default_message = "device does not support the command"


__all__ = [
    "BelowMinimumWeight",
    "CommandRejected",
    "CoverOpen",
    "DeviceAbsent",
    "DeviceBusy",
    "DeviceError",
    "DeviceMisconfigured",
    "DeviceTimeout",
    "Disconnected",
    "DocumentOpen",
    "GarbledFrame",
    "NeedsReconciliation",
    "NegativeWeight",
    "Overload",
    "PaperNearEnd",
    "PaperOut",
    "PortBusy",
    "PrinterStall",
    "ShiftAlreadyOpen",
    "ShiftExpired",
    "ShiftNotOpen",
    "StorageFull",
    "Underload",
    "UnsupportedCommand",
    "WrongPassword",
]
