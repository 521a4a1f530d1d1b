"""Use cases of device configuration: attach, change, detach and list a till's devices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from devices.config import DeviceConfig
from pos.core.db import Database
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.security import Principal
from pos.hardware.model import PROTOCOLS, TillDevice
from pos.stores.service import get_till


def _no_device(device_id: int) -> NotFoundError:
    return NotFoundError(f"No device {device_id}", code="device_not_found")


def _check_protocol(kind: str, protocol: str) -> None:
    if protocol not in PROTOCOLS.get(kind, ()):
        raise ValidationError(f"A {kind} speaks one of {', '.join(PROTOCOLS.get(kind, ()))}",
                              code="unknown_protocol", field="protocol")


def add_device(db: Database, till_id: int, data: dict[str, Any], now: datetime,
               viewer: Principal | None = None) -> TillDevice:
    """Attach a device to a till; one device of each kind per till."""
    _check_protocol(data["kind"], data["protocol"])
    try:
        with db.transaction() as session:
            till = get_till(session, till_id, viewer)
            device = TillDevice(store_id=till.store_id, till_id=till.id, created_at=now,
                                updated_at=now, **data)
            session.add(device)
            session.flush()
            return device
    except IntegrityError:
        raise ConflictError(f"Till {till_id} already has a {data['kind']} device",
                            code="device_already_attached", field="kind") from None


def update_device(db: Database, device_id: int, changes: dict[str, Any], now: datetime,
                  viewer: Principal | None = None) -> TillDevice:
    """Change a device's settings."""
    with db.transaction() as session:
        device = _visible(session, device_id, viewer)
        _check_protocol(device.kind, changes.get("protocol", device.protocol))
        for name, value in changes.items():
            setattr(device, name, value)
        device.updated_at = now
        return device


def remove_device(db: Database, device_id: int, viewer: Principal | None = None) -> None:
    """Detach a device from its till."""
    with db.transaction() as session:
        session.delete(_visible(session, device_id, viewer))


def _visible(session: Session, device_id: int, viewer: Principal | None) -> TillDevice:
    device = session.get(TillDevice, device_id)
    if device is None:
        raise _no_device(device_id)
    try:
        get_till(session, device.till_id, viewer)
    except NotFoundError:
        raise _no_device(device_id) from None
    return device


def till_devices(db: Database, till_id: int, viewer: Principal | None = None
                 ) -> list[TillDevice]:
    """Return a till's devices, fiscal first."""
    with db.read() as session:
        get_till(session, till_id, viewer)
        return list(session.scalars(select(TillDevice).where(TillDevice.till_id == till_id)
                                    .order_by(TillDevice.kind)))


def enabled_devices(db: Database) -> list[TillDevice]:
    """Return every enabled device (what the device service opens)."""
    with db.read() as session:
        return list(session.scalars(select(TillDevice).where(TillDevice.is_enabled)
                                    .order_by(TillDevice.till_id, TillDevice.kind)))


def has_device(session: Session, till_id: int, kind: str) -> bool:
    """Tell whether a till has an enabled device of this kind."""
    return session.scalar(select(TillDevice.id).where(
        TillDevice.till_id == till_id, TillDevice.kind == kind, TillDevice.is_enabled)) is not None


def to_config(device: TillDevice) -> DeviceConfig:
    """Return the devices library's connection settings for a configured device."""
    return DeviceConfig(
        kind=device.kind, protocol=device.protocol, url=device.url, baudrate=device.baudrate,
        bytesize=device.bytesize, parity=device.parity, stopbits=device.stopbits,
        timeout_s=device.timeout_ms / 1000, write_timeout_s=device.write_timeout_ms / 1000,
        retries=device.retries, password=device.password, profile=device.profile,
        min_weight_g=device.min_weight_g, options=dict(device.options or {}))
