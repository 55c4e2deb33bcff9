"""The grader's checks for 06-api-gateway (instructor's course only; never in the handout).

Every exercise is judged on a "gateways" lab of the grader's own (the four services, three
gateways, no broker): the student's configs are applied to the grader's gateways and probed
with limits, keys and secrets the student could not know; the tokens are used on a gateway
the grader configured; the aggregating BFF is deployed behind the grader's mobile gateway,
and the services' own request logs say what reached them. The checks are in lab06/.
"""
from __future__ import annotations

from microlab_grading import checkparts
from microlab_grading.exercise import Exercise

common, config, tokens, mobile, home = checkparts.load(__file__, "lab06", ("common", "config", "tokens", "mobile", "home"))

EXERCISES = [
    Exercise("lab06_gateway_config", cells=("lab06_gateway_config_answer",), provided=common.PROVIDED,
             lab=common.LAB, timeout=20, checks=config.CHECKS),
    Exercise("lab06_make_token", cells=("lab06_make_token_answer",), provided=common.PROVIDED,
             lab=common.LAB, timeout=20, checks=tokens.CHECKS),
    Exercise("lab06_mobile_surface", cells=("lab06_mobile_surface_answer",), provided=common.PROVIDED,
             lab=common.LAB, timeout=20, checks=mobile.CHECKS),
    Exercise("lab06_home_bff", cells=("lab06_home_bff_answer",), provided=common.PROVIDED,
             lab=common.LAB, timeout=20, checks=home.CHECKS),
]
# Lines of the reference solutions that no student handout may contain.
SECRETS = [
    "second: {ORDERS_PER_SECOND}",
    'return jwt.encode({"iss": key, "iat": now, "exp": now + int(ttl)}, secret, algorithm="HS256")',
    'url: http://mobile-bff:8080/home',
    '"in_stock": [item["sku"] for item in stock.json() if item["stock"] > 0]}',
]
