"""04-async-messaging: events on Kafka, the saga, consumer groups, lag, at-least-once."""
import lab04_exercises as exercises
from nbbuild import Notebook


def notebook() -> Notebook:
    nb = Notebook("lab04")
    nb.md("""
    # 04 · Asynchronous messaging: events on Kafka

    **Learning objectives.** After this notebook you can
    - explain how an order moves through the shop with nobody calling anybody (a saga by
      choreography), and read its events on the broker;
    - publish an event with `kafka-python`, as the course text does, and say what a
      production version adds;
    - use topics, partitions, offsets and keys, consumer groups and lag;
    - show what temporal decoupling buys (a consumer can be down) and what at-least-once
      delivery costs (duplicates, poison messages), and write a consumer that copes.

    Everything runs against the real services and a real Apache Kafka broker on your machine.
    Time: about 60 minutes.
    """)
    nb.code("""
    import collections
    import uuid

    import httpx
    from microlab import Lab, plots
    from microlab.lessons import messaging as demo

    lab = Lab(name="lab04")
    lab.up("services")
    KAFKA_BOOTSTRAP = lab.kafka_bootstrap  # the course text writes kafka:9092: that is inside the lab
    lab.status()
    """, locked="setup")
    hook(nb)
    exercises.publish(nb)
    topics_and_keys(nb)
    groups(nb)
    exercises.read_model(nb)
    decoupling(nb)
    at_least_once(nb)
    exercises.tracker(nb)
    exercises.quiz(nb)
    nb.md("## Self-check")
    nb.code(f"""
    from microlab.selfcheck import summary
    summary({exercises.GRADED!r});
    """, locked="self_check")
    nb.md("## Cleanup")
    nb.code("""
    lab.down()
    """, locked="cleanup")
    nb.md("""
    ## Key takeaways

    - An event says what happened; whoever cares reacts. The producer does not know, wait for
      or depend on its consumers: they can be slow, down or new.
    - Kafka keeps events in partitioned, ordered logs. One key, one partition: one order's
      events stay in order. Offsets say where each consumer group is; lag, how far behind.
    - Delivery is at-least-once: consumers must be idempotent (apply an event once, by its
      id) and tolerate events arriving in an unexpected order, and must set bad events aside.
    - The price is eventual consistency: right after `POST /orders` the order is only
      `pending`. Use events where that is acceptable, synchronous calls where the caller
      needs the answer now.
    """)
    return nb


def hook(nb: Notebook) -> None:
    nb.md("""
    ## 1. Nobody calls anybody

    In 00 the new order said `pending`. Place one and watch it: its status changes by itself,
    because order-service published `order.created`, inventory-service reacted by reserving
    stock (`inventory.reserved`), payment-service by charging (`payment.completed`), and
    order-service by updating the order. That chain of local steps driven by events is a
    **saga by choreography**.
    """)
    nb.code("""
    order = demo.place_order(lab)
    print("POST /orders answered with status", repr(order["status"]))
    demo.watch(lab, order["id"])  # (ms after the POST, status) each time it changes
    """, locked="watch_one")
    nb.md("Five orders, each event as a marker at the time the broker stored it:")
    nb.code("""
    five = [demo.place_order(lab)["id"] for _ in range(5)]
    print(demo.wait_final(lab, five))
    plots.saga(demo.saga_events(lab, five))
    """, locked="saga_timeline")


def topics_and_keys(nb: Notebook) -> None:
    nb.md("""
    ## 2. Topics, partitions, offsets, keys

    A topic is split into partitions; each partition is an append-only log where every
    record gets the next **offset**. A record's **key** decides its partition (a hash), so
    every event keyed by the same order id lands in the same partition, in the order it was
    written. There is no order *between* partitions.
    """)
    nb.code("""
    print("topics:", lab.topics())
    lab.events("orders", limit=5)
    """, locked="topics")
    nb.code("""
    for row in demo.saga_events(lab, [five[0]]):
        print(f'{row["topic"]:<10} partition {row["partition"]} offset {row["offset"]:<4} '
              f'key {row["key"]}  {row["value"]["event_type"]}')
    """, locked="one_key")


def groups(nb: Notebook) -> None:
    nb.md("""
    ## 3. Consumer groups

    Consumers in one **group** share a topic's partitions: each partition goes to one member,
    so adding members spreads the work. A different group gets every record again, for its
    own purpose. `lab.deploy` runs a small consumer of your own as a lab component; here,
    two members of group `split` and one of group `all`, on a topic of our own:
    """)
    nb.code("""
    DEMO_TOPIC = f"demo-{uuid.uuid4().hex[:6]}"
    NOOP = "def handle(event):\\n    pass\\n"
    for name, group in (("split-a", "split"), ("split-b", "split"), ("sees-all", "all")):
        lab.deploy(name, NOOP, topic=DEMO_TOPIC, group=group)
    for i in range(12):
        demo.produce(lab, DEMO_TOPIC, {"event_type": "demo", "n": i}, key=f"customer-{i % 4}")
    demo.caught_up(lab, ["split", "all"], DEMO_TOPIC)
    """, locked="deploy_members")
    nb.code("""
    handled = demo.handled(lab, ["split-a", "split-b", "sees-all"])
    for name in ("split-a", "split-b", "sees-all"):
        mine = [r for r in handled if r["consumer"] == name]
        print(f"{name:<9} handled {len(mine):>2} records from partitions {sorted({r['partition'] for r in mine})}")
    """, locked="who_handled")
    nb.md("""
    A new group starts where `auto_offset_reset` says: `earliest` reads the whole log,
    `latest` only what arrives after it joined. Once a group has **committed** offsets it
    resumes from them; the distance to the end of each partition is its **lag**:
    """)
    nb.code("""
    print("a new group with earliest reads", demo.read_with_new_group(lab, DEMO_TOPIC, "earliest"), "records")
    print("a new group with latest reads  ", demo.read_with_new_group(lab, DEMO_TOPIC, "latest"), "records")
    lab.lag("split")
    """, locked="offsets")


def decoupling(nb: Notebook) -> None:
    nb.md("""
    ## 4. Temporal decoupling

    Stop payment-service and keep taking orders: order-service does not notice. The
    `inventory.reserved` events wait on the broker (payment-service's lag grows) and are
    handled when it is back.
    """)
    nb.code("""
    lab.stop("payment-service")
    waiting = [demo.place_order(lab)["id"] for _ in range(20)]
    grew = demo.sample_lag(lab, "payment-service", seconds=3)
    print(collections.Counter(demo.status_of(lab, oid) for oid in waiting))
    """, locked="payment_down")
    nb.code("""
    lab.up("services")
    drained = demo.sample_lag(lab, "payment-service", seconds=60, until_zero=True)
    print(collections.Counter(demo.wait_final(lab, waiting).values()))
    plots.lag(grew + drained)
    """, locked="payment_back")
    nb.md("""
    Now stop user-service instead. Placing an order *calls* it (order-service must know the
    user exists before it accepts the order): that call is synchronous, so the order fails at
    once. Events decouple in time; synchronous calls do not.
    """)
    nb.code("""
    customer = demo.new_customer(lab)
    lab.stop("user-service")
    try:
        demo.place_order(lab, user_id=customer)
    except httpx.HTTPStatusError as exc:
        print("POST /orders:", exc.response.status_code, exc.response.json())
    lab.up("services")
    """, locked="user_down")


def at_least_once(nb: Notebook) -> None:
    nb.md("""
    ## 5. At-least-once: duplicates and poison messages

    A consumer commits an offset *after* handling the record; if it dies in between, the
    record comes again. So every event may arrive twice. The shop's consumers store each
    event's id in the same transaction as its effect, and skip an id they have seen. Send an
    order's `order.created` again, exactly as it was:
    """)
    nb.code("""
    created = demo.saga_events(lab, [five[1]])[0]
    demo.produce(lab, "orders", created["value"], key=created["key"])
    demo.caught_up(lab, "inventory-service", "orders")
    [line for line in lab.logs("inventory-service", tail=80).splitlines() if "duplicate" in line][-1:]
    """, locked="duplicate")
    nb.md("""
    A record no consumer can use (not JSON, missing fields) must not stall the partition
    behind it: it is set aside with its reason (here on `events.rejected`) and the consumer
    moves on.
    """)
    nb.code("""
    demo.produce(lab, "orders", b"{this is not json", key="poison")
    demo.rejected(lab, "orders", key="poison")
    """, locked="poison")
