"""Many new rows of one model written in batches, leaner than ``QuerySet.bulk_create``: for the loads that
write tens of thousands of rows at once (the demo street, the registry's import, the bulk actions' audit
rows).

    insert_many(persons)          # Person instances, not yet saved: they get their ids
    insert_many([{"person": p, "plan_id": plan_id, "found": "well"}, ...], model=Visit)   # rows as dicts

Rows given as dicts (``model=``) skip ``Model.__init__`` (a third of the cost of a row in the demo's
batches): each becomes an instance of ``model`` whose fields not named take their defaults, as ``Model(**row)``
would; a key is a field's name or attname (``person`` with an instance, or ``person_id``), a foreign key
given an instance takes its id. Models with ``post_init`` receivers are built with ``Model(**row)``.

The rows are the same as ``bulk_create`` writes: every concrete field's ``pre_save`` runs when its class
has its own (the lookup hashes, ``auto_now``), every value goes through the field's ``get_db_prep_save``
(encryption, dates, JSON), no ``save()`` and no signal, like ``bulk_create``. What is left out is the cost
of the query compiler per value: the SQL is built once per call; values that need no preparation (a
``str`` for a text column, an ``int`` for an integer or a foreign key, a ``bool``, ``None``) are passed as
they are, dates are adapted by the backend's adapter directly. SQLite writes with one prepared statement
for all rows (``executemany``); the new ids are the consecutive row ids the statement took (the write lock
is held from the first row to the commit; the call checks the range anyway), except a few rows whose ids are
wanted (``SQLITE_RETURNING_ROWS``): one multi-row ``INSERT … RETURNING id``, as PostgreSQL writes every batch.

Not for: models with parents (multi-table inheritance), rows that clash (no ``ignore_conflicts``).

    update_many(devices, ["last_value", "last_at"])   # saved instances: one UPDATE per row, one statement

    insert_one(case)              # one new instance, as save(force_insert=True) writes it: the hot single rows
    update_add(KpiRollup, {"month": m, "place_path": p}, {"reported": 1})   # UPDATE … SET n = n + 1 WHERE …

    upsert_add(CaseStateCount, key, other, "n", rows)   # INSERT … VALUES (…), (…) ON CONFLICT (key) DO UPDATE

``insert_one``, ``update_add`` and ``upsert_add`` are for the single-row writes of a hot path (the intake writes a case, its
event, its audit row and adds to counters): the statement and the fields' preparation are built once per
model and connection and kept on the connection, so a call costs the preparation of its values and the
statement, not the query compiler (which is most of an ORM ``save`` of one row).

``update_many`` is the same for changed rows, leaner than ``QuerySet.bulk_update`` (which builds one
``CASE WHEN pk = … THEN …`` expression per value through the query compiler): one prepared
``UPDATE … SET … WHERE pk = %s`` executed for all rows (``executemany``; psycopg pipelines it). Values
go through the same preparation as ``insert_many``'s; ``auto_now`` fields listed are set to now.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, cast

from django.db import connections, models, router, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.expressions import DatabaseDefault
from django.db.models.fields import AutoFieldMixin

# Field classes whose preparation of a value of the listed exact type is the value itself.
_PLAIN_PREP = {
    models.CharField.get_prep_value: (str,),
    models.TextField.get_prep_value: (str,),
    models.IntegerField.get_prep_value: (int,),
    models.BooleanField.get_prep_value: (bool,),
    models.FloatField.get_prep_value: (float,),
}
PG_MAX_PARAMS = 65_535
M = TypeVar("M", bound=models.Model)
# SQLite: up to this many new rows whose ids are wanted go in one multi-row ``INSERT … RETURNING`` (one
# statement, as on PostgreSQL); more go by ``executemany`` and the ids are read after it.
SQLITE_RETURNING_ROWS = 50


def _is_base(cls: type, name: str) -> bool:
    return getattr(cls, name) is getattr(models.Field, name)


def _preparer(field: models.Field, connection: Any) -> Callable[[Any], Any]:
    """value -> the value to hand to the driver, as ``field.get_db_prep_save(value, connection)`` gives it,
    with a shortcut for the common plain cases."""
    def generic(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    if isinstance(field, models.ForeignKey):
        # ForeignKey.get_db_prep_save hands the value to its target field's.
        if type(field).get_db_prep_save is not models.ForeignKey.get_db_prep_save:
            return generic
        target: models.Field = field.target_field
    else:
        target = field
    cls = type(target)
    if not _is_base(cls, "get_db_prep_save"):
        return generic
    plain: tuple[type, ...] = ()
    if isinstance(target, AutoFieldMixin):
        plain = (int,)
    elif _is_base(cls, "get_db_prep_value"):
        plain = _PLAIN_PREP.get(cls.get_prep_value, ())
    if plain:
        def prep(value: Any) -> Any:
            return value if value is None or type(value) in plain else generic(value)

        return prep
    if cls.get_db_prep_value is models.IntegerField.get_db_prep_value and (
            cls.get_prep_value is models.IntegerField.get_prep_value):
        # An int is itself after get_prep_value; the backend may still wrap it (psycopg's sized integers).
        adapt_int = connection.ops.adapt_integerfield_value
        internal = target.get_internal_type()

        def prep_int(value: Any) -> Any:
            return adapt_int(value, internal) if type(value) is int else generic(value)

        return prep_int
    if cls is models.DateField:
        adapt = connection.ops.adapt_datefield_value

        def prep_date(value: Any) -> Any:
            if value is None:
                return None
            return adapt(value) if type(value) is datetime.date else generic(value)

        return prep_date
    if cls is models.DateTimeField:
        adapt_dt = connection.ops.adapt_datetimefield_value

        last: list[Any] = [None, None]  # the previous value and its adaptation (a batch's "now" repeats)

        def prep_datetime(value: Any) -> Any:
            if value is None:
                return None
            if value is last[0]:
                return last[1]
            if type(value) is datetime.datetime and value.tzinfo is not None:
                last[0], last[1] = value, adapt_dt(value)
                return last[1]
            return generic(value)  # naive values: Django's warning and conversion

        return prep_datetime
    return generic


def _computes_on_save(field: models.Field) -> bool:
    """Whether the field's ``pre_save`` does more than read the attribute (the lookup hashes, ``auto_now``)."""
    pre_save = type(field).pre_save
    if pre_save in (models.DateField.pre_save, models.DateTimeField.pre_save):
        return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))  # which they serve only
    return pre_save is not models.Field.pre_save


