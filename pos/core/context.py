"""What every use case is handed: the app's database and registry, who acts, and when.

Views build one per request (:func:`pos.core.web.use_case`); tests and commands build their
own, with a fixed clock's time or a fake registry, so a rule's test needs no HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos.core.barcode import WeightLayout
from pos.core.db import Database
from pos.core.registry import Registry
from pos.core.security import Actor


@dataclass(frozen=True)
class Context:
    """One call of a use case: where it writes, what it may use, who acts, when."""

    db: Database
    registry: Registry
    actor: Actor
    now: datetime
    layouts: tuple[WeightLayout, ...] = ()  # weight and price barcodes
    # The till the request says it comes from (``X-Till-Id``): a receipt of another is refused.
    till_id: int | None = None
