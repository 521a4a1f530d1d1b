"""Displaced records a pricing writes out only when they are read.

A node's displaced records are kept as a log of steps in the order they were made: records
per line, or one sure loser of a priority group. A sure loser is a discount whose lines were
all taken by earlier children, so it loses each of them whatever it would give: the
evaluation need not price it (nor judge it, unless it may hint). What it would have given is
still part of the explanation: the first read of any line's records writes the whole log out
line by line, pricing every sure loser once for all its lines. A line's records keep the
log's order, which is the order in which the tree displaced them there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from .model import Discount, Group
from .result import AppliedDiscount, DisplacedDiscount

ByLine = defaultdict[int, list[DisplacedDiscount]]
"""Displaced records by line, as a log writes them out."""

Loser = tuple[Discount, Sequence[int], bool]
"""A sure loser: the discount, its lines, and whether they are judged (else still to judge)."""


@dataclass(slots=True)
class Loss:
    """Hold what a priority group's sure losers share: the group, its bases, who took what.

    ``taken`` maps each line to the child that took it. ``price`` (the evaluation's) returns
    what a sure loser would have given per line on this loss's bases and consumed units.
    """

    group: Group
    bases: dict[int, int]
    consumed: dict[int, int]
    taken: dict[int, str]
    price: Callable[[Loss, Loser], dict[int, int]]


@dataclass(slots=True)
class Unpriced:
    """Stand for sure losers a priority group displaced in a row, none of them priced yet.

    A sure loser's lines were all taken by earlier children of the group. The losers are kept
    in the order the group met them: a run of them is one step of the log.
    """

    loss: Loss
    losers: list[Loser]

    def write(self, by_line: ByLine) -> None:
        """Add to each line the record of what each loser would have given, where anything."""
        loss = self.loss
        group, taken = loss.group, loss.taken
        for loser in self.losers:
            discount = loser[0]
            for line_no, amount in loss.price(loss, loser).items():
                if amount:
                    by_line[line_no].append(
                        DisplacedDiscount(
                            discount.id,
                            discount.name,
                            discount.kind,
                            group.id,
                            group.name,
                            group.rule,
                            amount,
                            taken[line_no],
                        )
                    )


@dataclass(slots=True)
class Lost:
    """Stand for a priced child's records on lines an earlier child of its group had taken."""

    applied: dict[int, list[AppliedDiscount]]
    loss: Loss

    def write(self, by_line: ByLine) -> None:
        """Add to each line the records displaced there."""
        group, taken = self.loss.group, self.loss.taken
        for line_no, records in self.applied.items():
            by_line[line_no] += (
                DisplacedDiscount(
                    record.discount_id,
                    record.name,
                    record.kind,
                    group.id,
                    group.name,
                    group.rule,
                    record.amount_minor,
                    taken[line_no],
                )
                for record in records
            )


Step = dict[int, list[DisplacedDiscount]] | Unpriced | Lost
"""One step of a displaced log: records per line, or a priority group's losers there."""


class DisplacedLog:
    """Hold a pricing's displaced steps; write them out line by line on the first read.

    ``run`` calls what it is given as the pricing would (its rounding), perhaps after it.
    """

    __slots__ = ("_by_line", "_run", "_steps")

    def __init__(self, steps: Sequence[Step], run: Callable[[Callable[[], None]], None]) -> None:
        self._steps = steps
        self._run = run
        self._by_line: dict[int, tuple[DisplacedDiscount, ...]] | None = None

    def on(self, line_no: int) -> tuple[DisplacedDiscount, ...]:
        """Return the line's displaced records, in the order they were displaced."""
        if self._by_line is None:
            self._run(self._write_out)
            assert self._by_line is not None
        return self._by_line.get(line_no, ())

    def _write_out(self) -> None:
        by_line: ByLine = defaultdict(list)
        for step in self._steps:
            if isinstance(step, Unpriced | Lost):
                step.write(by_line)
                continue
            for line_no, records in step.items():
                by_line[line_no] += records
        self._by_line = {line_no: tuple(records) for line_no, records in by_line.items()}


class Displacements(Sequence[DisplacedDiscount]):
    """Read one line's displaced records from the pricing's log (written out on first read).

    A pricing is read for its amounts far more often than for what lost: a loser that won
    nothing costs nothing until a record is read (the trace, the report).
    """

    __slots__ = ("_line_no", "_log")

    def __init__(self, log: DisplacedLog, line_no: int) -> None:
        self._log = log
        self._line_no = line_no

    def _read(self) -> tuple[DisplacedDiscount, ...]:
        return self._log.on(self._line_no)

    @overload
    def __getitem__(self, index: int) -> DisplacedDiscount: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[DisplacedDiscount, ...]: ...

    def __getitem__(self, index: int | slice) -> DisplacedDiscount | tuple[DisplacedDiscount, ...]:
        return self._read()[index]

    def __len__(self) -> int:
        return len(self._read())

    def __iter__(self) -> Iterator[DisplacedDiscount]:
        return iter(self._read())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Displacements):
            other = other._read()
        return isinstance(other, tuple) and self._read() == other

    def __hash__(self) -> int:
        return hash(self._read())

    def __repr__(self) -> str:
        return repr(self._read())