def _value_reader(field: models.Field) -> Callable[[models.Model], Any]:
    """obj -> the field's value to write: ``pre_save`` when it does more than read the attribute (the
    lookup hashes, ``auto_now``), else the attribute (its default when it was never set)."""
    if _computes_on_save(field):
        return lambda obj: field.pre_save(obj, True)
    attname = field.attname
    default = field.get_default if field.has_default() else None
    if isinstance(field, models.ForeignKey):
        name, target = field.name, field.target_field.attname

        def read_key(obj: models.Model) -> Any:
            # As bulk_create: a related object given before it was saved lends its key now (or refuses).
            value = obj.__dict__.get(attname)
            if value is None:
                related = obj._state.fields_cache.get(name)
                if related is not None:
                    value = getattr(related, target)
                    if value is None:
                        raise ValueError(f"insert_many() prohibited to prevent data loss due to unsaved related "
                                         f"object '{name}'.")
                    obj.__dict__[attname] = value
                elif attname not in obj.__dict__:
                    value = default() if default is not None else None
                    obj.__dict__[attname] = value
            return value

        return read_key

    def read(obj: models.Model) -> Any:
        value = obj.__dict__.get(attname, _MISSING)
        if value is _MISSING:
            value = default() if default is not None else None
            setattr(obj, attname, value)
        return value

    return read


_MISSING = object()


_MAKERS: dict[type[models.Model], Callable[[dict[str, Any]], models.Model]] = {}


def _maker(model: type[models.Model]) -> Callable[[dict[str, Any]], models.Model]:
    """row (a dict) -> a new, unsaved instance of ``model`` with the values ``model(**row)`` would hold."""
    if signals.post_init.has_listeners(model) or signals.pre_init.has_listeners(model):
        return lambda row: model(**row)
    make = _MAKERS.get(model)
    if make is None:
        make = _MAKERS[model] = _build_maker(model)
    return make


def new_instance(model: type[M], **values: Any) -> M:
    """``model(**values)`` without ``Model.__init__``'s cost (the same values; defaults for the rest): for
    the rows a hot path writes with ``insert_one``."""
    return _maker(model)(values)  # type: ignore[return-value]


