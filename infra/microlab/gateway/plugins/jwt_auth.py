"""jwt (kong/plugins/jwt): the checks run in Kong's order, each failure with Kong's body.

Order: find tokens -> decode -> key claim -> credential -> header alg equals the
credential's algorithm -> signature -> claims_to_verify -> maximum_expiration.
"alg": "none" is not an algorithm Kong knows, so it fails as "Bad token; invalid alg".
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re

from microlab.gateway.exchange import Exchange, kong_exit
from microlab.gateway.plugins.common import use_anonymous
from microlab.gateway.entities import JWT_ALGORITHMS
from microlab.gateway.schema import Field

NAME = "jwt"
PRIORITY = 1450
NO_CONSUMER = True
_BEARER = re.compile(r"\s*[Bb]earer\s+(.+)")
_HMAC = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
_ASYMMETRIC: dict = {}  # PyJWT's RSA/EC/PSS/EdDSA primitives, loaded on first use (start-up time)


def _check(conf: dict) -> list[tuple[tuple, str]]:
    maximum = conf.get("maximum_expiration")
    claims = conf.get("claims_to_verify") or []
    if isinstance(maximum, (int, float)) and maximum > 0 and "exp" not in claims:
        return [((), "failed conditional validation given value of field 'config.maximum_expiration'"),
                (("claims_to_verify",), "expected to contain: exp")]
    return []


CONFIG = Field("record", fields={
    "uri_param_names": Field("set", elements=Field("string"), default=["jwt"]),
    "cookie_names": Field("set", elements=Field("string"), default=[]),
    "key_claim_name": Field("string", default="iss"),
    "secret_is_base64": Field("boolean", required=True, default=False),
    "claims_to_verify": Field("set", elements=Field("string", one_of=("exp", "nbf"))),
    "anonymous": Field("string"),
    "run_on_preflight": Field("boolean", required=True, default=True),
    "maximum_expiration": Field("number", default=0, between=(0, 31536000)),
    "header_names": Field("set", elements=Field("string"), default=["authorization"]),
    "realm": Field("string"),
}, record_check=_check)


def b64url_decode(part: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return None


class BadToken(Exception):
    pass


def decode(token: str):
    """(header, claims, signature, signing_input) or BadToken with Kong's reason."""
    parts = token.split(".", 2)
    if len(parts) < 3:
        raise BadToken("invalid JSON")
    try:
        header = json.loads(b64url_decode(parts[0]) or b"!")
        claims = json.loads(b64url_decode(parts[1]) or b"!")
    except (ValueError, UnicodeDecodeError):
        raise BadToken("invalid JSON") from None
    if not isinstance(header, dict):
        raise BadToken("invalid JSON")
    if not isinstance(header.get("alg"), str) or header["alg"] not in JWT_ALGORITHMS:
        raise BadToken("invalid alg")
    if claims is None:
        raise BadToken("invalid claims")
    signature = b64url_decode(parts[2])
    if signature is None:
        raise BadToken("invalid signature")
    return header, (claims if isinstance(claims, dict) else {}), signature, f"{parts[0]}.{parts[1]}"


def verify_signature(alg: str, signing_input: str, signature: bytes, key: bytes | str) -> bool:
    data = signing_input.encode()
    if alg in _HMAC:
        key = key.encode() if isinstance(key, str) else key
        return hmac.compare_digest(hmac.new(key, data, _HMAC[alg]).digest(), signature)
    if not _ASYMMETRIC:
        from jwt.algorithms import get_default_algorithms

        _ASYMMETRIC.update(get_default_algorithms())
    algorithm = _ASYMMETRIC.get(alg)
    if algorithm is None:
        return False
    try:
        return algorithm.verify(data, algorithm.prepare_key(key), signature)
    except Exception:  # a key that does not fit the algorithm simply fails to verify
        return False


