"""07-operating-microservices' support module (microlab.lessons.operations) against a real
local lab with Kafka: each demonstration's claim, measured, with expected values computed
from the topology, the formulas and the services' own request logs."""
from __future__ import annotations

import inspect
import re
import statistics
import time
import uuid

import httpx
import pytest
from matplotlib.figure import Figure

from labkit import owned_pids
from microlab import Lab, consistency, deployment, topology
from microlab.lessons import messaging
from microlab.lessons import operations as ops
from microlab.lessons import resilience_demo
from microlab.local.processes import alive

MAX_HOPS, ATTEMPTS, LAYERS, CALLS = 3, 3, 2, 3


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MICROLAB_HOME", str(tmp_path_factory.mktemp("home")))
        lab = Lab(backend="local", name=f"ops-{uuid.uuid4().hex[:6]}", quiet=True)
        try:
            lab.up("services")
            yield lab
        finally:
            pids = list(owned_pids(lab).values())
            lab.down()
        assert not [p for p in pids if alive(p)], "down left processes behind"


@pytest.fixture(scope="module")
def user_id(lab) -> int:
    return consistency.new_user(lab)


def deployed(lab) -> set[str]:
    return set(deployment.recorded(lab.name))


def user_service_answers_at_once(lab, user_id) -> bool:
    r = httpx.get(f"{lab.url('user-service')}/users/{user_id}", timeout=10)
    return r.status_code == 200 and r.elapsed.total_seconds() < 1


def test_every_hop_adds_latency_and_shows_in_the_timeline(lab, user_id):
    samples = ops.hop_chain(lab, max_hops=MAX_HOPS, n=40, user_id=user_id)
    assert sorted(samples) == list(range(MAX_HOPS + 1)) and {len(v) for v in samples.values()} == {40}
    medians = {k: statistics.median(v) for k, v in samples.items()}
    assert medians[MAX_HOPS] > 1.5 * medians[0], medians
    table = ops.hops_table(samples)
    assert [r["hops"] for r in table] == list(range(MAX_HOPS + 1))
    assert table.row(MAX_HOPS)["p99"] == round(ops.percentile(samples[MAX_HOPS], 0.99), 2)
    assert len(ops.plot_hops(samples).axes[0].lines) == 2

    rid = ops.hop_request(lab, MAX_HOPS, user_id)
    lanes = re.findall(rf"^\s+\+\d+ ms\s+\d+ ms\s+(\S+)", ops.timeline(lab, rid), re.M)
    assert lanes == [f"hop-{k}" for k in range(1, MAX_HOPS + 1)] + ["user-service"], lanes

    assert ops.remove_hops(lab) == [f"hop-{k}" for k in range(1, MAX_HOPS + 1)]
    assert not {n for n in deployed(lab) if n.startswith("hop-")}


def test_availability_compounds():
    table = ops.availability(0.995, up_to=12)
    assert [r["services"] for r in table] == list(range(1, 13))
    assert table.row(12)["availability"] == f"{0.995 ** 12:.4%}"
    assert table.row(1)["down per 30-day month"] == f"{0.005 * 30 * 24 * 60:.0f} min"
    fig = ops.plot_availability((0.999, 0.99), up_to=20)
    lines = fig.axes[0].lines
    assert len(lines) == 2
    assert list(lines[1].get_ydata()) == pytest.approx([100 * 0.99 ** n for n in range(1, 21)])


def test_what_to_run_counts_from_the_topology_and_the_lab(lab):
    table = ops.what_to_run(lab)
    mono, services = topology.STACKS["monolith"], topology.STACKS["services"]
    assert table.row("processes")["monolith"] == len(mono)
    assert table.row("processes")["services"] == len(services)
    assert table.row("HTTP services")["services"] == sum(c.kind == "service" for c in services)
    assert table.row("databases")["services"] == sum(c.database is not None for c in services)
    assert table.row("config files")["services"] == "1 gateway/kong.yml"
    from labs.inventory_service import eventflow as inventory
    from labs.order_service import eventflow as order
    from labs.payment_service import eventflow as payment

    groups = {m.messaging.group for m in (order, inventory, payment)} - {None}
    assert table.row("Kafka topics")["monolith"] == 0
    assert table.row("consumer groups")["services"] == len(groups)
    now = f"lab {lab.name} now"
    assert table.row("processes")[now] == len([r for r in lab.status() if r.state == "healthy"])
    assert table.row("Kafka topics")[now] == len(lab.topics())
    assert "bench/startup.py" in table.title


