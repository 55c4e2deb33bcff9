"""key-auth (kong/plugins/key-auth): an API key from a header or the query string."""
from __future__ import annotations

from microlab.gateway import fields as t
from microlab.gateway.exchange import Exchange, kong_error
from microlab.gateway.plugins.common import use_anonymous
from microlab.gateway.schema import Field

NAME = "key-auth"
PRIORITY = 1250
NO_CONSUMER = True
NO_KEY = "No API key found in request"
DUPLICATE = "Duplicate API key found"
INVALID = "Unauthorized"  # Kong 3.6+ (before: "Invalid authentication credentials")

CONFIG = Field("record", fields={
    "key_names": Field("array", required=True, default=["apikey"],
                       elements=Field("string", check=t.check_header_name)),
    "hide_credentials": Field("boolean", required=True, default=False),
    "anonymous": Field("string"),
    "key_in_header": Field("boolean", required=True, default=True),
    "key_in_query": Field("boolean", required=True, default=True),
    "key_in_body": Field("boolean", required=True, default=False),
    "run_on_preflight": Field("boolean", required=True, default=True),
    "realm": Field("string"),
})


class Handler:
    def __init__(self, conf: dict, key: str, shared):
        self.conf, self.shared = conf, shared
        self.www = f'Key realm="{conf["realm"]}"' if conf.get("realm") else "Key"

    def access(self, ex: Exchange):
        if not self.conf["run_on_preflight"] and ex.method == "OPTIONS":
            return None
        anonymous = self.conf.get("anonymous")
        if anonymous and ex.credential is not None:
            return None
        reply = self.authenticate(ex)
        if reply is not None and anonymous:
            return use_anonymous(ex, self.shared, anonymous)
        return reply

    def authenticate(self, ex: Exchange):
        key = None
        for name in self.conf["key_names"]:
            values = ex.headers.getall(name, []) if self.conf["key_in_header"] else []
            if not values and self.conf["key_in_query"]:
                values = ex.query.getall(name, [])
            if len(values) > 1:
                return self._fail(ex, DUPLICATE)
            if values:
                key = values[0]
                if self.conf["hide_credentials"]:
                    ex.drop_query.add(name)
                    ex.drop_upstream.add(name.lower())
                break
        if not key:
            return self._fail(ex, NO_KEY)
        credential = self.shared.config.keyauth_credentials.get(key)
        if credential is None:
            return self._fail(ex, INVALID)
        ex.authenticate(self.shared.config.consumers_by_id.get(credential.consumer_id), credential)
        return None

    def _fail(self, ex: Exchange, message: str):
        return kong_error(401, message, ex.request_id, {"WWW-Authenticate": self.www})
