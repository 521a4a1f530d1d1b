"""The ``pos`` console command: serve, migrate, demo data, users, catalog import."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from pos.core import migrate
from pos.core.security import TokenCache
from pos.core.web import (
    barcode_layouts,
    current_clock,
    current_db,
    current_registry,
    current_settings,
)


def _make_app() -> Flask:
    from pos.app import create_app
    from pos.core.errors import ConfigurationError

    try:
        return create_app()
    except ConfigurationError as error:  # a setting to fix, said without a traceback
        raise click.ClickException(str(error)) from None


@click.group(cls=FlaskGroup, create_app=_make_app, add_default_commands=False,
             add_version_option=False)
def main() -> None:
    """Run and administer the point-of-sale service."""


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app (``flask --app pos.app`` sees them too)."""
    from loyalty.gift_certificates.cli import gift_certificates_cli
    from pos.hardware.cli import devices_cli

    for group in (db_cli, demo_cli, user_cli, catalog_cli, journal_cli, fiscal_cli,
                  idempotency_cli, loyalty_cli, gift_certificates_cli,
                  devices_cli):
        app.cli.add_command(group)
    from loyalty.rebates.cli import rebates_cli  # wholesale rebates: period end

    app.cli.add_command(rebates_cli)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int, workers: int) -> None:
    """Serve the API with gunicorn (worker processes, each with its own app)."""
    from pos.hardware.cli import start_if_embedded, stop_embedded
    from pos.server import serve as run_server

    embedded = start_if_embedded()  # make run: a device service on emulated devices
    try:
        run_server(host, port, workers)
    finally:
        stop_embedded(embedded)


@click.group("db")
def db_cli() -> None:
    """Migrate the database schema."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate up to REVISION (default: head)."""
    _ensure_sqlite_dir(current_settings().database_url)
    migrate.upgrade(current_settings().database_url, revision)
    click.echo(f"database at {migrate.current(current_settings().database_url)}")


@db_cli.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Migrate down to REVISION (``base`` drops everything)."""
    migrate.downgrade(current_settings().database_url, revision)
    click.echo(f"database at {migrate.current(current_settings().database_url)}")


@db_cli.command("current")
@with_appcontext
def db_current() -> None:
    """Print the revision the database is at."""
    click.echo(migrate.current(current_settings().database_url))


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@click.group("demo")
def demo_cli() -> None:
    """Demo data."""


@demo_cli.command("load")
@click.option("--items", default=200, show_default=True, type=int)
@with_appcontext
def demo_load(items: int) -> None:
    """Load the demo store, tills, users and catalog (once; later runs change nothing)."""
    from loyalty.gift_certificates.wiring import code_book
    from pos.demo import DEMO_PARTNER, DEMO_USERS, load_demo

    loaded = load_demo(current_db(), current_clock().now(), item_count=items,
                       codes=code_book(current_settings()))
    click.echo("demo data loaded" if loaded else "demo data already present")
    for username, password, role in DEMO_USERS:
        click.echo(f"  {role:<8} {username} / {password}")
    partner, partner_password = DEMO_PARTNER
    click.echo(f"  /me      card 2900000000018 PIN 1234; partner {partner} / {partner_password}")


@click.group("user")
def user_cli() -> None:
    """Users."""


def _place_options(command: Any) -> Any:
    command = click.option("--till", "tills", multiple=True, metavar="STORE:NUMBER",
                           help="a till the cashier is assigned to, e.g. MAIN:1 (repeat)"
                           )(command)
    return click.option("--store", "stores", multiple=True, metavar="CODE",
                        help="a store the user works in (repeat for several)")(command)


@user_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["cashier", "manager", "admin", "card_holder"]),
              required=True)
@click.option("--name", "full_name", default=None)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--pin", default=None)
@click.option("--group", "user_group", default=None)
@_place_options
@with_appcontext
def user_create(username: str, role: str, full_name: str | None, password: str,
                pin: str | None, user_group: str | None, stores: tuple[str, ...],
                tills: tuple[str, ...]) -> None:
    """Create a user who works in the stores given (admins: in every store)."""
    from pos.auth.service import NewUser, create_user
    from pos.stores.service import resolve_places

    store_ids, till_ids = _run(resolve_places, current_db(), stores, tills)
    _run(create_user, current_db(), NewUser(username, full_name or username, role, password,
                                            pin, user_group, store_ids=tuple(store_ids),
                                            till_ids=tuple(till_ids)),
         now=current_clock().now(), actor_id=None)
    click.echo(f"user {username} created ({role})")


@user_cli.command("assign")
@click.argument("username")
@_place_options
@with_appcontext
def user_assign(username: str, stores: tuple[str, ...], tills: tuple[str, ...]) -> None:
    """Replace the stores a user works in and the tills a cashier is assigned to."""
    from pos.auth.service import assign_places
    from pos.stores.service import resolve_places

    store_ids, till_ids = _run(resolve_places, current_db(), stores, tills)
    _run(assign_places, current_db(), username, store_ids, till_ids,
         now=current_clock().now(), actor_id=None,
         tokens=current_registry().caches.get(TokenCache))
    click.echo(f"user {username} works in {', '.join(stores) or 'no store'}"
               + (f" at tills {', '.join(tills)}" if tills else ""))


@user_cli.command("set-password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def user_set_password(username: str, password: str) -> None:
    """Set a user's password (their tokens are revoked)."""
    from pos.auth.service import set_password

    _run(set_password, current_db(), username, password, now=current_clock().now(),
         actor_id=None, tokens=current_registry().caches.get(TokenCache))
    click.echo(f"password of {username} changed")


