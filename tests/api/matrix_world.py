"""The places of the scope matrix (tests/api/test_scope_matrix.py) and documents at each.

- ``own``: MAIN's till 1, the seeded cashier's (she is assigned to it);
- ``other_till``: MAIN's till 3, whose shifts Otto opens, a cashier assigned to no till;
- ``other_store``: WEST's till, whose shifts Wendy opens, WEST's cashier.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from pos.auth.service import NewUser, create_user
from pos.catalog.model import Price
from pos.core import audit
from pos.core.context import Context
from pos.discounts.limits import replace_limits
from pos.receipts.lines import LineRequest
from pos.receipts.manual import ManualRequest, give
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest, add_payment
from pos.shifts.model import Shift
from pos.shifts.service import CloseShift, close_shift, open_shift, x_report
from pos.stores.service import create_till
from tests.helpers import CHANNEL_POLL_S, ApiClient, Shop, context_for

FLOAT_MINOR = 10000


class World:
    """The three places of the matrix, and fresh documents at each, made by their cashier."""

    def __init__(self, api: ApiClient, shop: Shop, db: Any, registry: Any, now: Any) -> None:
        self.api, self.db, self.registry, self.now = api, db, registry, now
        third = create_till(db, shop.store_id, 3, "Till 3", "online").id
        for name, store_id, tills in (("otto", shop.store_id, ()),
                                      ("wendy", shop.other_store_id, (shop.other_store_till_id,))):
            create_user(db, NewUser(name, name.title(), "cashier", f"{name}-password",
                                    user_group="cashiers", store_ids=(store_id,),
                                    till_ids=tills), now=now, actor_id=None)
        self.places = {"own": (shop.store_id, shop.till_id, "cashier"),
                       "other_till": (shop.store_id, third, "otto"),
                       "other_store": (shop.other_store_id, shop.other_store_till_id, "wendy")}
        self.item_id, self.numbers = shop.items["MILK-1L"], iter(range(10, 99))
        with db.transaction() as session:  # WEST sells at MAIN's prices
            for price in session.scalars(select(Price)).all():
                session.add(Price(store_id=shop.other_store_id, item_id=price.item_id,
                                  price_type_id=price.price_type_id, valid_to=None,
                                  price_minor=price.price_minor, valid_from=price.valid_from))
            for store_id in (shop.store_id, shop.other_store_id):
                audit.record(session, at=now, action="matrix", user_id=None, store_id=store_id)
        replace_limits(db, [{"user_group": "cashiers", "price_group": None,
                             "max_percent": Decimal(5)}])

    def store(self, target: str) -> int:
        """Return the target's store."""
        return self.places[target][0]

    def till(self, target: str) -> int:
        """Return the target's till."""
        return self.places[target][1]

    def ctx(self, username: str) -> Context:
        """Return a use case's context acting as ``username`` now."""
        return context_for(self.db, self.registry, username, self.now)

    def _open_shift_id(self, target: str) -> int | None:
        with self.db.read() as session:
            return session.scalar(select(Shift.id).where(Shift.open_till_id == self.till(target)))

    def shift(self, target: str) -> int:
        """Return the target till's open shift, opened by its cashier if there is none."""
        found = self._open_shift_id(target)
        if found is not None:
            return found
        return open_shift(self.ctx(self.places[target][2]), self.till(target), FLOAT_MINOR).id

    def free_till(self, target: str) -> None:
        """Close the target till's open shift, if any (the admin counts what it expects)."""
        found = self._open_shift_id(target)
        if found is not None:
            admin = self.ctx("admin")
            expected = x_report(admin, found)["cash"]["expected_minor"]
            close_shift(admin, found, CloseShift(expected))

    def receipt(self, target: str, *, lines: int = 0, paid: bool = False,
                discounted: bool = False) -> int:
        """Open a receipt at the target's till as its cashier; return its id."""
        self.shift(target)
        owner = self.ctx(self.places[target][2])
        cmd = NewReceipt(till_id=self.till(target),
                         lines=tuple(LineRequest(sku="MILK-1L") for _ in range(lines)))
        receipt_id = create_receipt(owner, cmd).receipt.id
        if discounted:
            give(owner, receipt_id, ManualRequest(percent=Decimal(1), line_no=1))
        if paid:
            add_payment(owner, receipt_id, PaymentRequest("cash", 10000))
        return receipt_id

    def sale(self, target: str) -> int:
        """Sell a milk for cash at the target's till; return the closed receipt's id."""
        self.shift(target)
        cmd = NewReceipt(till_id=self.till(target), lines=(LineRequest(sku="MILK-1L"),),
                         payments=(PaymentRequest("cash", 10000),))
        return create_receipt(self.ctx(self.places[target][2]), cmd).receipt.id

    # -- devices: fake ones at each till, owned by one device service per world ------------
    def devices(self, target: str) -> Any:
        """Give the target's till a fake registrar, printer and scale (1 kg on it)."""
        import dataclasses

        from pos.hardware.daemon import DeviceService
        from pos.hardware.model import KINDS, TillDevice
        from pos.hardware.service import add_device

        till_id = self.till(target)
        with self.db.read() as session:
            have = set(session.scalars(select(TillDevice.kind).where(
                TillDevice.till_id == till_id)))
        for kind in set(KINDS) - have:
            add_device(self.db, till_id, {"kind": kind, "protocol": "fake", "url": "fake"},
                       self.now)
        app = self.api.client.application
        service = getattr(self, "device_service", None)
        if service is None:
            service = self.device_service = DeviceService(
                self.db, lambda: self.now, address="127.0.0.1:0",
                channel_poll_s=CHANNEL_POLL_S).start(outbox=False)
            app.extensions["pos.settings"] = dataclasses.replace(
                app.extensions["pos.settings"], device_service=service.address)
        service.reload()
        service.port(till_id, "scale").call(lambda scale: scale.place(Decimal("1.000")), 30)
        return till_id

    def stop_devices(self) -> None:
        """Stop the world's device service, if it started one."""
        service = getattr(self, "device_service", None)
        if service is not None:
            service.stop()

    def device(self, target: str) -> int:
        """Return the id of a device at the target's till, attaching one if there is none."""
        from pos.hardware.model import TillDevice
        from pos.hardware.service import add_device

        till_id = self.till(target)
        with self.db.read() as session:
            found = session.scalar(select(TillDevice.id).where(TillDevice.till_id == till_id))
        if found is not None:
            return int(found)
        return add_device(self.db, till_id, {"kind": "printer", "protocol": "fake",
                                             "url": "fake"}, self.now).id

    def device_shift(self, target: str) -> int:
        """Return the target's open shift, with a registrar record of it."""
        from pos.fiscal.device_shift import device_shift

        shift_id = self.shift(target)
        with self.db.transaction() as session:
            device_shift(session, self.store(target), self.till(target), shift_id)
        return shift_id
