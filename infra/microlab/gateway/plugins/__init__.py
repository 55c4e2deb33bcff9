"""The plugins the embedded gateway runs, by Kong name. Each module gives NAME, PRIORITY
(Kong's: higher runs first), NO_CONSUMER, CONFIG (a schema record) and Handler."""
from __future__ import annotations

from microlab.gateway.plugins import cors, jwt_auth, key_auth, rate_limiting

PLUGINS = {m.NAME: m for m in (cors, jwt_auth, key_auth, rate_limiting)}
