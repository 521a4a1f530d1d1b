"""Run one emulator from the command line: `python -m devices.emulators fiscal`."""

from __future__ import annotations

import argparse
import importlib
import signal
import threading

from devices.emulators.base import PtyEmulator

# kind -> ("module:Class", line settings); 8217 is 7E1 per the Toledo manual (devices.md §4.1).
EMULATORS: dict[str, tuple[str, dict[str, object]]] = {
    "fiscal": ("devices.emulators.shtrih:ShtrihEmulator", {}),
    "printer": ("devices.emulators.escpos:EscPosEmulator", {}),
    "scale-toledo": (
        "devices.emulators.toledo:Toledo8217Emulator",
        {"bytesize": 7, "parity": "E", "stopbits": 1},
    ),
    "scale-mtsics": ("devices.emulators.mtsics:MtSicsEmulator", {}),
}


def build(kind: str, *, tcp: bool = False, baud: int | None = None) -> PtyEmulator:
    """Instantiate the emulator registered for `kind`."""
    target, line = EMULATORS[kind]
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(tcp=tcp, baudrate=baud, **line)


def main(argv: list[str] | None = None) -> None:
    """Start the chosen emulator, print where it listens and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m devices.emulators")
    parser.add_argument("kind", choices=sorted(EMULATORS))
    parser.add_argument("--tcp", action="store_true", help="listen on 127.0.0.1 instead of a pty")
    parser.add_argument("--baud", type=int, default=None, help="honour wire time at this rate")
    args = parser.parse_args(argv)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with build(args.kind, tcp=args.tcp, baud=args.baud) as emulator:
        print(f"{args.kind} emulator on {emulator.port} (stable path: {emulator.url})", flush=True)
        try:
            done.wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
