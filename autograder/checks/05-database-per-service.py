"""The grader's checks for 05-database-per-service (instructor's course only; never in the handout).

Three exercises are code, judged against a "services" lab of the grader's own: the
reconciliation and the API composition run in fresh interpreters (the grader seeds and reads
the owners' databases itself), the compensator is deployed into that lab with lab.deploy
and watched through inventory-service's own database and request log. The compensation runs
last, so its consumer changes nothing the other two look at. The written design answer is
graded by hand (its rubric is in the source notebook). The checks are in the package lab05/.
"""
from __future__ import annotations

from microlab_grading import checkparts
from microlab_grading.exercise import Exercise

common, summary, reconcile, compensation = checkparts.load(__file__, "lab05", ("common", "summary", "reconcile", "compensation"))

EXERCISES = [
    Exercise("lab05_order_summary", cells=("lab05_order_summary_answer",), provided=common.PROVIDED,
             lab="services", timeout=30, checks=summary.CHECKS),
    Exercise("lab05_reconcile", cells=("lab05_order_summary_answer", "lab05_reconcile_answer"),
             provided=common.PROVIDED, lab="services", timeout=60, checks=reconcile.CHECKS),
    Exercise("lab05_compensation", cells=("lab05_compensation_answer",),
             provided=common.PROVIDED, lab="services", timeout=30, checks=compensation.CHECKS),
]
# Lines of the reference solutions that no student handout may contain.
SECRETS = [
    "response = requests.delete(f\"{INVENTORY_SERVICE}/reservations/{event['order_id']}\", timeout=5)",
    '"payment": payments[0]["status"] if payments else None}',
    'ok = stock != "reserved" and payment is None',
]