def _build_maker(model: type[models.Model]) -> Callable[[dict[str, Any]], models.Model]:
    opts = model._meta
    fixed: dict[str, Any] = {}  # attname -> the default every row shares (None, "", a constant)
    made: list[tuple[str, Callable[[], Any]]] = []  # attname -> its default's factory, called per row
    keys: dict[str, tuple[str, bool]] = {}  # name or attname -> (attname, is a relation given by instance)
    for f in opts.concrete_fields:
        if f.has_default() and callable(f.default):
            made.append((f.attname, f.default))
        else:
            fixed[f.attname] = f.get_default()
        keys[f.attname] = (f.attname, False)
        if f.is_relation:
            keys[f.name] = (f.attname, True)

    def make(row: dict[str, Any]) -> models.Model:
        obj = model.__new__(model)
        obj._state = ModelState()
        values = obj.__dict__
        values.update(fixed)
        for attname, factory in made:
            if attname not in row:
                values[attname] = factory()
        for key, value in row.items():
            try:
                attname, relation = keys[key]
            except KeyError:
                raise TypeError(f"{model.__name__} has no field named {key!r}") from None
            if relation and value is not None:
                if value.pk is None:
                    raise ValueError(f"insert_many() prohibited to prevent data loss due to unsaved related "
                                     f"object '{key}'.")
                obj._state.fields_cache[key] = value
                value = value.pk
            values[attname] = value
        return obj

    return make


def insert_many(objs: Iterable[Any], *, model: type[models.Model] | None = None, using: str | None = None,
                batch_size: int = 2000) -> list[Any]:
    """Insert ``objs`` (new instances of one model, none saved yet; or, with ``model``, rows as dicts) and set
    their primary keys. Returns the instances as a list. In one transaction (the caller's, or its own)."""
    if model is not None:
        make = _maker(model)
        objs = [make(row) for row in objs]
    else:
        objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    opts = model._meta
    if opts.parents:
        raise ValueError("insert_many does not write models with parents (multi-table inheritance)")
    if any(type(obj) is not model for obj in objs):
        raise ValueError("insert_many writes instances of one model per call")
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    groups = []
    for group, has_pk in (([o for o in objs if o.pk is not None], True), ([o for o in objs if o.pk is None], False)):
        if group:  # the values first: a bad one raises before anything is written
            include_pk = has_pk or not isinstance(opts.pk, AutoFieldMixin)
            fields = [f for f in opts.local_concrete_fields
                      if not getattr(f, "generated", False) and (include_pk or f is not opts.pk)]
            groups.append((group, fields, _rows(group, fields, connection), include_pk))
    with transaction.atomic(using=alias, savepoint=False):
        for group, fields, rows, include_pk in groups:
            _write(group, fields, rows, model, connection, returning=not include_pk, batch_size=batch_size)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
    return objs


def _pairs(fields: list[models.Field], connection: Any) -> list[tuple[Callable[[Any], Any], Callable[[Any], Any]]]:
    """Each field's (reader, preparer), built once per connection and list of fields."""
    plans = _plans(connection)
    key = ("pairs", tuple(fields))
    pairs = plans.get(key)
    if pairs is None:
        pairs = plans[key] = [(_value_reader(f), _preparer(f, connection)) for f in fields]
    return pairs


def _row(obj: models.Model, pairs: list[tuple[Any, Any]], writer: str) -> list[Any]:
    """One object's values to hand to the driver."""
    row = []
    for read, prep in pairs:
        value = read(obj)
        if isinstance(value, DatabaseDefault):
            raise ValueError(f"{writer} writes values, not database defaults: set the field")
        row.append(prep(value))
    return row


def _rows(objs: Sequence[models.Model], fields: list[models.Field], connection: Any) -> list[list[Any]]:
    """The values to hand to the driver, row by row."""
    pairs = _pairs(fields, connection)
    return [_row(obj, pairs, "insert_many") for obj in objs]


