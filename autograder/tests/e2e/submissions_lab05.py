"""Wrong answers to 05's exercises, each the reference answer with a plausible mistake, and
the sub-checks the grader must fail it on; and forgeries, which must earn nothing. Wrong
answers to different exercises are handed in together (the judge runs each exercise's own
cells), so 05's gradings stay few."""
from __future__ import annotations

import wrongs
from wrongs import Wrong

COMPENSATION, SUMMARY, RECONCILE = "lab05_compensation", "lab05_order_summary", "lab05_reconcile"
CELLS = {COMPENSATION: "lab05_compensation_answer", SUMMARY: "lab05_order_summary_answer",
         RECONCILE: "lab05_reconcile_answer"}


FILTER = '    if event.get("event_type") != "payment.failed":\n        return  # payment.completed: the order keeps its stock\n'
NOT_FOUND = ("    if response.status_code == 404:\n"
             "        return  # nothing reserved for that order: nothing to give back\n")
WRONG_COMPENSATION = [
    Wrong("releases-on-every-payment-event", COMPENSATION, ((FILTER, ""),), ("a paid order keeps its reservation",)),
    Wrong("raises-on-404", COMPENSATION, ((NOT_FOUND, ""),), ("a failure for an order never reserved is skipped",)),
    # "old events are replays": drops what arrived while it was stopped
    Wrong("skips-events-from-before-its-start", COMPENSATION,
          (("def handle(event):", "import time\nSTARTED = time.time()\n\n\ndef handle(event):"),
           (FILTER, FILTER + "    from datetime import datetime, timezone\n"
            "    sent = datetime.fromisoformat(event['timestamp']).replace(tzinfo=timezone.utc).timestamp()\n"
            "    if sent < STARTED:\n        return  # an old event: it must be a replay\n")),
          ("failures while it was stopped are compensated after a restart",)),
    Wrong("only-card-limit-failures", COMPENSATION,
          ((FILTER, FILTER + '    if "card limit" not in event.get("reason", ""):\n        return\n'),),
          ("a failure for another reason is compensated too",)),
]
HEADERS = 'headers = {"X-Request-ID": request_id}'
HELD = "    if held.status_code != 404:\n        held.raise_for_status()\n"
WRONG_SUMMARY = [
    Wrong("no-request-id", SUMMARY, ((HEADERS, "headers = {}"),), ("the request id reaches all three services",)),
    Wrong("unknown-order-raises", SUMMARY, (("    if found.status_code == 404:\n        return None\n", ""),),
          ("an unknown order gives None",)),
    # it raises before asking payment-service, so that call's request id never gets there either
    Wrong("no-reservation-raises", SUMMARY, ((HELD, "    held.raise_for_status()\n"),),
          ("a rejected order's summary", "the request id reaches all three services")),
    Wrong("payment-list-as-is", SUMMARY,
          (('"payment": payments[0]["status"] if payments else None}', '"payment": payments}'),),
          ("a paid order's summary", "a failed payment's summary", "a rejected order's summary")),
]
PAID = 'ok = stock == "reserved" and payment == "completed"'
FAILED = 'ok = stock != "reserved" and payment == "failed"'
REJECTED = 'ok = stock != "reserved" and payment is None'
WRONG_RECONCILE = [
    Wrong("ignores-payments", RECONCILE,
          ((PAID, 'ok = stock == "reserved"'), (FAILED, 'ok = stock != "reserved"'), (REJECTED, 'ok = stock != "reserved"')),
          ("finds a paid order without its payment", "finds a rejected order that was charged")),
    Wrong("ignores-reservations", RECONCILE, ((PAID, 'ok = payment == "completed"'), (FAILED, 'ok = payment == "failed"')),
          ("finds a paid order whose stock was released", "finds a failed payment still holding stock")),
    Wrong("flags-every-failed-payment", RECONCILE, ((FAILED, "ok = False"),), ("finds a failed payment still holding stock",)),
    Wrong("skips-rejected-orders", RECONCILE, (('== "rejected":', '== "cancelled":'),),
          ("finds a rejected order that was charged",)),
]
WRONG = [*WRONG_COMPENSATION, *WRONG_SUMMARY, *WRONG_RECONCILE]

# Forgeries: each earns 0 for its exercise.
WRITES_INVENTORY_DB = """COMPENSATOR = '''
import os, sqlite3
from pathlib import Path

# inventory-service's database file sits beside this component's own (the local backend);
# looked for on each event, so the forger starts and its handle() fails (the judge hides the file)
mine = Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///"))


def handle(event):
    if event.get("event_type") != "payment.failed":
        return
    theirs = next(mine.parent.parent.glob("inventory-service/*.sqlite3"))
    with sqlite3.connect(theirs, timeout=30) as db:
        held = db.execute("SELECT status FROM reservations WHERE order_id = ?", (event["order_id"],)).fetchone()
        if held and held[0] == "reserved":
            for sku, quantity in db.execute("SELECT sku, quantity FROM reservation_lines WHERE order_id = ?",
                                            (event["order_id"],)).fetchall():
                db.execute("UPDATE items SET stock = stock + ? WHERE sku = ?", (quantity, sku))
            db.execute("UPDATE reservations SET status = 'released' WHERE order_id = ?", (event["order_id"],))
'''
"""
HARD_CODED_SUMMARY = '''def order_summary(order_id, request_id):
    return {"order_id": order_id, "user_id": 1, "status": "paid", "total": 12.5,
            "reservation": "reserved", "payment": "completed"}
'''
REPORTS_EVERYTHING = '''def find_inconsistent(order_ids):
    return list(order_ids)
'''
FORGERIES = {"forged": {CELLS[COMPENSATION]: WRITES_INVENTORY_DB, CELLS[SUMMARY]: HARD_CODED_SUMMARY,
                        CELLS[RECONCILE]: REPORTS_EVERYTHING}}


PER_EXERCISE = [WRONG_COMPENSATION, WRONG_SUMMARY, WRONG_RECONCILE]


def submissions(reference: dict[str, str]) -> dict[str, dict[str, str]]:
    return wrongs.grouped(PER_EXERCISE, reference, CELLS) | FORGERIES


def submission_of(wrong: Wrong) -> str:
    return wrongs.submission_of(wrong, PER_EXERCISE)
