import pytest

from microlab import topology

pytestmark = pytest.mark.unit


def test_every_service_owns_a_database_no_one_else_has():
    dbs = [c.database.name for c in topology.all_components().values() if c.database]
    assert len(dbs) == len(set(dbs))


def test_start_order_puts_dependencies_first():
    waves = topology.start_order(topology.stack("services"))
    seen: set[str] = set()
    for wave in waves:
        for c in wave:
            assert set(c.depends_on) <= seen | {d for d in c.depends_on if d not in
                                                 {x.name for x in topology.stack("services")}}
        seen |= {c.name for c in wave}
    assert "order-service" not in {c.name for c in waves[0]}


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(topology.UnknownName, match="user-service"):
        topology.component("usr-service")
    with pytest.raises(topology.UnknownName, match="monolith, services"):
        topology.stack("micro")


def test_cycle_is_reported():
    a = topology.Component("a", "service", depends_on=("b",))
    b = topology.Component("b", "service", depends_on=("a",))
    with pytest.raises(ValueError, match="cycle"):
        topology.start_order((a, b))
