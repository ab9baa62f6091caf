"""Writing the generated rows, in the caller's transaction, the fastest way each engine offers:
SQLite through SQLAlchemy Core executemany (one prepared INSERT per table, large batches), and
PostgreSQL through ``COPY ... FROM STDIN`` (psycopg 3 ``cursor.copy``). Neither goes through the
ORM: no unit of work, no events, so what the ORM would do on insert (a user's search key, an
award's entry in the verification registry, an enrolment's first event) the generator does itself.

Rows arrive as tuples of Python values (dates, aware UTC datetimes, floats, JSON already
serialised); the SQLite writer stores dates and time stamps the way SQLAlchemy does there."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from lms.demo.bulk.tables import COLUMNS, NUMBERED, ORDER, Rows
from lms.extensions import db

SQLITE_CACHE_KIB = 256 * 1024  # page cache of the load's connection


class Writer:
    def __init__(self, connection: sa.Connection):
        self.connection = connection
        self.written: dict[str, int] = dict.fromkeys(ORDER, 0)

    def write(self, rows: Rows) -> None:
        for table in ORDER:
            batch = rows.get(table)
            if batch:
                self.write_table(table, batch)
                self.written[table] += len(batch)

    def write_table(self, table: str, batch: list[tuple]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """After the last rows: statistics for the query planner (and sequences on PostgreSQL)."""

    def size_bytes(self) -> int | None:
        return None


class SQLiteWriter(Writer):
    """Safe pragmas only: a larger page cache and temporary indexes in memory. Foreign keys stay
    on (every row is checked), the journal stays WAL and synchronous NORMAL, as configured."""

    def __init__(self, connection: sa.Connection):
        super().__init__(connection)
        # The connection returns to the pool afterwards: finish() puts these back.
        self.restore = {
            pragma: connection.exec_driver_sql(f"PRAGMA {pragma}").scalar() for pragma in ("cache_size", "temp_store")
        }
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        connection.exec_driver_sql("PRAGMA temp_store=MEMORY")
        self.sql = {
            table: f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            for table, columns in COLUMNS.items()
        }
        self.converters = {table: _sqlite_converters(table) for table in COLUMNS}
        self._stamps: dict[Any, str] = {}

    def write_table(self, table: str, batch: list[tuple]) -> None:
        positions = self.converters[table]
        if positions:
            stamp, converted = self._stamp, []
            for row in batch:
                values = list(row)
                for index in positions:
                    if values[index] is not None:
                        values[index] = stamp(values[index])
                converted.append(tuple(values))
            batch = converted
        self.connection.exec_driver_sql(self.sql[table], batch)

    def _stamp(self, value: date | datetime) -> str:
        text = self._stamps.get(value)
        if text is None:
            if isinstance(value, datetime):
                text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
            else:
                text = value.isoformat()
            if len(self._stamps) < 1_000_000:
                self._stamps[value] = text
        return text

    def finish(self) -> None:
        self.connection.exec_driver_sql(
            "PRAGMA analysis_limit=0"
        )  # exact statistics: a limited sample misled the planner (offerings of a year counted 1,001 for 15,000)
        self.connection.exec_driver_sql("ANALYZE")
        for pragma, value in self.restore.items():
            self.connection.exec_driver_sql(f"PRAGMA {pragma}={int(value)}")

    def size_bytes(self) -> int | None:
        pages = self.connection.exec_driver_sql("PRAGMA page_count").scalar()
        size = self.connection.exec_driver_sql("PRAGMA page_size").scalar()
        return pages * size


def _sqlite_converters(table: str) -> tuple[int, ...]:
    """Positions of the date and time stamp columns of ``table``'s rows."""
    columns = db.metadata.tables[table].c
    return tuple(index for index, name in enumerate(COLUMNS[table]) if _is_temporal(columns[name].type))


def _is_temporal(column_type: sa.types.TypeEngine) -> bool:
    impl = getattr(column_type, "impl", column_type)
    return isinstance(impl, sa.Date | sa.DateTime)


class PostgresWriter(Writer):
    def __init__(self, connection: sa.Connection):
        super().__init__(connection)
        self.raw = connection.connection.driver_connection  # psycopg.Connection, same transaction

    def write_table(self, table: str, batch: list[tuple]) -> None:
        with self.raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)

    def finish(self) -> None:
        """Ids were given explicitly: move each sequence past them; then refresh statistics."""
        for table in NUMBERED:
            self.connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        for table in ORDER:
            self.connection.exec_driver_sql(f"ANALYZE {table}")

    def size_bytes(self) -> int | None:
        return self.connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()


def writer_for(connection: sa.Connection) -> Writer:
    name = connection.dialect.name
    if name == "sqlite":
        return SQLiteWriter(connection)
    if name == "postgresql":
        return PostgresWriter(connection)
    raise ValueError(f"no bulk writer for {name}")
