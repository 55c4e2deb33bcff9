"""What each component waits for before it starts (the backends' start graph)."""
from microlab import topology


def test_services_wait_only_for_the_services_they_call_and_never_for_the_broker():
    after = topology.start_after(topology.stack("services"))
    assert after["order-service"] == topology.ORDER.depends_on
    for name in ("kafka", "user-service", "inventory-service", "payment-service"):
        assert after[name] == ()
    assert not any(topology.KAFKA.name in deps for deps in after.values())


def test_a_gateway_waits_for_no_upstream():
    for stack in ("services", "bff"):
        components = topology.stack(stack)
        after = topology.start_after(components)
        for c in components:
            if c.kind == "gateway":
                assert c.depends_on and after[c.name] == ()


def test_dependencies_outside_the_set_are_not_waited_for():
    order_alone = topology.start_after((topology.ORDER,))
    assert order_alone == {"order-service": ()}
