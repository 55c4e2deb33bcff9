"""The Docker backend starts containers on the same graph as the local backend: a gateway
does not wait for its upstreams, a service still waits for its database and its callees."""
from microlab.docker import specs
from microlab.docker.backend import waits_only_for
from microlab.topology import all_components, stack, start_after


def _waits(name: str = "services") -> dict:
    ctx = specs.SpecContext("t", "offline", all_components())
    components = stack(name)
    wanted = specs.specs_for(components, ctx)
    return {s.name: s.depends_on for s in waits_only_for(wanted, start_after(components))}, \
        {s.name: s.depends_on for s in wanted}


def test_gateways_wait_for_nothing_and_services_for_their_database_and_callees():
    for name in ("services", "bff"):
        waits, full = _waits(name)
        for c in stack(name):
            if c.kind == "gateway":
                assert full[c.name] and waits[c.name] == ()
            elif c.database is not None:
                assert waits[c.name] == full[c.name]  # its own database and its callees
                assert c.database.name in waits[c.name]
    waits, _ = _waits()
    assert set(waits["order-service"]) == {"order-db", "user-service", "inventory-service"}
    assert "kafka" not in {d for deps in waits.values() for d in deps}
