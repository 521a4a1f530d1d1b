"""``pos gift-certificates``: verify balances against the ledger, write off expired ones."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from loyalty.gift_certificates.balance import expire_due
from loyalty.gift_certificates.ledger import Where, verify
from pos.core.web import current_clock, current_db


@click.group("gift-certificates")
def gift_certificates_cli() -> None:
    """Gift certificates: their balances and ledger."""


@gift_certificates_cli.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check every balance equals its ledger and none is below zero; exit 1 naming each fault."""
    with current_db().read() as session:
        faults = verify(session)
    for fault in faults:
        click.echo(f"certificate {fault.certificate_id}: balance {fault.balance_minor}, "
                   f"ledger {fault.ledger_minor}", err=True)
    if faults:
        sys.exit(1)
    click.echo("every certificate's balance equals its ledger")


@gift_certificates_cli.command("expire")
@with_appcontext
def expire_command() -> None:
    """Write off what is left on certificates past their expiry (an ``expire`` entry each)."""
    with current_db().transaction() as session:
        count = expire_due(session, Where(at=current_clock().now(), note="expired"))
    click.echo(f"expired {count} certificates")
