"""Displaced records a pricing may write out only when they are read.

In a priority group a discount whose lines were all taken by earlier children loses each of
them whatever it would give, so the evaluation need not price it (nor judge it, unless it may
hint). What it would have given is still part of the explanation: the line keeps an
``Unpriced`` entry, and the first read of any such record prices every loser of the pricing
at once (each once for all its lines) and writes the records out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from .model import Discount, Group
from .result import DisplacedDiscount


@dataclass(slots=True)
class Loss:
    """Hold what a priority group's sure losers share: the group, its bases, who took what.

    ``taken`` maps each line to the child that took it. ``price`` (the evaluation's) fills in
    ``amounts`` of its unpriced losers, all of the pricing's at once, when one is first read.
    """

    group: Group
    bases: dict[int, int]
    consumed: dict[int, int]
    taken: dict[int, str]
    price: Callable[[], None]


@dataclass(slots=True)
class Unpriced:
    """Stand for a discount whose lines were all taken by earlier children of its group.

    ``lines`` are the discount's lines, already judged if ``is_judged`` (it may hint), else
    still to judge. ``amounts`` is what it would have given per line on its loss's bases with
    its consumed units used; ``None`` until a record of a loser of the pricing is first read.
    """

    discount: Discount
    lines: Sequence[int]
    is_judged: bool
    loss: Loss
    amounts: dict[int, int] | None = None

    def displaced_on(self, line_no: int) -> DisplacedDiscount | None:
        """Return the record of what it would have given on the line, if anything."""
        if self.amounts is None:
            self.loss.price()
            assert self.amounts is not None
        amount = self.amounts.get(line_no, 0)
        if not amount:
            return None
        discount, group = self.discount, self.loss.group
        by = self.loss.taken[line_no]
        return DisplacedDiscount(
            discount.id, discount.name, discount.kind, group.id, group.name, group.rule, amount, by
        )


Displaced = DisplacedDiscount | Unpriced
"""A line's displaced record, or a discount displaced there unpriced."""


class Displacements(Sequence[DisplacedDiscount]):
    """Hold a line's displaced records; unpriced losers among them are priced on first read.

    A pricing is read for its amounts far more often than for what lost: a loser that won
    nothing costs nothing until its record is read (the trace, the report).
    """

    __slots__ = ("_entries", "_line_no", "_records")

    def __init__(self, line_no: int, entries: Sequence[Displaced]) -> None:
        self._line_no = line_no
        self._entries = entries
        self._records: tuple[DisplacedDiscount, ...] | None = None

    def _read(self) -> tuple[DisplacedDiscount, ...]:
        if self._records is None:
            self._records = tuple(self._written_out())
        return self._records

    def _written_out(self) -> Iterator[DisplacedDiscount]:
        for entry in self._entries:
            if isinstance(entry, DisplacedDiscount):
                yield entry
            elif (record := entry.displaced_on(self._line_no)) is not None:
                yield record

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
