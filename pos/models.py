"""Import every table so ``Base.metadata`` is complete (Alembic, tests)."""

from pos.auth import model as auth_model  # noqa: F401
from pos.catalog import model as catalog_model  # noqa: F401
from pos.core import audit, idempotency  # noqa: F401
from pos.core.db import Base
from pos.stores import model as stores_model  # noqa: F401

metadata = Base.metadata
