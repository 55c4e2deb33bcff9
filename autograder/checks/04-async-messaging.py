"""The grader's checks for 04-async-messaging (instructor's course only; never in the handout).

Exercise 1 runs the student's publisher in a fresh interpreter against the grader's own broker
and reads what reached it; exercise 2 deploys the student's consumer into the grader's own lab
and reads its database and its group's offsets; exercise 3 replays the grader's histories
through the student's tracker; exercise 4 is data. The checks are in lab04/ beside this file.
"""
from __future__ import annotations

from microlab_grading import checkparts
from microlab_grading.exercise import Exercise

common, publish, readmodel, tracker, quiz = checkparts.load(__file__, "lab04", ("common", "publish", "readmodel", "tracker", "quiz"))

EXERCISES = [
    Exercise("lab04_publish", cells=("lab04_publish_answer",), provided=common.PROVIDED, lab="services",
             timeout=40, checks=publish.CHECKS),
    Exercise("lab04_read_model", cells=("lab04_read_model_answer",), lab="services", timeout=30,
             checks=readmodel.CHECKS),
    Exercise("lab04_tracker", cells=("lab04_tracker_answer",), provided=tracker.PROVIDED, timeout=20,
             checks=tracker.CHECKS),
    Exercise("lab04_quiz", cells=("lab04_quiz_answer",), answers=("SYNC_OR_ASYNC",), timeout=15,
             checks=quiz.CHECKS),
]
# Lines of the reference solutions that no student handout may contain.
SECRETS = [
    'producer.send("orders", key=str(order["id"]), value=event)',
    '"DO UPDATE SET orders = orders_per_user.orders + 1, total = orders_per_user.total + :total")',
    "self.statuses, self.paid, self.seen = {}, {}, set()",
    'SYNC_OR_ASYNC = {"user": "sync", "email": "async", "stock_page": "sync", "search_index": "async"}',
]