def _write(objs: Sequence[models.Model], fields: list[models.Field], rows: list[list[Any]],
           model: type[models.Model], connection: Any, *, returning: bool, batch_size: int) -> None:
    opts = model._meta
    qn = connection.ops.quote_name
    table = qn(opts.db_table)
    columns = ", ".join(qn(f.column) for f in fields)
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite" and not (returning and len(rows) <= SQLITE_RETURNING_ROWS):
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {marks}", rows)  # noqa: S608
            if returning:
                cursor.execute("SELECT last_insert_rowid()")
                last = cursor.fetchone()[0]
                first = last - len(rows) + 1
                pk_col = qn(opts.pk.column)
                cursor.execute(f"SELECT count(*) FROM {table} WHERE {pk_col} BETWEEN %s AND %s",  # noqa: S608
                               [first, last])
                if cursor.fetchone()[0] != len(rows):  # pragma: no cover - the write lock makes them consecutive
                    raise RuntimeError("the new rows' ids are not consecutive")
                for n, obj in enumerate(objs):
                    obj.pk = first + n
            return
        size = max(1, min(batch_size, PG_MAX_PARAMS // max(1, len(fields))))
        tail = f" RETURNING {qn(opts.pk.column)}" if returning else ""
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            params = [value for row in chunk for value in row]
            values = ", ".join([marks] * len(chunk))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}{tail}", params)  # noqa: S608
            if returning:
                for obj, (new_id,) in zip(objs[start:start + size], cursor.fetchall(), strict=True):
                    obj.pk = new_id


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]], *,
                using: str | None = None, batch_size: int = 2000) -> int:
    """Insert ``rows``, each a sequence of the values of ``fields`` (by name, in that order), without making
    instances: for the largest append-only loads (the readings). ``fields`` name every concrete field but an
    automatic primary key; fields that compute their value on save (lookup hashes, ``auto_now``) are refused.
    Values are prepared as ``insert_many`` prepares them, all before any write. Returns the number of rows;
    the new ids are not read back."""
    opts = model._meta
    concrete = [opts.get_field(name) for name in fields]
    wanted = {f for f in opts.local_concrete_fields if not getattr(f, "generated", False)}
    if not isinstance(opts.pk, AutoFieldMixin) or opts.pk in concrete:
        raise ValueError("insert_rows writes models with an automatic primary key, without giving it")
    if set(concrete) != wanted - {opts.pk}:
        raise ValueError("insert_rows needs a value for every concrete field but the primary key")
    for f in concrete:
        if _computes_on_save(f):
            raise ValueError(f"insert_rows cannot compute {f.name} (it is set on save): use insert_many")
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    preps = [_preparer(f, connection) for f in concrete]
    prepared = [[prep(value) for prep, value in zip(preps, row, strict=True)] for row in rows]
    if not prepared:
        return 0
    with transaction.atomic(using=alias, savepoint=False):
        _write([], concrete, prepared, model, connection, returning=False, batch_size=batch_size)
    return len(prepared)


def update_many(objs: Iterable[Any], fields: Sequence[str], *, using: str | None = None) -> int:
    """Write ``fields`` of ``objs`` (saved instances of one model) back, one row each, in one transaction
    (the caller's, or its own). Returns the number of rows. No ``save()``, no signal (as ``bulk_update``)."""
    objs = list(objs)
    if not objs:
        return 0
    model = type(objs[0])
    opts = model._meta
    if any(type(obj) is not model for obj in objs):
        raise ValueError("update_many writes instances of one model per call")
    if any(obj.pk is None for obj in objs):
        raise ValueError("update_many writes saved instances only")
    concrete = [opts.get_field(name) for name in fields]
    if not concrete or any(not f.concrete or f.primary_key or f.many_to_many for f in concrete):
        raise ValueError("update_many writes concrete fields other than the primary key")
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    pairs = [(_value_reader(f) if _computes_on_save(f) else _attribute(f), _preparer(f, connection))
             for f in concrete]
    pk_prep = _preparer(opts.pk, connection)
    rows = [[prep(read(obj)) for read, prep in pairs] + [pk_prep(obj.pk)] for obj in objs]  # values first
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(f.column)} = %s" for f in concrete)
    sql = f"UPDATE {qn(opts.db_table)} SET {sets} WHERE {qn(opts.pk.column)} = %s"  # noqa: S608
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def _attribute(field: models.Field) -> Callable[[models.Model], Any]:
    attname = field.attname
    return lambda obj: getattr(obj, attname)