@click.group("catalog")
def catalog_cli() -> None:
    """Catalog."""


@catalog_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default=None,
              help="default: from the file's extension")
@with_appcontext
def catalog_import(path: Path, fmt: str | None) -> None:
    """Import items, barcodes and prices from CSV or JSON; all rows or none."""
    from pos.catalog.importer import import_file

    report = import_file(current_db(), path, fmt or path.suffix.lstrip(".").lower(),
                         barcode_layouts(), current_clock().now())
    if report.errors:
        for row, field, code, message in report.errors[:200]:
            click.echo(f"row {row}: {field}: {code}: {message}", err=True)
        click.echo(f"{len(report.errors)} errors in {report.rows} rows; nothing imported",
                   err=True)
        sys.exit(1)
    click.echo(f"imported {report.items} items, {report.barcodes} barcodes, "
               f"{report.prices} prices in {report.seconds:.1f} s")


def _run(func: Any, *args: Any, **kwargs: Any) -> Any:
    from pos.core.errors import PosError

    try:
        return func(*args, **kwargs)
    except PosError as error:
        raise click.ClickException(f"{error.code}: {error.detail}") from None


@click.group("journal")
def journal_cli() -> None:
    """The tamper-evident journal of fiscal documents."""


@journal_cli.command("verify")
@click.option("--till", "till_id", type=int, default=None, help="one till (default: all)")
@with_appcontext
def journal_verify(till_id: int | None) -> None:
    """Check each till's journal, counter and pending outbox; exit 1 naming the first fault."""
    from pos.journal.service import verify

    verdict = verify(current_db(), current_registry().journal_checks, till_id)
    for till in verdict.tills:
        if till.is_intact:
            click.echo(f"till {till.till_id}: {till.entries} entries, chain intact")
        else:
            click.echo(f"till {till.till_id}: BROKEN {till.location()}: {till.reason}", err=True)
    if not verdict.is_intact:
        sys.exit(1)


@click.group("loyalty")
def loyalty_cli() -> None:
    """Loyalty points: the activation and expiry job, and the balance check."""


