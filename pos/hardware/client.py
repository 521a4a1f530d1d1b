"""The web side of the device service: ask it over the loopback channel, map its refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pos.core.config import Settings
from pos.core.errors import ConflictError, PosError
from pos.hardware.channel import DeviceChannel, DeviceServiceUnavailable

STATUS_TIMEOUT_S = 1.0
WEIGH_WAIT_S = 3.0
QUEUE_TIMEOUT_S = 1.0


class DeviceUnavailable(PosError):
    """A device the request needs is absent, unplugged or not answering."""

    status = 503
    code = "device_unavailable"
    title = "Device unavailable"


# Device codes (devices/errors.py) -> the scale problems the till shows.
SCALE_PROBLEMS = {
    "unstable_weight": (ConflictError, "weight_unstable", "The weight is not stable yet"),
    "overload": (ConflictError, "scale_overload", "The load is above the scale's capacity"),
    "underload": (ConflictError, "scale_underload", "The scale reads below zero; zero it"),
    "negative_weight": (ConflictError, "scale_underload", "The net weight is negative"),
    "below_minimum_weight": (ConflictError, "below_minimum_weight",
                             "The weight is below the scale's minimum for trade"),
}


def channel(settings: Settings) -> DeviceChannel:
    """Return the channel to the device service these settings name."""
    return DeviceChannel(settings.device_service)


def live_status(settings: Settings, till_id: int) -> dict[str, Any]:
    """Return the device service's status of each of the till's devices, by kind."""
    if settings.devices == "off":
        return {}
    reply = channel(settings).call({"op": "status", "till_id": till_id}, STATUS_TIMEOUT_S)
    return dict(reply.get("result") or {})


def weigh(settings: Settings, till_id: int) -> dict[str, Any]:
    """Read a stable, accepted weight from the till's scale now, or raise its problem."""
    try:
        reply = channel(settings).call({"op": "weigh", "till_id": till_id,
                                        "timeout_s": WEIGH_WAIT_S}, WEIGH_WAIT_S + 7.0)
    except DeviceServiceUnavailable as error:
        raise _scale_absent(str(error)) from None
    if reply.get("ok"):
        return dict(reply["result"])
    code, message = str(reply.get("code")), str(reply.get("message", ""))
    if code in SCALE_PROBLEMS:
        kind, problem, text = SCALE_PROBLEMS[code]
        raise kind(text, code=problem)
    raise _scale_absent(f"The scale did not give a weight: {message}")


def scale_weight(settings: Settings, till_id: int) -> Decimal:
    """Return the weight in kg the till's scale reads now."""
    return Decimal(weigh(settings, till_id)["net_kg"])


def _scale_absent(detail: str) -> DeviceUnavailable:
    return DeviceUnavailable(detail, code="scale_absent")


def ask(settings: Settings, request: dict[str, Any], timeout_s: float = QUEUE_TIMEOUT_S
        ) -> dict[str, Any]:
    """Send a request that a device must carry out; raise its refusal as a problem."""
    reply = channel(settings).call(request, timeout_s)
    if not reply.get("ok"):
        raise DeviceUnavailable(str(reply.get("message", "")),
                                code=str(reply.get("code", "device_unavailable")))
    return dict(reply.get("result") or {})


def tell(settings: Settings, request: dict[str, Any]) -> bool:
    """Send a request whose failure must not fail the caller (a drawer kick); say if sent."""
    if settings.devices == "off":
        return False
    try:
        return bool(channel(settings).call(request, QUEUE_TIMEOUT_S).get("ok"))
    except DeviceServiceUnavailable:
        return False
