"""jwt and key-auth through a real gateway: every failure with Kong's exact body.
Tokens are made with PyJWT, never with the gateway's own code."""
import base64
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PRIVATE = _KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
PUBLIC = _KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
S256 = "ada-secret-which-is-long-enough-for-hs256"
S384 = "ada-secret-384-which-is-long-enough-for-hs384-ok-ok"
S512 = "ada-secret-512-which-is-long-enough-for-hs512-and-then-some-more-ok"
_PEM = "\n".join("          " + line for line in PUBLIC.strip().splitlines())

CONFIG = f"""
_format_version: "3.0"
services:
  - name: users
    url: http://echo:8080/users
    routes:
      - name: jwt-route
        paths: ["/jwt"]
        plugins:
          - name: jwt
      - name: jwt-claims
        paths: ["/claims"]
        plugins:
          - name: jwt
            config: {{claims_to_verify: [exp, nbf]}}
      - name: jwt-max
        paths: ["/max"]
        plugins:
          - name: jwt
            config: {{claims_to_verify: [exp], maximum_expiration: 60}}
      - name: key-route
        paths: ["/key"]
        plugins:
          - name: key-auth
      - name: key-hidden
        paths: ["/hidden"]
        plugins:
          - name: key-auth
            config: {{hide_credentials: true}}
consumers:
  - username: ada
    custom_id: user-1
    jwt_secrets:
      - {{key: ada-key, secret: {S256}}}
      - {{key: ada-384, secret: {S384}, algorithm: HS384}}
      - {{key: ada-512, secret: {S512}, algorithm: HS512}}
      - key: ada-rsa
        algorithm: RS256
        rsa_public_key: |
{_PEM}
    keyauth_credentials:
      - key: ada-api-key
"""


@pytest.fixture
def gw(module_gateway):
    return module_gateway


def token(claims: dict, key=S256, alg="HS256", headers=None) -> str:
    return jwt.encode(claims, key, algorithm=alg, headers=headers)


def now() -> int:
    return int(time.time())


def get(gw, path, **kw):
    return httpx.get(f"{gw.url}{path}", **kw)


def bearer(t: str) -> dict:
    return {"Authorization": f"Bearer {t}"}


def fails(r, body: dict, www='Bearer error="invalid_token"'):
    assert r.status_code == 401, r.text
    assert r.json() == body
    assert r.headers["WWW-Authenticate"] == www
    assert r.headers["Server"].startswith("kong/")


@pytest.mark.parametrize("alg,kid,secret", [("HS256", "ada-key", S256),
                                            ("HS384", "ada-384", S384),
                                            ("HS512", "ada-512", S512),
                                            ("RS256", "ada-rsa", PRIVATE)])
def test_valid_token_passes_with_consumer_headers(gw, alg, kid, secret):
    t = token({"iss": kid, "exp": now() + 60}, secret, alg)
    r = get(gw, "/jwt/1", headers=bearer(t))
    assert r.status_code == 200, r.text
    seen = r.json()["headers"]
    assert seen["X-Consumer-Username"] == "ada"
    assert seen["X-Consumer-Custom-ID"] == "user-1"
    assert seen["X-Credential-Identifier"] == kid
    assert len(seen["X-Consumer-ID"]) == 36


def test_token_in_query_and_lowercase_bearer(gw):
    t = token({"iss": "ada-key"})
    assert get(gw, f"/jwt?jwt={t}").status_code == 200
    assert get(gw, "/jwt", headers={"Authorization": f"bearer {t}"}).status_code == 200


def test_no_token(gw):
    fails(get(gw, "/jwt"), {"message": "Unauthorized"}, www="Bearer")


def test_multiple_tokens(gw):
    a, b = token({"iss": "ada-key", "n": 1}), token({"iss": "ada-key", "n": 2})
    fails(get(gw, f"/jwt?jwt={a}", headers=bearer(b)), {"message": "Multiple tokens provided"})


