"""Statements a sale runs every time, sent by SQLAlchemy's compiler straight to the driver.

SQLAlchemy's Core spends about 45 microseconds on each execution beyond the driver's own
call (an execution context, the parameters constructed and processed, the events, a result
object): a fifth of a one-shot upload, whose thirteen statements are each tiny. A
:class:`Direct` statement is compiled by SQLAlchemy once per dialect and set of parameter
names, with the type processors of its parameters and of the columns it returns (SQLAlchemy's
own, so a date goes in and comes out as through Core); each run is then a cursor call on the
connection's driver connection, in the connection's transaction.

What is sent is the SQL SQLAlchemy would send. A driver's error is raised as SQLAlchemy's
(``IntegrityError``, ``OperationalError``...), so callers catch what they always caught. While
anything listens to the engine's cursor events (a test counting statements), a run goes
through ``Connection.execute``, where it is seen. Statements needing what only an execution
context provides are refused when first compiled: Python-side column defaults and
literal-rendered parameters. An ``IN`` list's parameter is written out by SQLAlchemy for the
number of values given, a plan per count.
"""

from __future__ import annotations

import copy
import functools
import operator
import threading
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Executable
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler

from pos.core.later import Later, can_queue, is_queued, queue, send_with

_Processor = Callable[[Any], Any] | None
_MAX_PLANS = 1024
_MAX_KEPT_VALUES = 50  # psycopg's MAX_CACHED_STATEMENT_PARAMS


class _Plan:
    """A statement compiled for one dialect and parameter names: SQL, binds, result shape."""

    def __init__(self, statement: Any, compiled: SQLCompiler, params: Mapping[str, Any]
                 ) -> None:
        keys = tuple(params)
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise TypeError(f"{statement}: pass every column that has a Python-side default")
        if compiled.literal_execute_params or compiled.escaped_bind_names:
            raise TypeError(f"{statement}: has parameters only Connection.execute can send")
        binds = compiled.binds
        missing = [name for name in compiled.bind_names.values()
                   if binds[name].required and name not in keys]
        if missing:
            raise TypeError(f"{statement}: no value for {', '.join(missing)}")
        self.positional = compiled.positional
        if any(bind.expanding for bind in binds.values()):
            # IN lists: the SQL SQLAlchemy writes out for this many values, one name each.
            state = compiled.construct_expanded_state(dict(params))
            self.sql, processors = state.statement, dict(state.processors)
            names = list(state.positiontup or []) if self.positional else list(state.parameters)
            self.expansion = dict(state.parameter_expansion)
        else:
            # (a tuple type's processors come as a sequence: no such parameter is sent here)
            self.sql = compiled.string
            processors = dict(compiled._bind_processors)  # type: ignore[arg-type]  # noqa: SLF001
            names = list(compiled.positiontup or []) if self.positional \
                else list(compiled.bind_names.values())
            self.expansion = {}
        given = set(keys) - set(self.expansion) | {
            name for expanded in self.expansion.values() for name in expanded}
        # (name, processor, the value to use when the caller passes none: a literal's)
        self.binds = [(name, processors.get(name),
                       binds[name].effective_value if name in binds else None)
                      for name in names]
        # The common case, every parameter passed and in order: one C call takes them all.
        self._taken = operator.itemgetter(*names) if self.positional and len(names) > 1 \
            and set(names) <= given else None
        self._processed = [(n, process) for n, (_, process, _) in enumerate(self.binds)
                           if process is not None]
        # Positional, with literals the caller does not pass (``state = 'active'``): the
        # literals are processed once, here, and each run puts the caller's values in place.
        self._template: list[Any] | None = None
        if self.positional and self._taken is None and not self.expansion \
                and given & set(names) and not any(
                    binds[name].callable is not None for name in names
                    if name in binds and name not in given):
            self._passed = [n for n, name in enumerate(names) if name in given]
            self._template = [None if name in given else
                              process(default) if process is not None else default
                              for name, process, default in self.binds]
            self._pick = operator.itemgetter(*(names[n] for n in self._passed))
            self._processed_passed = [(n, process) for n, process in self._processed
                                      if names[n] in given]
        # By name (psycopg), with no IN list: the caller's values as they are, the literals it
        # does not pass added (processed once, here), the processed ones replaced.
        self._named: dict[str, Any] | None = None
        if not self.positional and not self.expansion and not any(
                binds[name].callable is not None for name in names
                if name in binds and name not in given):
            self._named = {name: process(default) if process is not None else default
                           for name, process, default in self.binds if name not in given}
            # (once per name: a name bound twice is one value, processed once)
            self._named_processed = list({name: process for name, process, _ in self.binds
                                          if process is not None and name in given}.items())
        # The columns it returns, typed (none known of a textual statement's: its rows are
        # named by the driver's description and taken as the driver gives them).
        columns = compiled._result_columns  # noqa: SLF001
        self.result_types = [c.type for c in columns]
        self.row: Any = _row_class(tuple(c.keyname for c in columns)) if columns else None
        # The row class and result processors once known: the rows' shape is the statement's.
        self.known: tuple[Any, list[_Processor]] | None = None

    def parameters(self, params: Mapping[str, Any]) -> Any:
        """Return the driver's parameters: processed, in order or by name."""
        if self.expansion:
            params = dict(params)
            for name, expanded in self.expansion.items():
                params.update(zip(expanded, params.pop(name), strict=True))
        if self._taken is not None:
            taken = self._taken(params)
            if not self._processed:
                return taken
            ordered = list(taken)
            for n, process in self._processed:
                ordered[n] = process(ordered[n])
            return ordered
        named = self._named
        if named is not None:
            by_name = {**named, **params} if named else dict(params)
            for name, process in self._named_processed:
                by_name[name] = process(by_name[name])
            return by_name
        if self._template is not None:
            ordered = self._template.copy()
            picked = self._pick(params)
            if len(self._passed) == 1:
                picked = (picked,)
            for n, value in zip(self._passed, picked, strict=True):
                ordered[n] = value
            for n, process in self._processed_passed:
                ordered[n] = process(ordered[n])
            return ordered
        values = [(name, process(params[name] if name in params else default)
                   if process is not None else params.get(name, default))
                  for name, process, default in self.binds]
        return tuple(value for _, value in values) if self.positional else dict(values)

    def reader(self, connection: Connection, description: Any) -> tuple[Any, list[_Processor]]:
        """Return the row class and result processors, once the driver described the columns."""
        known = self.known
        if known is None:  # (built whole, then kept: another thread sees all of it or none)
            if self.row is None:
                known = (_row_class(tuple(column[0] for column in description)),
                         [None] * len(description))
            else:
                dialect = connection.dialect
                known = (self.row, [
                    kind._cached_result_processor(dialect, column[1])  # noqa: SLF001
                    for kind, column in zip(self.result_types, description, strict=True)])
            self.known = known
        return known


