"""Notebook 05's ownership demonstration on Docker, where it is real: each service's database
opens with its own credentials and refuses every other service's, from the host as from the
lab's network; the shared-database report therefore cannot even connect. (On the local
backend the databases are SQLite files and the notebook says so.)"""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from microlab import ownership, topology

pytestmark = pytest.mark.docker


def test_each_database_opens_for_its_owner_and_shows_its_own_tables(services_lab):
    rows = {r.service: r for r in ownership.databases(services_lab)}
    assert set(rows) == set(ownership.SERVICES)
    for service, row in rows.items():
        assert row.user == topology.component(service).database.user
        assert "***" in row.url and topology.component(service).database.password not in row.url
    assert "reservations" in rows["inventory-service"].tables and "reservations" not in rows["order-service"].tables
    assert "outbox" in rows["order-service"].tables


@pytest.mark.parametrize("intruder,owner", [("order-service", "inventory-service"),
                                            ("payment-service", "order-service"),
                                            ("inventory-service", "payment-service")])
def test_another_services_credentials_are_refused(services_lab, intruder, owner):
    said = ownership.borrow_credentials(services_lab, intruder, owner)
    assert said.startswith("refused:"), said
    assert topology.component(intruder).database.user in said
    # and the owner's own credentials do open it (the refusal is about whose they are)
    engine = create_engine(services_lab.database_url(owner), connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_the_shared_database_report_cannot_connect(services_lab):
    rows = ownership.shared_database_report(services_lab)
    assert rows[0][0] == "refused" and "order_svc" in rows[0][1], rows
