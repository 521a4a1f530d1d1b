"""``create_app``: settings, database, API, blueprints, error handlers and CLI, wired once."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, appcontext_pushed, g, jsonify

from loyalty.cards import api as loyalty_cards_api
from loyalty.cards import holder_api as loyalty_holder_api
from loyalty.customers import api as customers_api
from loyalty.gift_certificates import api as gift_certificates_api
from loyalty.gift_certificates.wiring import register as register_gift_certificates
from loyalty.points.register import register_points
from loyalty.rebates import api as rebates_api
from loyalty.rebates.setup import register_rebates
from pos import __version__
from pos.auth import api as auth_api
from pos.auth.service import resolve_token
from pos.catalog import api as catalog_api
from pos.catalog.service import segments_by_item
from pos.core.apidoc import PosApi
from pos.core.clock import Clock, SystemClock
from pos.core.config import Settings
from pos.core.db import Database
from pos.core.json_provider import FastJSONProvider
from pos.core.money import reset_rounding, rounding_mode, use_rounding
from pos.core.pan_guard import refuse_card_numbers
from pos.core.problems import register_problem_handlers
from pos.core.registry import Registry
from pos.core.secret_key import with_secret_key
from pos.core.web import IdConverter, TextConverter
from pos.discounts import api as discounts_api
from pos.discounts.history import move_card_history
from pos.fiscal import api as fiscal_api
from pos.fiscal.correction import register_journal_checks as register_correction_checks
from pos.hardware import api as hardware_api
from pos.hardware.wiring import register_devices
from pos.journal import api as journal_api
from pos.receipts import api as receipts_api
from pos.receipts import card_api as receipt_card_api
from pos.receipts import customer_api as receipt_customer_api
from pos.receipts.journaled import register_journal_checks as register_receipt_checks
from pos.receipts.payments import register_payment_types
from pos.screens.wiring import register as register_screens
from pos.shifts import api as shifts_api
from pos.shifts.journaled import register_journal_checks as register_shift_checks
from pos.stores import api as stores_api
from pos.stores.service import store_local_date

BLUEPRINTS = (auth_api.blp, stores_api.blp, catalog_api.blp, shifts_api.blp, receipts_api.blp,
              journal_api.blp, fiscal_api.blp, discounts_api.blp, receipt_card_api.blp,
              loyalty_cards_api.blp, loyalty_holder_api.blp, gift_certificates_api.blp,
              hardware_api.blp)
# Wholesale customers and rebates, and the customer of a receipt at the till.
REBATE_BLUEPRINTS = (customers_api.blp, rebates_api.blp, receipt_customer_api.blp)


def create_app(config: dict[str, Any] | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the service; ``config`` overrides settings read from ``POS_*`` variables."""
    settings = with_secret_key(Settings.from_env().override(config))
    logging.basicConfig(level=settings.log_level.upper())
    rounding_mode(settings.rounding)  # refuse an unknown policy at start-up

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        API_TITLE="Till backend",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="/api/swagger-ui/",
        MAX_CONTENT_LENGTH=8 * 2**20,
    )
    app.json = FastJSONProvider(app)
    db = Database(settings.database_url, echo=settings.sql_echo)
    wire_state(app, settings, db, clock or SystemClock())
    _use_rounding(app, settings.rounding)
    # Before any route is added: path parts that no row can match are 404, not a 500.
    app.url_map.converters.update(int=IdConverter, string=TextConverter, default=TextConverter)
    _register_api(app)
    register_problem_handlers(app)
    app.before_request(refuse_card_numbers)  # before any view: a refusal writes nothing
    _register_health(app, db)
    _register_swagger_assets(app)
    register_screens(app)  # /till: the cashier's screen (pos.screens)
    from pos.cli import register_cli

    register_cli(app)
    return app


def wire_state(app: Flask, settings: Settings, db: Database, clock: Clock) -> None:
    """Give the app its settings, database, clock and a newly built registry."""
    # Everything a request reads of the app lives here (pos.core.request), so the tests can
    # give one built app a clean state per test instead of building the API document again.
    app.extensions.update({
        "pos.settings": settings,
        "pos.db": db,
        "pos.clock": clock,
        "pos.authenticate": resolve_token,
        "pos.barcode_layouts": settings.barcode_layouts(),
        "pos.registry": build_registry(settings),
    })
    register_devices(app.extensions["pos.registry"], lambda: app.extensions["pos.settings"], db)


def build_registry(settings: Settings | None = None) -> Registry:
    """Return a registry holding what the features register: payment types, journal checks."""
    registry = Registry()
    settings = settings or with_secret_key(Settings.from_env())
    register_gift_certificates(registry, settings)
    register_payment_types(registry.payment_types)
    register_receipt_checks(registry.journal_checks)
    register_shift_checks(registry.journal_checks)
    register_rebates(registry)  # wholesale: on account, rebate credit, accrual
    register_loyalty(registry, settings)
    register_correction_checks(registry.journal_checks)
    return registry


def register_loyalty(registry: Registry, settings: Settings) -> None:
    """Register loyalty's points payment type, close listener and shift report section."""
    registry.item_segments = segments_by_item
    registry.local_date = store_local_date
    registry.card_replaced.append(move_card_history)  # the discounts' purchase history
    register_points(registry, settings)


def _use_rounding(app: Flask, policy: str) -> None:
    # Every app context of this app (requests, CLI commands) rounds by its own policy.
    @appcontext_pushed.connect_via(app)
    def _begin(_sender: Flask, **_extra: Any) -> None:
        g.pos_rounding = use_rounding(policy)

    @app.teardown_appcontext
    def _end(_error: BaseException | None) -> None:
        token = g.pop("pos_rounding", None)
        if token is not None:
            reset_rounding(token)


def _register_api(app: Flask) -> None:
    api = PosApi(app, spec_kwargs={"info": {"description": "Retail point of sale"}})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "opaque"}
    )
    # PosApi registers every error response with ProblemSchema, as the component "Problem".
    for blueprint in BLUEPRINTS + REBATE_BLUEPRINTS:
        api.register_blueprint(blueprint)


def _register_swagger_assets(app: Flask) -> None:
    # Served from the swagger-ui-bundle package so the docs work on a till with no internet.
    from flask import send_from_directory
    from swagger_ui_bundle import swagger_ui_path

    @app.get("/api/swagger-ui/<path:filename>")
    def swagger_ui_asset(filename: str) -> Any:
        """Serve a Swagger UI asset."""
        return send_from_directory(swagger_ui_path, filename)


def _register_health(app: Flask, db: Database) -> None:
    @app.get("/health")
    def health() -> Any:
        """Report the version and whether the database answers."""
        reachable = db.ping()
        body = {"status": "ok" if reachable else "degraded", "version": __version__,
                "database": {"dialect": db.dialect, "reachable": reachable}}
        return jsonify(body), 200 if reachable else 503
