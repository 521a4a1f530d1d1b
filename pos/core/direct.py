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
context provides are refused when first compiled: Python-side column defaults, expanding
``IN`` parameters, literal-rendered parameters.
"""

from __future__ import annotations

import operator
import threading
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Executable
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler

_Processor = Callable[[Any], Any] | None


class _Plan:
    """A statement compiled for one dialect and parameter names: SQL, binds, result shape."""

    def __init__(self, statement: Any, connection: Connection, keys: Sequence[str]) -> None:
        dialect = connection.dialect
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        assert isinstance(compiled, SQLCompiler)
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise TypeError(f"{statement}: pass every column that has a Python-side default")
        binds = compiled.binds
        if compiled.literal_execute_params or compiled.escaped_bind_names or any(
                bind.expanding for bind in binds.values()):
            raise TypeError(f"{statement}: has parameters only Connection.execute can send")
        self.sql = compiled.string
        names = list(compiled.positiontup or []) if compiled.positional \
            else list(compiled.bind_names.values())
        # (name, processor, the value to use when the caller passes none: a literal's)
        self.binds = [(name, compiled._bind_processors.get(name),  # noqa: SLF001
                       binds[name].effective_value) for name in names]
        self.positional = compiled.positional
        missing = [name for name in names if binds[name].required and name not in keys]
        if missing:
            raise TypeError(f"{statement}: no value for {', '.join(missing)}")
        # The common case, every parameter passed and in order: one C call takes them all.
        self._taken = operator.itemgetter(*names) if self.positional and len(names) > 1 \
            and set(names) <= set(keys) else None
        self._processed = [(n, process) for n, (_, process, _) in enumerate(self.binds)
                           if process is not None]
        # The columns it returns, typed (none known of a textual statement's: its rows are
        # named by the driver's description and taken as the driver gives them).
        columns = compiled._result_columns  # noqa: SLF001
        self.result_types = [c.type for c in columns]
        self.row: Any = namedtuple("Row", [c.keyname for c in columns], rename=True) \
            if columns else None  # type: ignore[misc]
        self._processors: list[_Processor] | None = None

    def parameters(self, params: Mapping[str, Any]) -> Any:
        """Return the driver's parameters: processed, in order or by name."""
        if self._taken is not None:
            taken = self._taken(params)
            if not self._processed:
                return taken
            ordered = list(taken)
            for n, process in self._processed:
                ordered[n] = process(ordered[n])
            return ordered
        values = [(name, process(params[name] if name in params else default)
                   if process is not None else params.get(name, default))
                  for name, process, default in self.binds]
        return tuple(value for _, value in values) if self.positional else dict(values)

    def reader(self, connection: Connection, description: Any) -> tuple[Any, list[_Processor]]:
        """Return the row class and result processors, once the driver described the columns."""
        if self._processors is None:
            if self.row is None:
                self.row = namedtuple("Row", [column[0] for column in description], rename=True)
                self._processors = [None] * len(description)
            else:
                dialect = connection.dialect
                self._processors = [
                    kind._cached_result_processor(dialect, column[1])  # noqa: SLF001
                    for kind, column in zip(self.result_types, description, strict=True)]
        return self.row, self._processors


class Direct:
    """A Core statement run on a hot path: compiled once, then a cursor call per run."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[tuple[str, tuple[str, ...]], _Plan] = {}
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
            if cursor.description is None:  # a statement that returns no rows
                return []
            fetched = cursor.fetchall()
            row, processors = plan.reader(connection, cursor.description)
        finally:
            cursor.close()
        make = row._make
        if not any(processors):
            return [make(row) for row in fetched]
        return [make([value if process is None else process(value)
                      for process, value in zip(processors, row, strict=True)])
                for row in fetched]

    def first(self, connection: Connection, params: Mapping[str, Any] | None = None) -> Any:
        """Run the statement and return its first row, or None."""
        rows = self.rows(connection, params)
        return rows[0] if rows else None

    def scalar(self, connection: Connection, params: Mapping[str, Any] | None = None) -> Any:
        """Run the statement and return the first column of its first row, or None."""
        rows = self.rows(connection, params)
        return rows[0][0] if rows else None

    def count(self, connection: Connection, params: Mapping[str, Any] | None = None) -> int:
        """Run a statement that returns nothing; return how many rows it changed."""
        params = params or {}
        if _observed(connection):
            return int(connection.execute(self.statement, dict(params)).rowcount)  # type: ignore[attr-defined]
        plan = self._plan(connection, params)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            _run(connection, cursor.execute, plan.sql, plan.parameters(params))
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def many(self, connection: Connection, params: Iterable[Mapping[str, Any]]) -> None:
        """Run a statement that returns nothing once for each set of parameters."""
        batch = list(params)
        if not batch:
            return
        if _observed(connection):
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
        key = (connection.dialect.name, tuple(params))
        plan = self._plans.get(key)
        if plan is None:
            with self._lock:
                plan = self._plans.get(key) or _Plan(self.statement, connection, tuple(params))
                self._plans[key] = plan
        return plan


def _observed(connection: Connection) -> bool:
    # Someone counts or inspects the statements sent: let them see this one.
    dispatch = connection.dispatch
    return bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute)


def _run(connection: Connection, call: Callable[[str, Any], Any], sql: str,
         parameters: Any) -> None:
    dbapi = connection.dialect.loaded_dbapi
    try:
        call(sql, parameters)
    except dbapi.Error as error:
        raise DBAPIError.instance(sql, parameters, error, dbapi.Error,
                                  dialect=connection.dialect) from error