def test_bad_tokens(gw):
    fails(get(gw, "/jwt", headers=bearer("not-a-jwt")), {"message": "Bad token; invalid JSON"})
    unsigned = jwt.encode({"iss": "ada-key"}, None, algorithm="none")
    fails(get(gw, "/jwt", headers=bearer(unsigned)), {"message": "Bad token; invalid alg"})
    head = base64.urlsafe_b64encode(json.dumps({"alg": "HS256"}).encode()).rstrip(b"=").decode()
    null = base64.urlsafe_b64encode(b"null").rstrip(b"=").decode()
    fails(get(gw, "/jwt", headers=bearer(f"{head}.{null}.c2ln")), {"message": "Bad token; invalid claims"})


def test_key_claim_missing_empty_unknown(gw):
    fails(get(gw, "/jwt", headers=bearer(token({"sub": "x"}))), {"message": "No mandatory 'iss' in claims"})
    fails(get(gw, "/jwt", headers=bearer(token({"iss": ""}))), {"message": "Invalid 'iss' in claims"})
    fails(get(gw, "/jwt", headers=bearer(token({"iss": "who"}))),
          {"message": "No credentials found for given 'iss'"})


def test_algorithm_must_match_the_secret(gw):
    fails(get(gw, "/jwt", headers=bearer(token({"iss": "ada-key"}, S256, "HS512"))),
          {"message": "Invalid algorithm"})


def test_bad_signature(gw):
    fails(get(gw, "/jwt", headers=bearer(token({"iss": "ada-key"}, "wrong-secret-but-long-enough-for-hs256-ok"))),
          {"message": "Invalid signature"})


def test_exp_and_nbf_are_checked_only_when_listed(gw):
    expired = token({"iss": "ada-key", "exp": now() - 10})
    assert get(gw, "/jwt", headers=bearer(expired)).status_code == 200  # no claims_to_verify
    fails(get(gw, "/claims", headers=bearer(token({"iss": "ada-key", "exp": now() - 10, "nbf": now()}))),
          {"exp": "token expired"})
    fails(get(gw, "/claims", headers=bearer(token({"iss": "ada-key", "exp": now() + 60, "nbf": now() + 600}))),
          {"nbf": "token not valid yet"})
    fails(get(gw, "/claims", headers=bearer(token({"iss": "ada-key", "exp": "soon", "nbf": now()}))),
          {"exp": "must be a number"})
    fails(get(gw, "/claims", headers=bearer(token({"iss": "ada-key"}))),
          {"exp": "must be a number", "nbf": "must be a number"})


def test_maximum_expiration(gw):
    fails(get(gw, "/max", headers=bearer(token({"iss": "ada-key", "exp": now() + 3600}))),
          {"exp": "exceeds maximum allowed expiration"})
    assert get(gw, "/max", headers=bearer(token({"iss": "ada-key", "exp": now() + 30}))).status_code == 200


def key_fails(r, message):
    assert r.status_code == 401
    assert r.json()["message"] == message
    assert r.json()["request_id"] == r.headers["X-Kong-Request-Id"]
    assert r.headers["WWW-Authenticate"] == "Key"


def test_key_auth_failures(gw):
    key_fails(get(gw, "/key"), "No API key found in request")
    key_fails(get(gw, "/key", headers={"apikey": "nope"}), "Unauthorized")
    key_fails(get(gw, "/key?apikey=a&apikey=b"), "Duplicate API key found")
    key_fails(get(gw, "/key?apikey="), "No API key found in request")


def test_key_auth_header_or_query_and_hide_credentials(gw):
    r = get(gw, "/key/1", headers={"apikey": "ada-api-key"})
    assert r.status_code == 200
    assert r.json()["headers"]["apikey"] == "ada-api-key"
    assert r.json()["headers"]["X-Consumer-Username"] == "ada"
    assert get(gw, "/key/1?apikey=ada-api-key").json()["query"] == "apikey=ada-api-key"
    hidden = get(gw, "/hidden/1?apikey=ada-api-key&x=1", headers={"apikey": "ada-api-key"}).json()
    assert hidden["query"] == "x=1" and "apikey" not in hidden["headers"]