def _plans(connection: Any) -> dict[Any, Any]:
    """The statements built for this connection (kept on it: the preparers hold its operations)."""
    plans = connection.__dict__.get("_linli_insert_plans")
    if plans is None:
        plans = connection.__dict__["_linli_insert_plans"] = {}
    return plans


def insert_one(obj: Any, *, using: str | None = None) -> Any:
    """Insert ``obj`` (a new instance) as ``obj.save(force_insert=True)`` writes it: each field's ``pre_save``
    (lookup hashes, ``auto_now``), each value through the field's ``get_db_prep_save``; no ``save()``
    override and no signal runs (as ``insert_many``). One statement; the new primary key is read back by
    ``RETURNING`` (SQLite ≥ 3.35, PostgreSQL). Returns ``obj``, marked saved."""
    model = type(obj)
    opts = model._meta
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    include_pk = obj.pk is not None or not isinstance(opts.pk, AutoFieldMixin)
    plans = _plans(connection)
    plan = plans.get((model, include_pk))
    if plan is None:
        if opts.parents:
            raise ValueError("insert_one does not write models with parents (multi-table inheritance)")
        fields = [f for f in opts.local_concrete_fields
                  if not getattr(f, "generated", False) and (include_pk or f is not opts.pk)]
        qn = connection.ops.quote_name
        sql = (f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        if not include_pk:
            sql += f" RETURNING {qn(opts.pk.column)}"
        plan = plans[(model, include_pk)] = (sql, _pairs(fields, connection))
    sql, pairs = plan
    values = _row(obj, pairs, "insert_one")
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if not include_pk:
            obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = alias
    return obj


def update_add(model: type[models.Model], where: dict[str, Any], add: dict[str, int], *,
               using: str | None = None) -> int:
    """``UPDATE <table> SET f = f + n, … WHERE k = v AND …`` in one statement (``where``: field name ->
    value, equality; ``add``: field name -> what to add); returns the rows changed. As
    ``model.objects.filter(**where).update(f=F("f") + n)``, without the query compiler per call."""
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    keys, names = tuple(where), tuple(add)
    plans = _plans(connection)
    plan = plans.get((model, keys, names))
    if plan is None:
        opts = model._meta
        qn = connection.ops.quote_name
        kf = [cast(models.Field, opts.get_field(k)) for k in keys]
        af = [cast(models.Field, opts.get_field(n)) for n in names]
        sets = ", ".join(f"{qn(str(f.column))} = {qn(str(f.column))} + %s" for f in af)
        conds = " AND ".join(f"{qn(str(f.column))} = %s" for f in kf)
        sql = f"UPDATE {qn(opts.db_table)} SET {sets} WHERE {conds}"  # noqa: S608
        plan = plans[(model, keys, names)] = (sql, [_preparer(f, connection) for f in kf])
    sql, preps = plan
    params = [int(add[n]) for n in names] + [prep(where[k]) for prep, k in zip(preps, keys, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


UPSERT_BATCH = 500


def upsert_add(model: type[models.Model], key: Sequence[str], other: Sequence[str], add: str,
               rows: Sequence[Sequence[Any]], *, using: str | None = None) -> int:
    """Add to counters in one statement, creating the rows that are missing: ``rows`` are the values of
    ``key`` (the columns of a unique constraint), then ``other`` (written when a row is created), then what
    to add to ``add``: ``INSERT … VALUES (…), (…) ON CONFLICT (key) DO UPDATE SET add = add + excluded.add``
    (PostgreSQL; SQLite 3.24+). Values are plain (text and integers), passed as they are. Returns the rows
    written."""
    if not rows:
        return 0
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    qn = connection.ops.quote_name
    opts = model._meta
    cols = [qn(str(cast(models.Field, opts.get_field(name)).column)) for name in (*key, *other, add)]
    table, total = qn(opts.db_table), cols[-1]
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_BATCH):  # a bulk load's rows: within the parameters' limit
            batch = rows[start:start + UPSERT_BATCH]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES {', '.join([one] * len(batch))} "  # noqa: S608
                f"ON CONFLICT ({', '.join(cols[:len(key)])}) DO UPDATE SET {total} = {table}.{total} + "
                f"excluded.{total}",
                [value for row in batch for value in row],
            )
            written += cursor.rowcount
    return written
