"""``pos rebates``: the period-end calculation, from cron or by hand."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from loyalty.rebates.claims import calculate_period
from pos.core.context import Context
from pos.core.errors import PosError
from pos.core.money import format_minor
from pos.core.security import Actor, Principal, Role
from pos.core.web import current_clock, current_db, current_registry

# The period end run by the system (cron), audited as user 0 "system".
SYSTEM = Actor(Principal(user_id=0, username="system", role=Role.ADMIN, rights=frozenset()))


@click.group("rebates")
def rebates_cli() -> None:
    """Retro-bonuses: period-end calculation."""


@rebates_cli.command("calculate")
@click.option("--period", required=True, help="2026-Q3, 2026-07 or 2026 (must be over)")
@with_appcontext
def calculate(period: str) -> None:
    """Claim each agreement's bonus for a period; adjustment claims for what changed."""
    ctx = Context(current_db(), current_registry(), SYSTEM, current_clock().now())
    try:
        claims = calculate_period(ctx, period)
    except PosError as error:
        raise click.ClickException(f"{error.code}: {error.detail}") from None
    for claim in claims:
        kind = "adjustment" if claim.is_adjustment else "claim"
        click.echo(f"agreement {claim.agreement_id} {claim.period_key} {kind} {claim.seq}: "
                   f"{format_minor(claim.amount_minor)} on {format_minor(claim.base_minor)}")
    click.echo(f"{len(claims)} new claims for {period}")
