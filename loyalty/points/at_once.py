"""A sale's points moves as one statement, where the database runs several writes in one.

An upload with a card writes, after its receipt, the guarded update of the card's row (the
points gained and spent, the debt repaid, the accumulated spend), the draw of the spent points
off the oldest lot, the new lot and the ledger's entries. On PostgreSQL a statement's ``WITH``
may hold updates and inserts, so these go to the server in one round trip, not four: with sync
workers each round trip is time the worker serves nobody.

Every write after the card's takes its rows from the card's update (the inserts select from
its ``RETURNING``, the draw is conditioned on it with ``EXISTS``), so a guard that fails (the
card moved since the upload read it) writes nothing and the caller goes the slow way, under the
card's lock. All parts see the statement's snapshot: the draw cannot take from the new lot.
The lot it picks is re-checked on its newest version (``remaining > spent``, still active) when
another transaction changed it meanwhile; when the oldest lot does not cover the spend, nothing
is drawn here and the caller draws lot by lot, leaving the new lot alone. SQLite has no writes
in ``WITH``: there the caller sends the statements one by one.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    Update,
    bindparam,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

from loyalty.cards.model import Card
from loyalty.points.model import ACTIVE, Entry, Lot
from pos.core.direct import Direct
from pos.core.later import Later

CARDS, LOTS, ENTRIES = Card.__table__, Lot.__table__, Entry.__table__
LOT_COLUMNS = ("card_id", "source", "receipt_id", "amount_cp", "remaining_cp", "state",
               "active_from", "expires_at")
ENTRY_COLUMNS = ("card_id", "at", "kind", "delta_cp", "pending_delta_cp", "debt_delta_cp",
                 "receipt_id", "payment_seq", "amount_minor", "shift_id", "lot_id", "user_id",
                 "reason", "once_key")


class Moved(NamedTuple):
    """What the one statement did: whether the card's guard held, the draw, the new lot."""

    is_moved: bool
    is_drawn: bool
    lot_id: int | None


class AtOnce:
    """The card's guarded update, and what follows it, as one statement per shape of sale.

    ``card_update`` is the guarded update of the card's row; ``draw_oldest`` draws ``cp`` off
    the card's oldest active lot when that lot holds more. A shape is the number of entries,
    whether a lot is made and whether points are spent: each is built and compiled once.
    """

    def __init__(self, card_update: Update, draw_oldest: Update) -> None:
        self.card_update, self.draw_oldest = card_update, draw_oldest
        self._shapes: dict[tuple[int, bool, bool], _Shape] = {}

    def run(self, connection: Connection, card: Mapping[str, Any], spent: int,
            lot: Mapping[str, Any] | None, entries: Sequence[Mapping[str, Any]], *,
            may_wait: bool = False) -> Moved | Later | None:
        """Send it all; None where the database cannot (the caller sends them one by one).

        ``card``: the card update's parameters; ``lot``: the new lot's row, if one is made;
        ``entries``: the entries' rows, the last one's lot being the new lot. ``may_wait``:
        the statement goes with the next one sent (:mod:`pos.core.later`), and its
        :class:`Later` is returned, read with :meth:`moved` before the commit.
        """
        if not self.serves(connection):
            return None
        key = (len(entries), lot is not None, spent > 0)
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = _Shape(Direct(_inlined(self._build(*key))), *key)
        params = dict(card, cp=spent)
        for (names, values), row in zip(shape.rows, (*entries, lot) if lot else entries,
                                        strict=True):
            params.update(zip(names, values(row), strict=True))
        if may_wait:
            return shape.statement.later(connection, params)
        return self.moved(shape.statement.rows(connection, params))

    @staticmethod
    def serves(connection: Connection) -> bool:
        """Tell whether the database runs writes in ``WITH`` (elsewhere the caller sends them)."""
        return connection.dialect.name == "postgresql"

    @staticmethod
    def moved(rows: Sequence[Any]) -> Moved:
        """Return what the statement did, from its one row."""
        row = rows[0]
        return Moved(bool(row.moved), bool(row.drawn), row.lot_id)

    def _build(self, entries: int, has_lot: bool, is_spent: bool) -> Any:
        card = self.card_update.returning(CARDS.c.id).cte("card")
        moved = select(card.c.id).exists()
        drawn = self.draw_oldest.where(moved, LOTS.c.state == ACTIVE).returning(
            LOTS.c.id).cte("drawn") if is_spent else None
        # The rows' card is the updated card's (one parameter): psycopg keeps a statement's
        # conversion only up to 50 parameters, and its conversion costs more than the rest.
        new_lot = insert(LOTS).from_select(LOT_COLUMNS, select(card.c.id, *(
            bindparam(f"lot_{name}", type_=LOTS.c[name].type) for name in LOT_COLUMNS[1:])
        )).returning(LOTS.c.id).cte("lot") if has_lot else None
        rows = []
        for n in range(entries):
            values = [card.c.id, *(bindparam(f"e{n}_{name}", type_=ENTRIES.c[name].type)
                                   for name in ENTRY_COLUMNS[1:])]
            if new_lot is not None and n == entries - 1:
                values[ENTRY_COLUMNS.index("lot_id")] = select(new_lot.c.id).scalar_subquery()
            rows.append(select(*values))
        added = insert(ENTRIES).from_select(
            ENTRY_COLUMNS, union_all(*rows) if len(rows) > 1 else rows[0]).cte("entries")
        return select(
            select(func.count()).select_from(card).scalar_subquery().label("moved"),
            (select(func.count()).select_from(drawn).scalar_subquery() if drawn is not None
             else literal(0)).label("drawn"),
            (select(new_lot.c.id).scalar_subquery() if new_lot is not None
             else null()).label("lot_id"),
        ).add_cte(added)


def _inlined(statement: Any) -> Any:
    # The statement with its constants (a state, a zero, the LIMIT's one) written in its text:
    # psycopg keeps its conversion of a statement's placeholders only up to 50 of them, and
    # converts the text again at every run past that. The caller's values stay parameters.
    def inline(element: Any) -> Any:
        if isinstance(element, BindParameter) and element.unique and element.callable is None \
                and type(element.value) in (int, str):
            value = element.value
            text = str(value) if type(value) is int else "'" + value.replace("'", "''") + "'"
            return literal_column(text, type_=element.type)
        return None

    return visitors.replacement_traverse(statement, {}, inline)


class _Shape:
    # A shape's statement, and for each row it inserts (the entries, then the lot) its
    # parameters' names and how to take their values from the row.
    def __init__(self, statement: Direct, entries: int, has_lot: bool, _is_spent: bool) -> None:
        self.statement = statement
        self.rows = [_taker([(f"e{n}_{name}", name) for name in ENTRY_COLUMNS[1:]
                             if name != "lot_id" or not has_lot or n != entries - 1])
                     for n in range(entries)]
        if has_lot:
            self.rows.append(_taker([(f"lot_{name}", name) for name in LOT_COLUMNS[1:]]))


def _taker(pairs: list[tuple[str, str]]) -> tuple[tuple[str, ...], Any]:
    names, columns = zip(*pairs, strict=True)
    return names, operator.itemgetter(*columns)
