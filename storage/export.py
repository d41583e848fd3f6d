"""Everything stored about one person, as plain data (for /mydata).

Found through the schema like the erasure: the person's participant rows, every row of any table
that references them (directly or through another row), and every row carrying their user key.
A table added later is included without changing this module."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, Table, select
from sqlmodel import Session, SQLModel

from storage.models import Participant


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):  # a recording: in the file, as base64
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value


def _collect(session: Session, table: Table, chosen: Select, out: dict[str, list[dict[str, Any]]], seen: set[str]) -> None:
    (pk,) = table.primary_key.columns
    rows = session.execute(select(table).where(pk.in_(chosen))).mappings().all()
    if not rows:
        return
    bucket = out.setdefault(table.name, [])
    for row in rows:
        key = repr(sorted((k, repr(v)) for k, v in row.items()))
        if key not in seen:
            seen.add(key)
            bucket.append({k: _plain(v) for k, v in row.items()})
    for child in SQLModel.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column is pk:
                (child_pk,) = child.primary_key.columns
                _collect(session, child, select(child_pk).where(fk.parent.in_(chosen)), out, seen)


def personal_data(session: Session, user_key: str) -> dict[str, list[dict[str, Any]]]:
    """Table name -> the person's rows in it, every column."""
    out: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    table = Participant.__table__  # type: ignore[attr-defined]
    _collect(session, table, select(table.c.id).where(table.c.user_key == user_key), out, seen)
    for other in SQLModel.metadata.sorted_tables:
        if "user_key" in other.c and other is not table:
            (pk,) = other.primary_key.columns
            _collect(session, other, select(pk).where(other.c.user_key == user_key), out, seen)
    return out
