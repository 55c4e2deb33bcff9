import pytest

from microlab import topology



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


def _upstream_hosts(config_file) -> set[str]:
    """Every host a kong.yml sends traffic to (service url or host fields)."""
    import yaml
    from urllib.parse import urlsplit

    doc = yaml.safe_load(config_file.read_text())
    hosts = set()
    for service in doc.get("services", []):
        hosts.add(urlsplit(service["url"]).hostname if "url" in service else service["host"])
    return hosts


@pytest.mark.parametrize("name", [n for n, c in topology.all_components().items() if c.kind == "gateway"])
def test_every_upstream_of_a_gateway_is_in_its_depends_on(name):
    from microlab.kinds.gateway import config_path

    gateway = topology.component(name)
    hosts = _upstream_hosts(config_path(gateway))
    assert hosts, f"{gateway.config} routes nowhere"
    assert hosts <= set(gateway.depends_on), f"{name} routes to {hosts - set(gateway.depends_on)}"


def test_one_port_mapping_for_port_base_in_the_local_backend_and_compose():
    import yaml

    from microlab.docker import compose, images, specs

    components = topology.stack("services")
    refs = images.planned_refs(specs.roles_for(components), "offline")
    doc = yaml.safe_load(compose.render(components, "services", "t", refs, "offline", port_base=20000))
    for name, service in doc["services"].items():
        host_port = int(service["ports"][0].split(":")[1])
        assert host_port == topology.fixed_port(20000, name), name
    names = topology.port_names()
    assert len(names) == len(set(names))


def test_component_urls_are_written_once():
    inventory, order = topology.component("inventory-service"), topology.component("order-service")
    assert inventory.env["ORDER_SERVICE_URL"] == order.internal_url
    for stack in ("services", "bff"):
        assert [c for c in topology.stack(stack) if c in topology.SHOP] == list(topology.SHOP)
