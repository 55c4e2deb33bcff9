"""What the authentication plugins share: the anonymous-consumer fallback."""
from __future__ import annotations

from microlab.gateway.exchange import Exchange, kong_error


def use_anonymous(ex: Exchange, shared, anonymous: str):
    """Kong's "logical OR": a failed login continues as the configured anonymous consumer."""
    config = shared.config
    consumer = config.consumers_by_id.get(anonymous) or config.consumers_by_username.get(anonymous)
    if consumer is None:
        message = f"anonymous consumer {anonymous} is configured but doesn't exist"
        return kong_error(500, message, ex.request_id)
    ex.consumer, ex.credential = consumer, None
    ex.identify(consumer)
    ex.drop_upstream.add("x-credential-identifier")
    ex.set_upstream["X-Anonymous-Consumer"] = "true"
    return None
