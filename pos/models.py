"""Import every table so ``Base.metadata`` is complete (Alembic, tests)."""

from loyalty.cards import model as loyalty_cards_model  # noqa: F401
from loyalty.customers import model as customers_model  # noqa: F401
from loyalty.gift_certificates import model as gift_certificates_model  # noqa: F401
from loyalty.points import model as loyalty_points_model  # noqa: F401
from loyalty.rebates import model as rebates_model  # noqa: F401
from pos.auth import model as auth_model  # noqa: F401
from pos.catalog import model as catalog_model  # noqa: F401
from pos.core import audit, idempotency, throttle  # noqa: F401
from pos.core.db import Base
from pos.discounts import history as discounts_history  # noqa: F401
from pos.discounts import model as discounts_model  # noqa: F401
from pos.fiscal import correction as fiscal_correction  # noqa: F401
from pos.fiscal import device_shift as fiscal_device_shift  # noqa: F401
from pos.fiscal import model as fiscal_model  # noqa: F401
from pos.fiscal import numbering as fiscal_numbering  # noqa: F401
from pos.hardware import model as hardware_model  # noqa: F401
from pos.journal import model as journal_model  # noqa: F401
from pos.receipts import model as receipts_model  # noqa: F401
from pos.shifts import model as shifts_model  # noqa: F401
from pos.stores import model as stores_model  # noqa: F401

metadata = Base.metadata
