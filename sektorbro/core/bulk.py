"""Saving many changed rows at once.

Django's ``bulk_update`` builds one ``CASE WHEN`` per field and row, which costs more Python time than the
database spends on it once a batch has a hundred rows and twenty fields. ``update_rows`` sends one plain
``UPDATE … WHERE id = %s`` per row through the driver's ``executemany`` (pipelined by psycopg), with every value
prepared by its model field exactly as ``save()`` would."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model


def _columns(model: type[Model], field_names: Sequence[str], verb: str) -> list[Field[Any, Any]]:
    """The model's concrete, non-key fields by name; anything else is refused by name."""
    fields: list[Field[Any, Any]] = []
    for name in field_names:
        field = model._meta.get_field(name)
        if not isinstance(field, Field) or not field.concrete or field.primary_key:
            raise ValueError(f"{model.__name__}.{name} is not a column that can be {verb}")
        fields.append(field)
    return fields


def update_rows(rows: Sequence[Model], field_names: Sequence[str]) -> None:
    """Write ``field_names`` of every row in ``rows`` (all of one model, all saved before)."""
    if not rows:
        return
    model = type(rows[0])
    meta = model._meta
    fields = _columns(model, field_names, "updated")
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    # Only names from the model's own metadata go into the statement; every value is a parameter.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"  # noqa: S608
    params = []
    for row in rows:
        if row.pk is None:
            raise ValueError(f"{model.__name__} row without a primary key cannot be updated")
        # A related row saved after it was assigned (e.g. a course created in the same batch) gives its id.
        row._prepare_related_fields_for_save(operation_name="update_rows", fields=fields)  # type: ignore[attr-defined]
        params.append([f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def insert_rows(model: type[Model], field_names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert plain rows of values (in the order of ``field_names``) without building model instances: for
    append-only logs written on every request. Each value is prepared by its field as ``save()`` would; fields
    not named take their database default, so name every column without one. No ids are returned."""
    if not rows:
        return
    meta = model._meta
    fields = _columns(model, field_names, "inserted")
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Only names from the model's own metadata go into the statement; every value is a parameter.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    params = []
    for row in rows:
        if len(row) != len(fields):
            raise ValueError(f"a row has {len(row)} values for {len(fields)} fields")
        params.append([f.get_db_prep_save(value, connection) for f, value in zip(fields, row, strict=True)])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