class Handler:
    def __init__(self, conf: dict, key: str, shared):
        self.conf, self.shared = conf, shared
        bearer = f'Bearer realm="{conf["realm"]}"' if conf.get("realm") else "Bearer"
        self.www_plain = bearer
        self.www_error = bearer + (', error="invalid_token"' if conf.get("realm") else ' error="invalid_token"')

    def tokens(self, ex: Exchange) -> list[str]:
        found: dict[str, None] = {}
        for name in self.conf["uri_param_names"]:
            for value in ex.query.getall(name, []):
                if value:
                    found[value] = None
        cookies = _cookies(ex.headers.get("Cookie", ""))
        for name in self.conf["cookie_names"]:
            if cookies.get(name):
                found[cookies[name]] = None
        for name in self.conf["header_names"]:
            value = ex.headers.get(name)
            if value:
                match = _BEARER.search(value)
                if match and match.group(1):
                    found[match.group(1)] = None
        return list(found)

    def fail(self, message: str | None, errors: dict | None = None, plain: bool = False):
        www = self.www_plain if plain else self.www_error
        return kong_exit(401, errors or {"message": message}, {"WWW-Authenticate": www})

    def access(self, ex: Exchange):
        if not self.conf["run_on_preflight"] and ex.method == "OPTIONS":
            return None
        anonymous = self.conf.get("anonymous")
        if anonymous and ex.credential is not None:
            return None  # already logged in by another plugin
        reply, found = self.authenticate(ex)
        if reply is None:
            ex.authenticate(*found)
            return None
        return use_anonymous(ex, self.shared, anonymous) if anonymous else reply

    def authenticate(self, ex: Exchange):
        tokens = self.tokens(ex)
        if not tokens:
            return self.fail("Unauthorized", plain=True), None
        if len(tokens) > 1:
            return self.fail("Multiple tokens provided"), None
        try:
            header, claims, signature, signing_input = decode(tokens[0])
        except BadToken as exc:
            return self.fail(f"Bad token; {exc}"), None
        claim = self.conf["key_claim_name"]
        key = claims.get(claim) if claims.get(claim) is not None else header.get(claim)
        if key is None:
            return self.fail(f"No mandatory '{claim}' in claims"), None
        if key == "":
            return self.fail(f"Invalid '{claim}' in claims"), None
        secret = self.shared.config.jwt_secrets.get(str(key)) if isinstance(key, str) else None
        if secret is None:
            return self.fail(f"No credentials found for given '{claim}'"), None
        if header["alg"] != secret.algorithm:
            return self.fail("Invalid algorithm"), None
        if secret.algorithm.startswith("HS"):
            value = secret.secret
            if self.conf["secret_is_base64"]:
                value = b64url_decode(value.replace("+", "-").replace("/", "_").rstrip("="))
        else:
            value = secret.rsa_public_key
        if not value:
            return self.fail("Invalid key/secret"), None
        if not verify_signature(header["alg"], signing_input, signature, value):
            return self.fail("Invalid signature"), None
        now = int(self.shared.counters.clock())
        errors = verify_claims(claims, self.conf.get("claims_to_verify") or [], now)
        if errors:
            return self.fail(None, errors), None
        maximum = self.conf.get("maximum_expiration") or 0
        if maximum > 0:
            exp = claims.get("exp")
            if not isinstance(exp, (int, float)) or isinstance(exp, bool) or exp - now > maximum:
                return self.fail(None, {"exp": "exceeds maximum allowed expiration"}), None
        consumer = self.shared.config.consumers_by_id.get(secret.consumer_id)
        return None, (consumer, secret)


def verify_claims(claims: dict, names: list[str], now: int) -> dict:
    errors: dict[str, str] = {}
    for name in names:
        value = claims.get(name)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            errors[name] = "must be a number"
        elif name == "exp" and value <= now:
            errors[name] = "token expired"
        elif name == "nbf" and value > now:
            errors[name] = "token not valid yet"
    return errors


def _cookies(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            out.setdefault(name, value)
    return out