class Direct:
    """A Core statement run on a hot path: compiled once, then a cursor call per run."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[tuple[Any, ...], _Plan] = {}
        # (dialect, parameter names) -> the plan, for a statement with no IN list: one look-up
        self._fixed: dict[tuple[str, tuple[str, ...]], _Plan] = {}
        self._compilations: dict[tuple[str, tuple[str, ...]], tuple[SQLCompiler, list[str]]] = {}
        self._lock = threading.Lock()

    def rows(self, connection: Connection, params: Mapping[str, Any] | None = None
             ) -> list[Any]:
        """Run the statement and return its rows (named tuples), if it returns any."""
        params = params or {}
        if _observed(connection):
            result = connection.execute(self.statement, dict(params))
            return list(result.all()) if result.returns_rows else []
        plan = self._plan(connection, params)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            _run(connection, cursor.execute, plan.sql, plan.parameters(params))
            return _rows_of(connection, plan, cursor)
        finally:
            cursor.close()

    def later(self, connection: Connection, params: Mapping[str, Any] | None = None) -> Later:
        """Queue the statement to go with the next one sent on the connection.

        See :mod:`pos.core.later`. Where it cannot wait, it runs now. Its rows come with it.
        """
        params = params or {}
        if not can_queue(connection) or _observed(connection):
            return Later(None, self.rows(connection, params))
        plan = self._plan(connection, params)
        answer = Later(functools.partial(_rows_of, connection, plan))
        queue(connection, plan.sql, plan.parameters(params), answer)
        return answer

    def first(self, connection: Connection, params: Mapping[str, Any] | None = None) -> Any:
        """Run the statement and return its first row, or None."""
        rows = self.rows(connection, params)
        return rows[0] if rows else None

    def scalar(self, connection: Connection, params: Mapping[str, Any] | None = None) -> Any:
        """Run the statement and return the first column of its first row, or None."""
        rows = self.rows(connection, params)
        return rows[0][0] if rows else None

    def count(self, connection: Connection, params: Mapping[str, Any] | None = None) -> int:
        """Run a statement that returns nothing (an insert, an update); return the rows changed."""
        params = params or {}
        if _observed(connection):
            return int(connection.execute(self.statement, dict(params)).rowcount)
        plan = self._plan(connection, params)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            _run(connection, cursor.execute, plan.sql, plan.parameters(params))
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def many(self, connection: Connection, params: Iterable[Mapping[str, Any]]) -> None:
        """Run a statement that returns nothing once for each set of parameters.

        One plan serves the batch when every set names the same parameters; sets that differ
        (one passing what another leaves to a literal or a default) go through Core, as
        Core would send each.
        """
        batch = list(params)
        if not batch:
            return
        keys = tuple(batch[0])
        if _observed(connection) or any(tuple(each) != keys for each in batch[1:]):
            connection.execute(self.statement, [dict(each) for each in batch])
            return
        plan = self._plan(connection, batch[0])
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            _run(connection, cursor.executemany, plan.sql,
                 [plan.parameters(each) for each in batch])
        finally:
            cursor.close()

    def _plan(self, connection: Connection, params: Mapping[str, Any]) -> _Plan:
        dialect, keys = connection.dialect, tuple(params)
        fixed = self._fixed.get((dialect.name, keys))
        if fixed is not None:
            return fixed
        compiled, in_lists = self._compiled(dialect, keys)
        # A plan per count of an IN list's values: the statement is compiled once, and only
        # written out again for a new count.
        key = (dialect.name, keys, *(len(params[name]) for name in in_lists))
        plan = self._plans.get(key)
        if plan is None:
            with self._lock:
                if len(self._plans) >= _MAX_PLANS:  # IN lists of ever new lengths
                    self._plans.clear()
                plan = self._plans.get(key) or _Plan(self.statement, compiled, params)
                self._plans[key] = plan
                if not in_lists:
                    self._fixed[(dialect.name, keys)] = plan
        return plan

    def _compiled(self, dialect: Any, keys: tuple[str, ...]) -> tuple[SQLCompiler, list[str]]:
        # The statement compiled for these parameter names, and its IN lists' names.
        found = self._compilations.get((dialect.name, keys))
        if found is None:
            compiled = self.statement.compile(  # type: ignore[attr-defined]
                dialect=_in_order(dialect), column_keys=list(keys))
            if compiled.dialect is not dialect \
                    and len(compiled.positiontup or ()) > _MAX_KEPT_VALUES:
                # psycopg keeps its conversion of a statement's placeholders only up to 50
                # values, and converts the text again at every run past that; by name, a
                # value bound twice (a guard's ``:cp``) is sent once, and counts once.
                compiled = self.statement.compile(  # type: ignore[attr-defined]
                    dialect=dialect, column_keys=list(keys))
            assert isinstance(compiled, SQLCompiler)
            found = self._compilations[(dialect.name, keys)] = (compiled, [
                name for name, bind in compiled.binds.items() if bind.expanding and name in keys])
        return found


_IN_ORDER = "_pos_in_order"  # the twin dialect's attribute on its dialect


def _in_order(dialect: Any) -> Any:
    # The dialect to compile with: a driver taking parameters by name (``%(name)s``: psycopg)
    # is given them in order (``%s``) instead, which it also takes. By name it would build
    # the list of values from the dict in Python at every run, one step per parameter; in
    # order the plan takes them in one C call (or they are passed on as they are).
    if dialect.paramstyle != "pyformat":
        return dialect
    twin = dialect.__dict__.get(_IN_ORDER)  # (kept on the dialect: it lives as long)
    if twin is None:
        twin = copy.copy(dialect)
        twin.paramstyle, twin.positional = "format", True
        dialect.__dict__[_IN_ORDER] = twin
    return twin


def _rows_of(connection: Connection, plan: _Plan, cursor: Any) -> list[Any]:
    # The rows a statement run on ``cursor`` returned (named tuples, values processed).
    known = plan.known
    if known is None:  # the first run: the driver describes the columns
        description = cursor.description
        if description is None:  # a statement that returns no rows
            return []
        known = plan.reader(connection, description)
    # (psycopg builds the description's columns at every ask: it is not asked again)
    fetched = cursor.fetchall()
    row, processors = known
    make = row._make
    if not any(processors):
        return [make(values) for values in fetched]
    return [make([value if process is None else process(value)
                  for process, value in zip(processors, values, strict=True)])
            for values in fetched]


@functools.lru_cache(maxsize=256)
def _row_class(names: tuple[str, ...]) -> Any:
    # The rows' class, by their column names: making one costs more than a statement.
    return namedtuple("Row", names, rename=True)


def _observed(connection: Connection) -> bool:
    # Someone counts or inspects the statements sent: let them see this one. They listen on
    # the engine (its own dispatch is asked, cheaper than the connection's joined one) unless
    # the connection, or its class, has listeners of its own (SQLAlchemy flags it then).
    dispatch = connection.dispatch if connection._has_events \
        else connection.engine.dispatch
    return bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute)


def _run(connection: Connection, call: Callable[[str, Any], Any], sql: str,
         parameters: Any) -> None:
    if is_queued(connection):  # statements wait to go with this one: one round trip
        send_with(connection, call, sql, parameters)
        return
    dbapi = connection.dialect.loaded_dbapi
    try:
        call(sql, parameters)
    except dbapi.Error as error:
        raise DBAPIError.instance(sql, parameters, error, dbapi.Error,
                                  dialect=connection.dialect) from error
