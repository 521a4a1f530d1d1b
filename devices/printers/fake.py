"""Keep printed receipts in memory and fail on cue, for business tests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from devices.config import DeviceConfig
from devices.errors import DeviceError
from devices.printers.base import PaperState, PrinterStatus, ReceiptDocument, raise_for_status


@dataclass(frozen=True)
class PrinterCall:
    """Record one call made on the fake printer."""

    method: str
    argument: object = None


class FakePrinter:
    """Implement ReceiptPrinter in memory: records jobs, honours paper and cover state."""

    def __init__(self) -> None:
        self.documents: list[ReceiptDocument] = []
        self.texts: list[str] = []
        self.calls: list[PrinterCall] = []
        self.cuts = 0
        self.drawer_kicks = 0
        self.paper = PaperState.OK
        self.cover_open = False
        self.online = True
        self.drawer_open = False
        self.is_closed = False
        self._faults: dict[str, list[DeviceError]] = defaultdict(list)

    @classmethod
    def from_config(cls, config: DeviceConfig) -> FakePrinter:
        """Build a fresh fake; the config carries nothing it needs."""
        return cls()

    def fail_next(self, method: str, error: DeviceError) -> None:
        """Make the next call of `method` raise `error` (queued, one per call)."""
        self._faults[method].append(error)

    def status(self) -> PrinterStatus:
        """Report the scripted state."""
        self._enter("status")
        return self._snapshot()

    def _snapshot(self) -> PrinterStatus:
        return PrinterStatus(
            online=self.online,
            paper=self.paper,
            cover_open=self.cover_open,
            drawer_open=self.drawer_open,
        )

    def print_document(self, doc: ReceiptDocument) -> None:
        """Record the document, as printed and cut, if the state allows it."""
        self._enter("print_document", doc)
        raise_for_status(self._snapshot())
        self.documents.append(doc)
        self.cuts += 1
        if doc.open_drawer:
            self._kick()

    def print_text(self, lines: Sequence[str]) -> None:
        """Record the lines if the state allows it."""
        self._enter("print_text", tuple(lines))
        raise_for_status(self._snapshot())
        self.texts.extend(lines)

    def cut(self) -> None:
        """Count a cut."""
        self._enter("cut")
        raise_for_status(self._snapshot())
        self.cuts += 1

    def open_drawer(self) -> None:
        """Open the drawer whatever the paper state."""
        self._enter("open_drawer")
        self._kick()

    def close(self) -> None:
        """Mark the fake closed."""
        self.calls.append(PrinterCall("close"))
        self.is_closed = True

    def _kick(self) -> None:
        self.drawer_kicks += 1
        self.drawer_open = True

    def _enter(self, method: str, argument: object = None) -> None:
        self.calls.append(PrinterCall(method, argument))
        if self._faults[method]:
            raise self._faults[method].pop(0)
