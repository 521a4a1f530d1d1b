"""Settings read from ``POS_*`` environment variables, overridable by ``create_app(config)``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any

from pos.core.barcode import WeightLayout
from pos.core.errors import ConfigurationError

# ISO 4217 minor-unit exponents for the currencies we expect; anything else defaults to 2.
CURRENCY_EXPONENTS = {"RUB": 2, "EUR": 2, "USD": 2, "KZT": 2, "BYN": 2, "JPY": 0, "KWD": 3}


@dataclass(frozen=True)
class Settings:
    """Hold the service's configuration; see the README's Settings table."""

    database_url: str = "sqlite:///var/pos.db"
    # Signs the screens' cookie, derives gift codes and holders' receipt codes; empty: see
    # pos.core.secret_key.
    secret_key: str = ""
    # Derives gift certificate codes and their digests; empty: drawn from secret_key. Changing
    # it makes every certificate's code unfindable: set it once, keep it like a key.
    gift_code_secret: str = ""
    currency: str = "RUB"
    timezone: str = "Europe/Moscow"
    log_level: str = "INFO"
    rounding: str = "half_up"
    token_ttl_hours: int = 12
    idempotency_ttl_days: int = 7
    weight_barcode_prefixes: str = "20-29"
    weight_barcode_layout: str = "PPCCCCCWWWWWK"
    price_barcode_prefixes: str = ""
    price_barcode_layout: str = "PPCCCCCMMMMMK"
    login_max_failures: int = 5
    login_max_address_failures: int = 50
    sql_echo: bool = False
    # The device service's loopback address; ``devices=embedded`` runs it inside ``pos serve``
    # against emulators it starts (the demo), ``off`` never asks it.
    device_service: str = "127.0.0.1:8765"
    devices: str = "service"
    testing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def currency_exponent(self) -> int:
        """Return the number of decimal places of the installation's currency."""
        return CURRENCY_EXPONENTS.get(self.currency, 2)

    def barcode_layouts(self) -> list[WeightLayout]:
        """Return the weight and price barcode layouts these settings describe."""
        layouts = [WeightLayout.parse(self.weight_barcode_prefixes, self.weight_barcode_layout)]
        if self.price_barcode_prefixes:
            layouts.append(WeightLayout.parse(self.price_barcode_prefixes,
                                              self.price_barcode_layout))
        return layouts

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from ``POS_<FIELD>`` variables (e.g. ``POS_DATABASE_URL``)."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = environ.get(f"POS_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _coerce(f.name, raw, f.type)
        return cls(**values)

    def override(self, config: dict[str, Any] | None) -> Settings:
        """Return a copy with keys of ``config`` (lower-case field names) replaced."""
        if not config:
            return self
        known = {f.name for f in fields(self)}
        unknown = set(config) - known
        if unknown:
            raise ConfigurationError(f"unknown settings: {sorted(unknown)}")
        return replace(self, **config)


def _coerce(name: str, raw: str, type_name: Any) -> Any:
    kind = str(type_name)
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ConfigurationError(f"POS_{name.upper()} must be an integer") from None
    if kind == "bool":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw
