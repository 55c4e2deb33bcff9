"""Wrong answers to 04's exercises (see wrongs.py), the sub-checks the grader must fail each
on, and forgeries that must earn nothing."""
from __future__ import annotations

import wrongs
from wrongs import Wrong

PUBLISH, READ_MODEL, TRACKER, QUIZ = "lab04_publish", "lab04_read_model", "lab04_tracker", "lab04_quiz"
CELLS = {PUBLISH: "lab04_publish_answer", READ_MODEL: "lab04_read_model_answer",
         TRACKER: "lab04_tracker_answer", QUIZ: "lab04_quiz_answer"}

TZ = '"timestamp": datetime.now(timezone.utc).isoformat(),'
KEYED = 'producer.send("orders", key=str(order["id"]), value=event)'
WRONG_PUBLISH = [
    Wrong("the-course-text-as-written", PUBLISH,  # what the course text does, made to run
          ((TZ, '"timestamp": datetime.utcnow().isoformat(),'), ('"event_id": uuid.uuid4().hex,\n', ""),
           (KEYED, 'producer.send("orders", value=event)'), ('key_serializer=lambda k: k.encode("utf-8"),\n', "")),
          ("a timezone-aware timestamp", "a new event_id per event", "keyed by the order id")),
    Wrong("total-as-text", PUBLISH, (('"total": order["total"],', '"total": str(order["total"]),'),),
          ("the course text's fields, with their types",)),
    Wrong("one-event-id-for-all", PUBLISH, (('"event_id": uuid.uuid4().hex,', '"event_id": EVENT_ID,'),
                                            ("def publish_order_created(order):", "EVENT_ID = uuid.uuid4().hex\n\n\ndef publish_order_created(order):")),
          ("a new event_id per event",)),
    Wrong("topic-typo", PUBLISH, ((KEYED, KEYED.replace('"orders"', '"order"')),),
          ("one record per call, on 'orders'", "processed by inventory-service")),
    Wrong("own-event-type", PUBLISH, (('"event_type": "order.created",', '"event_type": "OrderCreated",'),),
          ("the course text's fields, with their types", "processed by inventory-service")),
]
COUNT_ALL = ('    if event.get("event_type") != "order.created":\n        return\n', "")
DEDUP = ('        if seen.first() is not None:\n            return\n'
         '        db.execute(text("INSERT INTO seen_events VALUES (:id)"), {"id": event["event_id"]})\n')
IN_MEMORY = ("    with engine.begin() as db:  # the effect and the event's id commit together, or neither\n"
             "        seen = db.execute(text(\"SELECT 1 FROM seen_events WHERE event_id = :id\"), {\"id\": event[\"event_id\"]})\n"
             + DEDUP + '        db.execute(COUNT, {"user": event["user_id"], "total": event["total"]})')
WRONG_READ_MODEL = [
    Wrong("counts-every-event", READ_MODEL, (COUNT_ALL,), ("counts only order.created",)),
    Wrong("no-deduplication", READ_MODEL, ((DEDUP, ""),), ("a redelivered event counts once",)),
    Wrong("keeps-the-last-total", READ_MODEL, (("total = orders_per_user.total + :total", "total = :total"),),
          ("sums a user's totals",)),
    Wrong("counts-in-memory", READ_MODEL,  # a dict, written out after each event: lost on restart
          ((IN_MEMORY, "    if event[\"event_id\"] in SEEN:\n        return\n    SEEN.add(event[\"event_id\"])\n"
                       "    n, t = MEMORY.get(event[\"user_id\"], (0, 0.0))\n"
                       "    MEMORY[event[\"user_id\"]] = (n + 1, t + event[\"total\"])\n"
                       "    with engine.begin() as db:\n"
                       "        db.execute(text(\"REPLACE INTO orders_per_user VALUES (:u, :n, :t)\"),\n"
                       "                   {\"u\": event[\"user_id\"], \"n\": n + 1, \"t\": t + event[\"total\"]})"),
           ("def handle(event):", "MEMORY, SEEN = {}, set()\n\n\ndef handle(event):")),
          ("resumes after a restart, nothing lost or counted twice",)),
]
RANKED = "        if old is None or self.RANK[new] > self.RANK[old]:\n            self.statuses[order] = new\n"
WRONG_TRACKER = [
    Wrong("last-event-wins", TRACKER, ((RANKED, "        self.statuses[order] = new\n"),),
          ("a payment before its reservation ends paid", "a late order.created does not reset the status")),
    Wrong("no-deduplication-revenue-per-event", TRACKER,
          (('        if event["event_id"] in self.seen:\n            return\n', ""),
           ("self.paid[order] = event[\"amount\"]", "self.paid[order] = self.paid.get(order, 0) + event[\"amount\"]")),
          ("a duplicate changes nothing", "a retried payment counts once in revenue")),
    Wrong("revenue-per-payment-event", TRACKER,
          (("self.paid[order] = event[\"amount\"]", "self.paid[order] = self.paid.get(order, 0) + event[\"amount\"]"),),
          ("a retried payment counts once in revenue",)),
    Wrong("needs-order-created-first", TRACKER,
          ((RANKED, "        if old is None and new != \"pending\":\n            return\n" + RANKED),),
          ("a late order.created does not reset the status",)),
]
KEY = '{"user": "sync", "email": "async", "stock_page": "sync", "search_index": "async"}'
WRONG_QUIZ = [
    Wrong(f"quiz-{step}", QUIZ, ((f'"{step}": "{right}"', f'"{step}": "{other}"'),), (f"{step} is {right}",))
    for step, right, other in (("user", "sync", "async"), ("email", "async", "sync"),
                               ("stock_page", "sync", "async"), ("search_index", "async", "sync"))
]
WRONG = [*WRONG_PUBLISH, *WRONG_READ_MODEL, *WRONG_TRACKER, *WRONG_QUIZ]
PER_EXERCISE = [WRONG_PUBLISH, WRONG_READ_MODEL, WRONG_TRACKER, WRONG_QUIZ]

# Forgeries: each answer cell pretends instead of doing; all of them together must earn 0.
FORGED = {
    CELLS[PUBLISH]: ("def publish_order_created(order):\n    print('published', order['id'])\n"
                     "    return {'topic': 'orders', 'offset': 0}\n"),
    CELLS[READ_MODEL]: ("%%writefile orders_per_user.py\nimport os\nfrom sqlalchemy import create_engine, text\n"
                        "engine = create_engine(os.environ['DATABASE_URL'])\n"
                        "with engine.begin() as db:\n"
                        "    db.execute(text('CREATE TABLE IF NOT EXISTS orders_per_user (user_id INTEGER PRIMARY KEY, orders INTEGER, total REAL)'))\n"
                        "    db.execute(text('INSERT OR REPLACE INTO orders_per_user VALUES (1, 3, 30.0)'))\n\n"
                        "def handle(event):\n    pass\n"),
    CELLS[TRACKER]: ("class OrderTracker:\n    def handle(self, event):\n        pass\n\n"
                     "    def status(self, order_id):\n        return 'paid'\n\n    def revenue(self):\n        return 0\n"),
    CELLS[QUIZ]: 'SYNC_OR_ASYNC = "see my notes"\n',
}


def submissions(reference: dict[str, str]) -> dict[str, dict[str, str]]:
    return wrongs.grouped(PER_EXERCISE, reference, CELLS) | {"forged": FORGED}


def submission_of(wrong: Wrong) -> str:
    return wrongs.submission_of(wrong, PER_EXERCISE)
