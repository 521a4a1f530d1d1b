"""``pos devices``: run the device service, the one owner of every port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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
@click.option("--emulators", is_flag=True,
              help="the demo: emulate a registrar, a printer and a scale on till 1")
@click.option("--parent", type=int, default=None, hidden=True,
              help="stop when this process (the server that started us) is gone")
@with_appcontext
def devices_serve(address: str | None, backoff_s: float, emulators: bool,
                  parent: int | None) -> None:
    """Own every configured device's port and fiscalise the outbox until stopped."""
    from pos.hardware.daemon import DeviceService
    from pos.hardware.embedded import start_embedded

    address = address or current_settings().device_service
    if emulators:
        embedded = start_embedded(current_db(), current_clock().now, address)
        service, stop = embedded.service, embedded.stop
        click.echo("emulated devices on till 1: " + ", ".join(
            f"{kind} at {e.url}" for kind, e in embedded.emulators.items()), err=True)
        for registrar in embedded.other_registrars:
            click.echo(f"an emulated registrar for another demo till at {registrar.url}",
                       err=True)
    else:
        service = DeviceService(current_db(), current_clock().now, address=address,
                                backoff_s=backoff_s).start()
        stop = service.stop
    click.echo(f"device service on {service.address}: {len(service.ports)} devices", err=True)
    stopped = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stopped.set())
    while not stopped.wait(1.0):
        if parent is not None and os.getppid() != parent:
            break  # the server died without stopping us
    stop()


@devices_cli.command("emulator")
@click.argument("kind", type=click.Choice(["fiscal", "printer", "scale"]))
@click.argument("action", type=click.Choice(["unplug", "replug", "place"]))
@click.argument("value", required=False)
@with_appcontext
def devices_emulator(kind: str, action: str, value: str | None) -> None:
    """Pull or restore an embedded emulator's plug, or put KG on the scale (the demo)."""
    from pos.hardware.channel import DeviceChannel

    reply = DeviceChannel(current_settings().device_service).call(
        {"op": "emulator", "kind": kind, "action": action, "value": value}, 10.0)
    if not reply.get("ok"):
        raise click.ClickException(f"{reply.get('code')}: {reply.get('message')}")
    click.echo(f"{kind}: {action} {value or ''}".rstrip())


def start_if_embedded() -> subprocess.Popen[bytes] | None:
    """Start ``pos devices serve --emulators`` beside the server if ``POS_DEVICES=embedded``."""
    if current_settings().devices != "embedded":
        return None
    command = [sys.executable, "-c", "from pos.cli import main; main()", "devices", "serve",
               "--emulators", "--parent", str(os.getpid())]
    return subprocess.Popen(command)


def stop_embedded(process: subprocess.Popen[bytes] | None) -> None:
    """Stop the embedded device service started with the server."""
    if process is None:
        return
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