@loyalty_cli.command("run-jobs")
@click.option("--batch", "batch_size", default=1000, show_default=True,
              type=click.IntRange(min=1), help="cards settled per transaction")
@with_appcontext
def loyalty_run_jobs(batch_size: int) -> None:
    """Activate pending points, expire old ones and past-validity cards (idempotent)."""
    from loyalty.points.jobs import run_jobs
    from loyalty.points.ledger import format_points

    done = run_jobs(current_db(), current_clock().now(), batch=batch_size)
    click.echo(f"settled {done.cards} cards: {format_points(done.activated_cp)} points "
               f"activated, {format_points(done.expired_cp)} expired; "
               f"{done.expired_cards} cards past their validity expired")


@loyalty_cli.command("verify")
@with_appcontext
def loyalty_verify() -> None:
    """Check every card's balances against its ledger and lots; exit 1 naming each fault."""
    from loyalty.points.service import verify

    verdict = verify(current_db())
    for number, problem in verdict["problems"].items():
        click.echo(f"card {number}: {problem}", err=True)
    click.echo(f"{verdict['cards']} cards checked, {len(verdict['problems'])} faulty")
    if verdict["problems"]:
        sys.exit(1)


@click.group("idempotency")
def idempotency_cli() -> None:
    """Idempotency keys of effectful requests."""


@idempotency_cli.command("purge")
@click.option("--batch", "batch_size", default=1000, show_default=True,
              type=click.IntRange(min=1), help="keys deleted per transaction")
@with_appcontext
def idempotency_purge(batch_size: int) -> None:
    """Delete the keys kept longer than POS_IDEMPOTENCY_TTL_DAYS, in batches; print how many."""
    from pos.core.idempotency import purge_expired

    purged = purge_expired(current_db(), current_clock().now(), batch_size=batch_size)
    click.echo(f"purged {purged} expired idempotency keys")


@click.group("fiscal")
def fiscal_cli() -> None:
    """The fiscal outbox."""


@fiscal_cli.command("process")
@click.option("--registrar", "registrar_url", default="", metavar="URL",
              help="the till's Shtrih-M registrar: /dev/ttyUSB0, socket://host:port, a pty path")
@click.option("--till", "till_id", type=int, default=None, help="the till that registrar serves")
@click.option("--baud", default=9600, show_default=True, type=int)
@click.option("--password", default=30, show_default=True, type=int, help="operator password")
@click.option("--timeout", "timeout_s", default=1.0, show_default=True, type=float,
              help="seconds to wait for each answer")
@with_appcontext
def fiscal_process(registrar_url: str, till_id: int | None, baud: int, password: int,
                   timeout_s: float) -> None:
    """Send one till's waiting documents to its Shtrih-M registrar; refuse without one."""
    from devices.config import DeviceConfig
    from devices.errors import DeviceError
    from devices.fiscal.shtrih import ShtrihRegistrar
    from pos.fiscal.worker import process_till

    # No device service yet: a document is fiscalised only by the real registrar named here,
    # never by a fake, and one registrar is one till's device.
    if not registrar_url.strip() or till_id is None:
        raise click.UsageError("no registrar configured: pass --registrar URL and --till N "
                               "(the till it serves); nothing was sent")
    config = DeviceConfig("fiscal", "shtrih", url=registrar_url.strip(), baudrate=baud,
                          timeout_s=timeout_s, password=password)
    with ShtrihRegistrar.from_config(config) as registrar:
        try:
            registrar.status()
        except DeviceError as error:
            raise click.ClickException(f"registrar at {config.url} did not answer "
                                       f"({type(error).__name__}: {error}); nothing was sent"
                                       ) from None
        report = process_till(current_db(), till_id, registrar, current_clock().now)
    click.echo(f"till {till_id}: fiscalised {report.documents} journal documents, opened "
               f"{report.shifts_opened} shifts on the registrar, failed {report.failed}")
    for error in report.errors:
        click.echo(error, err=True)
