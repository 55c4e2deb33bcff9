"""Synchronous calls to the services order-service depends on, with timeouts.

Every failure of a dependency becomes `Unavailable` (503 to our caller, with the reason),
never a 500 traceback; an answer that says "no such thing" becomes the caller's 422.

An order's checks go out at once: the price of each line is asked from inventory-service
on a small pool while this thread asks user-service, so a POST waits for the slowest call,
not for their sum. The answers are still read in the order a reader expects: an unknown
user is the error even when a sku is unknown too.

One connection pool (requestid.ServiceCalls), made at import and shared by every request: it
keeps keep-alive connections per target (a new TCP connection per call cost about as much as
the call itself on 127.0.0.1), and reads no proxy settings (the targets are the lab's own
services).
"""
from __future__ import annotations

import contextvars
import os
from concurrent.futures import ThreadPoolExecutor

from urllib3.exceptions import HTTPError, NewConnectionError, TimeoutError

from labs.common import faults
from labs.common.errors import Invalid, Unavailable
from labs.common.money import to_cents
from labs.common.requestid import Answer, ServiceCalls
from labs.order_service.schemas import ItemPrice

_http = ServiceCalls()
_lookups = ThreadPoolExecutor(max_workers=8, thread_name_prefix="price-lookup")


def _timeout() -> float:
    return float(os.environ.get("UPSTREAM_TIMEOUT_S", "2"))


def _get(service: str, base: str, path: str) -> Answer:
    faults.outgoing(service, _timeout())  # lab.fault(..., edge=service)
    try:
        response = _http.get(f"{base}{path}", timeout=_timeout())
    except NewConnectionError:  # before TimeoutError: urllib3 makes it a kind of connect timeout
        raise Unavailable(f"{service} is unavailable (no connection to {base}); try again later") from None
    except TimeoutError:
        raise Unavailable(f"{service} did not answer within {_timeout():g} s") from None
    except HTTPError:
        raise Unavailable(f"{service} is unavailable (no connection to {base}); try again later") from None
    if response.status_code >= 500:
        raise Unavailable(f"{service} answered {response.status_code}; try again later")
    return response


def user_exists(user_id: int) -> bool:
    base = os.environ.get("USER_SERVICE_URL", "http://user-service:8080")
    response = _get("user-service", base, f"/users/{user_id}")
    if response.status_code == 404:
        return False
    _expect_ok("user-service", response)
    return True


def unit_price_cents(index: int, sku: str) -> int:
    base = os.environ.get("INVENTORY_SERVICE_URL", "http://inventory-service:8080")
    response = _get("inventory-service", base, f"/inventory/{sku}")
    if response.status_code == 404:
        raise Invalid(f"items.{index}.sku: unknown sku {sku!r}")
    _expect_ok("inventory-service", response)
    return to_cents(ItemPrice.model_validate(response.json()).price)


def _expect_ok(service: str, response: Answer) -> None:
    if response.status_code != 200:  # a 4xx other than 404: a broken contract, not the caller's input
        raise Unavailable(f"{service} answered {response.status_code}; try again later")


def checked_prices(user_id: int, skus: list[str]) -> list[int]:
    """Each line's unit price in cents, once user-service says `user_id` exists; Invalid
    (422) for an unknown user or sku, Unavailable (503) when a service cannot answer."""
    # each lookup runs in a copy of this request's context: it sends the same request id
    lookups = [_lookups.submit(contextvars.copy_context().run, unit_price_cents, i, sku)
               for i, sku in enumerate(skus)]
    if not user_exists(user_id):
        raise Invalid(f"user_id: user {user_id} does not exist")
    return [lookup.result() for lookup in lookups]
