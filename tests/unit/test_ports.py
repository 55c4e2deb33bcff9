"""Free ports: a lab reserves all its ports before any component listens, so a port handed
out once must not be handed out again (the kernel's own pick repeats within a few thousand)."""
from microlab import ports


def test_a_port_is_handed_out_once_per_process():
    picked = [ports.free_port() for _ in range(3000)]
    assert len(set(picked)) == len(picked)


def test_ports_a_lab_holds_are_avoided():
    held = {ports.free_port() for _ in range(200)}
    ports._handed_out.difference_update(held)  # as if another process had picked them
    assert not held & {ports.free_port(avoid=held) for _ in range(2000)}
