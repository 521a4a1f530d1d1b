"""What the till's hardware adds to an app: the scale read at add-line and the drawer kick."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from pos.catalog.cache import catalog
from pos.core.config import Settings
from pos.core.db import Database
from pos.core.registry import Registry
from pos.hardware import client
from pos.hardware.model import FISCAL, PRINTER, SCALE, TillDevice

if TYPE_CHECKING:
    from pos.core.context import Context


def register_devices(registry: Registry, settings: Callable[[], Settings], db: Database
                     ) -> None:
    """Give the app's registry the till's scale and its cash drawer."""
    if settings().devices == "off":
        return
    registry.weigher = ScaleWeigher(settings, db)
    registry.receipt_listeners.register(DrawerKick(settings, db))


def _has_in(session: Session, till_id: int, kinds: tuple[str, ...]) -> bool:
    # The worker keeps each till's enabled device kinds beside its catalog copy, under the
    # same version token (device writes change it): no query per close once known.
    return not kinds_of(session, till_id).isdisjoint(kinds)


def kinds_of(session: Session, till_id: int) -> frozenset[str]:
    """Return the kinds of the till's enabled devices."""
    return catalog(session).kept(("till_devices", till_id), lambda s: frozenset(s.scalars(
        _KINDS, {"till_id": till_id})))


_KINDS = select(TillDevice.kind).where(TillDevice.till_id == bindparam("till_id"),
                                       TillDevice.is_enabled)


class ScaleWeigher:
    """Read the till's scale now, for a line the till says comes from the scale."""

    def __init__(self, settings: Callable[[], Settings], db: Database) -> None:
        self.settings, self.db = settings, db

    def has_scale(self, session: Session, till_id: int) -> bool:
        """Tell whether the till's scale is configured here (else it sends its weight)."""
        return _has_in(session, till_id, (SCALE,))

    def __call__(self, till_id: int) -> Decimal | None:
        """Return the stable weight in kg from the device service (None: none to be had)."""
        return client.scale_weight(self.settings(), till_id)


class DrawerKick:
    """Open the cash drawer when a receipt paid or refunded in cash has committed."""

    def __init__(self, settings: Callable[[], Settings], db: Database) -> None:
        self.settings, self.db = settings, db

    def closed(self, session: Session, ctx: Context, receipt: Any) -> None:
        """Kick the drawer after the commit, if cash changed hands."""
        if not any(p.kind == "cash" for p in receipt.payments):
            return
        till_id = int(receipt.till_id)
        # Asked in the close's own transaction (one indexed read), not in a read of its own
        # after the commit, which cost every cash close about 1.8 ms.
        if not _has_in(session, till_id, (PRINTER, FISCAL)):
            return

        def kick(_session: Session) -> None:
            # After the commit, never inside it: a slow device service holds no lock.
            client.tell(self.settings(), {"op": "kick", "till_id": till_id})

        event.listen(session, "after_commit", kick, once=True)

    def voided(self, session: Session, ctx: Context, receipt: Any) -> None:
        """A voided receipt took no cash."""
