"""``field__any_of=[...]``: ``field IN (...)`` as one array parameter on PostgreSQL.

A fan-out reads its people by batches of thousands of ids. Written ``IN (%s, %s,
…)``, each batch's query carries thousands of placeholders that psycopg splits
and fills on the client side: a fifth of planning a 10,000-member fan-out
(pyinstrument, bench/fanout.py). ``= ANY(%s)`` sends one array instead. SQLite
has no arrays: there it is the usual ``IN``.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In
from django.db.models.sql.compiler import SQLCompiler


class AnyOf(Lookup[Any]):
    lookup_name = "any_of"
    prepare_rhs = False  # a list, kept whole: each value is prepared below

    def get_prep_lookup(self) -> list[Any]:
        prepared: list[Any] = [self.lhs.output_field.get_prep_value(value) for value in self.rhs]
        return prepared

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        if not self.rhs:
            return In(self.lhs, self.rhs).as_sql(compiler, connection)  # "nothing matches"
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # its lookups are its own: user_id__any_of=...
