"""The hot path's statements compiled once per dialect and run on the driver's cursor.

SQLAlchemy spends about 0.1 ms of CPU on every ``Connection.execute`` of a statement it has compiled and
cached already: an execution context, parameters processed through the compiled form, result metadata built
from the cursor. An answer runs five statements (storage/hotpath.py), so this was a tenth of the CPU of a
reply beside the floor's two. Here a statement is compiled once per dialect and set of values, and each run
does only what the types need: SQLAlchemy's own bind and result processors (JSON, timestamps, booleans on
SQLite), so the values are exactly those ``Connection.execute`` would give and take.

What stays the same: the statement runs on the connection's own driver connection, inside its transaction;
the engine's ``before_cursor_execute`` listeners are called as for any statement (SQLite's one writer at a
time in storage/db.py, the tests that count statements or look for SQL on the event loop); a driver error
goes through SQLAlchemy's handling (wrapped as ``DBAPIError``, a dropped connection invalidated).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable


@dataclass(frozen=True)
class _Form:
    sql: str
    names: Sequence[str]  # the parameters in the statement's order (positional drivers)
    positional: bool
    binds: Mapping[str, Callable[[Any], Any]]  # parameter -> processor (only where the type has one)
    fixed: Mapping[str, Any]  # the values written into the statement (``.values(flag=False)``)
    results: Sequence[Callable[[Any], Any] | None]  # per result column


class Prepared:
    """One Core statement; ``keys``: the values an INSERT or UPDATE sets, when they are given at execution."""

    def __init__(self, statement: Executable, result_types: Iterable[Any] = ()) -> None:
        self.statement = statement
        self.result_types = list(result_types) or [c.type for c in getattr(statement, "selected_columns", ())]
        self._forms: dict[tuple[str, tuple[str, ...]], _Form] = {}

    def _form(self, dialect: Dialect, keys: tuple[str, ...]) -> _Form:
        form = self._forms.get((dialect.name, keys))
        if form is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=list(keys) or None)
            if compiled.insert_prefetch or compiled.update_prefetch or compiled.escaped_bind_names:
                raise TypeError("a prepared statement takes every value it sets, by its plain name")
            processors = compiled._bind_processors  # SQLAlchemy's processors, as execute uses them
            form = _Form(
                sql=compiled.string,
                names=list(compiled.positiontup or dict.fromkeys(compiled.bind_names.values())),
                positional=bool(compiled.positional),
                binds=dict(processors),
                fixed={n: b.effective_value for n, b in compiled.binds.items() if not b.required},
                results=[t._cached_result_processor(dialect, None) for t in self.result_types],
            )
            self._forms[(dialect.name, keys)] = form
        return form

    def _run(self, conn: Connection, params: Mapping[str, Any], keys: tuple[str, ...], fetch: bool) -> list[tuple] | int:
        form = self._form(conn.dialect, keys)
        binds = form.binds
        if form.fixed:
            params = {**form.fixed, **params}
        if form.positional:
            args: Any = tuple(binds[n](params[n]) if n in binds else params[n] for n in form.names)
        else:
            args = {n: (binds[n](params[n]) if n in binds else params[n]) for n in form.names}
        if not conn.in_transaction():
            conn.begin()  # as execute's autobegin
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for listener in conn.dispatch.before_cursor_execute:
                listener(conn, cursor, form.sql, args, None, False)
            cursor.execute(form.sql, args)
            if not fetch:
                return cursor.rowcount
            rows = cursor.fetchall()
        except conn.dialect.loaded_dbapi.Error as exc:
            conn._handle_dbapi_exception(exc, form.sql, args, cursor, None)  # wrapped, a dropped connection invalidated
        finally:
            cursor.close()
        if not rows:
            return rows
        results = form.results
        if not any(results):
            return [tuple(r) for r in rows]
        return [tuple(v if p is None else p(v) for p, v in zip(results, r, strict=True)) for r in rows]

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple]:
        """A SELECT (or a statement with RETURNING): its rows as tuples, in the selected columns' order."""
        rows = self._run(conn, params, (), True)
        assert isinstance(rows, list)
        return rows

    def run(self, conn: Connection, params: Mapping[str, Any], *, values: bool = False) -> int:
        """An INSERT, UPDATE or DELETE; returns the rows it changed. ``values``: it sets the columns named by
        ``params``' keys (as ``execute`` does for a statement without ``.values()``)."""
        count = self._run(conn, params, tuple(sorted(params)) if values else (), False)
        assert isinstance(count, int)
        return count
