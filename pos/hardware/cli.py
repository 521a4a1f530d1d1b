"""``pos devices``: run the device service, the one owner of every port."""

from __future__ import annotations

import signal
import threading

import click
from flask.cli import with_appcontext

from pos.core.web import current_clock, current_db, current_settings


@click.group("devices")
def devices_cli() -> None:
    """The device service: fiscal registrars, receipt printers and scales."""


@devices_cli.command("serve")
@click.option("--address", default=None, metavar="HOST:PORT",
              help="loopback address of the channel (default: POS_DEVICE_SERVICE)")
@click.option("--backoff", "backoff_s", default=1.0, show_default=True, type=float,
              help="first retry delay of a failed fiscal document, doubled per failure")
@with_appcontext
def devices_serve(address: str | None, backoff_s: float) -> None:
    """Own every configured device's port and fiscalise the outbox until stopped."""
    from pos.hardware.daemon import DeviceService

    service = DeviceService(current_db(), current_clock().now,
                            address=address or current_settings().device_service,
                            backoff_s=backoff_s)
    service.start()
    click.echo(f"device service on {service.address}: {len(service.ports)} devices", err=True)
    stopped = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stopped.set())
    stopped.wait()
    service.stop()