def test_a_slow_dependency_starves_the_naive_service_but_not_the_guarded_one(lab, user_id):
    ops.deploy_profiles(lab)
    try:
        load = {"clients": 40, "duration_s": 4, "slow_ms": 2000, "user_id": user_id}
        naive = ops.under_load(lab, "profile-naive", **load)
        guarded = ops.under_load(lab, "profile-guarded", **load)
    finally:
        ops.remove_profiles(lab)
    assert user_service_answers_at_once(lab, user_id), "the latency fault outlived under_load"
    assert naive.p("local", 0.95) > 5 * guarded.p("local", 0.95), f"{naive}\n{guarded}"
    assert naive.p("profile", 0.5) >= 2000 and naive.reached_user_service == len(naive.profile), str(naive)
    assert {s.status for s in guarded.profile} == {200} and all(s.degraded for s in guarded.profile)
    assert 1 <= guarded.reached_user_service <= len(guarded.profile) / 10, str(guarded)
    assert len(naive.local) == len(guarded.local) == round(4 / resilience_demo.PROBE_EVERY_S)
    assert "p95" in str(guarded) and len(ops.plot_load(naive, guarded).axes[0].lines) == 2
    assert not deployed(lab) & set(resilience_demo.PROFILES)


def test_retries_at_every_layer_multiply(lab, user_id):
    table = ops.retry_storm(lab, layers=LAYERS, attempts=ATTEMPTS, calls=CALLS)
    relays_only, with_client = table
    assert relays_only["reached user-service"] == relays_only["expected"] == CALLS * ATTEMPTS ** LAYERS, table
    assert with_client["reached user-service"] == with_client["expected"] == CALLS * ATTEMPTS ** (LAYERS + 1)
    assert not {n for n in deployed(lab) if n.startswith("retry-")}
    assert user_service_answers_at_once(lab, user_id), "the error fault outlived retry_storm"


def test_read_your_writes_sees_the_old_state_first(lab):
    text = ops.read_your_writes(lab)
    # the order moves only after inventory-service's event came back: its first read is always old
    first = r"^read at once \+\d+ ms: reservation (found|not there yet \(404\)), order 'pending'$"
    assert re.search(first, text, re.M), text
    assert re.search(r"ms: reservation found, order 'paid'$", text, re.M) and "converged" in text, text


def test_healthy_is_not_ready_while_a_consumer_lags(lab, user_id):
    table = ops.health_vs_readiness(lab)
    assert {r["service"] for r in table} == {c.name for c in topology.SHOP}
    assert {r["/health"] for r in table} == {"200"} and table.row("user-service")["consumer group"] == "-"
    if "consumer_paused" not in inspect.signature(lab.fault).parameters:
        pytest.skip("lab.fault has no consumer_paused here: the lagging half needs it")
    lab.fault("payment-service", consumer_paused=True)
    try:
        time.sleep(1.0)  # a poll already waiting when the pause came (up to 500 ms) may still take a batch
        order = consistency.place_order(lab, user_id)
        deadline = time.monotonic() + 20
        while lab.lag("payment-service", "inventory").total == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        row = ops.health_vs_readiness(lab).row("payment-service")
    finally:
        lab.fault("payment-service")
    assert row["/health"] == "200" and row["verdict"].startswith("healthy but not ready"), row
    assert messaging.wait_final(lab, [order["id"]], timeout=30)[order["id"]] == "paid"


def test_a_stopped_service_leaves_the_saga_waiting_until_it_is_back(lab):
    text = ops.stuck_saga(lab, orders=3, wait_s=2)
    waiting = re.findall(r"^  order (\d+): (\S+)\s+events: (.*)$", text, re.M)
    settled = dict(re.findall(r"^  order (\d+): (\S+)$", text, re.M))
    assert len(waiting) == 3 and settled.keys() == {oid for oid, _, _ in waiting}, text
    assert all(status not in messaging.FINAL for _, status, _ in waiting), text
    assert all("inventory.reserved" in events and "payment." not in events for _, _, events in waiting), text
    assert set(settled.values()) == {"paid"}, text
    assert re.search(r"has [1-9]\d* event\(s\) waiting on 'inventory'", text), text
    assert {r.name: r.state for r in lab.status()}["payment-service"] == "healthy"
