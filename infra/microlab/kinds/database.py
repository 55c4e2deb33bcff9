"""A service's own PostgreSQL, on the Docker backend (the local backend gives each service
a SQLite file instead): its owner's credentials are the only ones that open it."""
from __future__ import annotations

from microlab.kinds.spec import ContainerSpec, Ready, SpecContext
from microlab.topology import Component, Database

IMAGE_ROLE = "postgres"
PORT = 5432


def url(db: Database, host: str, port: int = PORT) -> str:
    """The SQLAlchemy URL of `db` at host:port, with its owner's credentials."""
    return f"postgresql+psycopg://{db.user}:{db.password}@{host}:{port}/{db.db}"


def ready(db: Database) -> Ready:
    def check(port: int) -> bool:
        import psycopg

        try:
            with psycopg.connect(host="127.0.0.1", port=port, user=db.user, password=db.password,
                                 dbname=db.db, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    return check


def container(db: Database, owner: Component, ctx: SpecContext) -> ContainerSpec:
    """Official image: data on a labelled volume. Offline image: the cluster made at image
    build time stays in the container's own layer (copying it into a volume cost more
    than a second of CPU per database), so healing restarts the container, data and all.
    """
    env = {"POSTGRES_USER": db.user, "POSTGRES_PASSWORD": db.password, "POSTGRES_DB": db.db}
    check = ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", db.user, "-d", db.db]
    official = ctx.image_set == "official"
    return ContainerSpec(db.name, "database", IMAGE_ROLE, PORT, env, ready(db),
                         healthcheck=check, data_path="/var/lib/postgresql/data" if official else None,
                         restart_to_heal=not official, detail=f"database of {owner.name}")
