"""Database per service, made visible (notebook 05): whose database is where, what another
service's credentials get you, and the shared-database report that breaks when its owner
migrates.

Each service is given one DATABASE_URL, its own. On Docker that is a PostgreSQL server per
service with a user per service, so a foreign user is refused by the server. On the local
backend each database is a SQLite file: nothing but convention keeps another process out,
which is why the notebook shows the files and lets the Docker test show the refusal.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from microlab import topology

SERVICES = ("user-service", "inventory-service", "payment-service", "order-service")


@dataclass(frozen=True)
class Owned:
    service: str
    url: str  # password hidden
    user: str
    tables: tuple[str, ...]


class Databases(list):
    """One row per service; a table in a notebook."""

    def __str__(self) -> str:
        width = max(len(r.service) for r in self) if self else 0
        return "\n".join(f"{r.service:<{width}}  {r.url}\n{'':<{width}}  user {r.user}; tables: {', '.join(r.tables)}"
                         for r in self)

    __repr__ = __str__


def databases(lab) -> Databases:
    """Each service's own database: where it is, whose credentials open it, what it holds."""
    rows = Databases()
    for service in SERVICES:
        url = lab.database_url(service)
        engine = create_engine(url)
        try:
            tables = tuple(sorted(inspect(engine).get_table_names()))
        finally:
            engine.dispose()
        user = topology.component(service).database.user
        shown = make_url(url).render_as_string(hide_password=True)
        rows.append(Owned(service, shown, user if not url.startswith("sqlite") else "(a file: no users)", tables))
    return rows


def borrow_credentials(lab, intruder: str, owner: str) -> str:
    """Try to open `owner`'s database with `intruder`'s credentials; say what happened."""
    url = lab.database_url(owner)
    if url.startswith("sqlite"):
        return (f"local backend: {owner}'s database is the file {urlsplit(url).path}; a file has no "
                f"users, so only convention keeps {intruder} out. On Docker, {owner}'s own PostgreSQL "
                f"server refuses {intruder}'s credentials (tests/integration/docker/test_database_ownership.py).")
    theirs = topology.component(intruder).database
    foreign = make_url(url).set(username=theirs.user, password=theirs.password)
    engine = create_engine(foreign, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[-1] if exc.orig else str(exc)
        return f"refused: {owner}'s database does not let {intruder}'s user {theirs.user!r} in ({reason})"
    finally:
        engine.dispose()
    return f"OPEN: {intruder}'s credentials opened {owner}'s database (ownership is not enforced!)"


# The report someone "just" writes against two services' tables at once (local backend only:
# SQLite can attach a second file; on Docker the second server would refuse the credentials).
SHARED_REPORT = """
SELECT o.id AS order_id, o.status AS order_status, r.status AS stock
FROM orders o JOIN inv.reservations r ON r.order_id = o.id
ORDER BY o.id DESC LIMIT 5
"""


def shared_database_report(lab) -> list[tuple]:
    """Orders joined with inventory-service's reservations, reading both databases directly."""
    orders, inventory = lab.database_url("order-service"), lab.database_url("inventory-service")
    if not orders.startswith("sqlite"):
        return [("refused", borrow_credentials(lab, "order-service", "inventory-service"))]
    engine = create_engine(orders)
    try:
        with engine.connect() as conn:
            conn.execute(text("ATTACH DATABASE :path AS inv"), {"path": urlsplit(inventory).path})
            return [tuple(row) for row in conn.execute(text(SHARED_REPORT))]
    finally:
        engine.dispose()


def inventory_migration(lab, forward: bool = True) -> str:
    """inventory-service's next release renames reservations.status to state (its code would move
    with it). Played on its database for a moment; forward=False puts the column back."""
    old, new = ("status", "state") if forward else ("state", "status")
    engine = create_engine(lab.database_url("inventory-service"))
    try:
        with engine.begin() as conn:
            conn.execute(text(f"ALTER TABLE reservations RENAME COLUMN {old} TO {new}"))
    finally:
        engine.dispose()
    return f"inventory-service's reservations.{old} is now reservations.{new}"


def add_inventory_column(lab) -> list[str]:
    """A change inventory-service makes to its own schema: a new column (its columns after)."""
    engine = create_engine(lab.database_url("inventory-service"))
    try:
        with engine.begin() as conn:
            if "warehouse" not in {c["name"] for c in inspect(conn).get_columns("items")}:
                conn.execute(text("ALTER TABLE items ADD COLUMN warehouse VARCHAR(20) DEFAULT 'north'"))
        return [c["name"] for c in inspect(engine).get_columns("items")]
    finally:
        engine.dispose()


def try_report(lab) -> str:
    """The shared report's rows, or the error it now ends with."""
    try:
        rows = shared_database_report(lab)
    except OperationalError as exc:
        return f"the report broke: {str(exc.orig or exc).splitlines()[0]}"
    return "\n".join(str(r) for r in rows) or "(no reservations yet)"
