"""The embedded device service of ``make run``: emulators it starts itself, on the demo tills.

A newcomer gets a working Shtrih-M registrar, ESC/POS printer and Toledo scale with no
hardware: ``pos devices serve --emulators`` runs each emulator on a pseudo-terminal, points
till 1 of the demo store at them (and every other till at a registrar of its own), and owns
their ports from its threads. ``pos serve`` with ``POS_DEVICES=embedded`` starts that command
as its own child and stops it on exit: a thread in gunicorn's main process would be forked
into every web worker with whatever locks it held at that instant (tried: workers then hung
on exit), and would hand them its port descriptors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from devices.emulators.base import PtyEmulator
from devices.emulators.escpos import EscPosEmulator
from devices.emulators.shtrih import ShtrihEmulator
from devices.emulators.toledo import Toledo8217Emulator
from pos.core.db import Database
from pos.hardware.daemon import DeviceService
from pos.hardware.model import FISCAL, PRINTER, SCALE, TillDevice
from pos.stores.model import Store, Till

DEMO_STORE = "MAIN"
DEMO_LOAD_KG = Decimal("0.742")  # bananas already on the scale


@dataclass
class Embedded:
    """The emulators and the device service running in this process."""

    emulators: dict[str, PtyEmulator]
    service: DeviceService
    other_registrars: tuple[PtyEmulator, ...] = ()

    def stop(self) -> None:
        """Stop the service, then the emulators."""
        self.service.stop()
        for emulator in (*self.emulators.values(), *self.other_registrars):
            emulator.stop()


def start_embedded(db: Database, now: Callable[[], datetime], address: str) -> Embedded:
    """Start the emulators, point the demo till at them, and start the device service."""
    emulators: dict[str, PtyEmulator] = {
        FISCAL: ShtrihEmulator().start(), PRINTER: EscPosEmulator().start(),
        SCALE: Toledo8217Emulator(bytesize=7, parity="E").start()}
    scale = emulators[SCALE]
    assert isinstance(scale, Toledo8217Emulator)
    scale.scale.place(DEMO_LOAD_KG)
    attach_demo_till(db, {kind: e.url for kind, e in emulators.items()}, now())
    others = _registrars_for_other_tills(db, now())
    service = DeviceService(db, now, address=address)
    service.commands.emulators = emulators
    return Embedded(emulators, service.start(), others)


def _registrars_for_other_tills(db: Database, now: datetime) -> tuple[PtyEmulator, ...]:
    """Give every other till of the demo store a registrar of its own (and nothing else).

    Every till's sales are fiscal documents: without a registrar, the wholesale deliveries
    the demo records on till 2 would wait in the fiscal queue for ever.
    """
    with db.read() as session:
        numbers = session.scalars(select(Till.number).join(Store, Store.id == Till.store_id)
                                  .where(Store.code == DEMO_STORE, Till.number != 1)
                                  .order_by(Till.number)).all()
    registrars = tuple(ShtrihEmulator().start() for _ in numbers)
    for number, registrar in zip(numbers, registrars, strict=True):
        attach_demo_till(db, {FISCAL: registrar.url}, now, number)
    return registrars


def attach_demo_till(db: Database, urls: dict[str, str], now: datetime, number: int = 1
                     ) -> int | None:
    """Point a till of the demo store at the emulators (their ptys change every run)."""
    protocols = {FISCAL: ("shtrih", {}), PRINTER: ("escpos", {}),
                 SCALE: ("toledo8217", {"bytesize": 7, "parity": "E", "min_weight_g": 40})}
    with db.transaction() as session:
        till = session.scalar(select(Till).join(Store, Store.id == Till.store_id)
                              .where(Store.code == DEMO_STORE, Till.number == number))
        if till is None:
            return None
        for kind, url in urls.items():
            protocol, extra = protocols[kind]
            device = session.scalar(select(TillDevice).where(TillDevice.till_id == till.id,
                                                             TillDevice.kind == kind))
            if device is None:
                device = TillDevice(store_id=till.store_id, till_id=till.id, kind=kind,
                                    created_at=now, options={})
                session.add(device)
            device.protocol, device.url, device.updated_at = protocol, url, now
            device.is_enabled = True
            for name, value in extra.items():
                setattr(device, name, value)
        return till.id


def emulator_action(emulators: dict[str, PtyEmulator], kind: str, action: str,
                    value: Any = None) -> dict[str, Any]:
    """Pull or restore an emulator's plug, or put a load on the scale (the walkthrough)."""
    emulator = emulators[kind]
    if action == "unplug":
        emulator.disconnect()
    elif action == "replug":
        emulator.reconnect()
    elif action == "place" and isinstance(emulator, Toledo8217Emulator):
        emulator.scale.place(Decimal(str(value)))
    else:
        raise ValueError(f"cannot {action} the {kind}")
    return {"ok": True, "result": {kind: action}}
