import pytest



def test_create_then_get_user(make_client):
    c = make_client("user_service")
    created = c.post("/users", json={"name": "Ada", "email": "ada@example.org"})
    assert created.status_code == 201
    body = created.json()
    assert body == {"id": body["id"], "name": "Ada", "email": "ada@example.org"}
    assert c.get(f"/users/{body['id']}").json() == body


def test_unknown_user_is_404_with_json_error(make_client):
    c = make_client("user_service")
    r = c.get("/users/4242")
    assert r.status_code == 404
    assert r.json()["error"] == "user_id: user 4242 not found"


@pytest.mark.parametrize("payload, field", [
    ({"name": "", "email": "a@b.io"}, "name"),
    ({"name": "Ada", "email": "not-an-email"}, "email"),
    ({"email": "a@b.io"}, "name"),
])
def test_bad_input_names_the_field(make_client, payload, field):
    r = make_client("user_service").post("/users", json=payload)
    assert r.status_code == 422
    assert [f["field"] for f in r.json()["fields"]] == [field]
    assert r.json()["error"].startswith(f"{field}: ")


def test_malformed_json_is_a_4xx_naming_the_body(make_client):
    r = make_client("user_service").post("/users", content=b'{"name": "Ada",',
                                          headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert "malformed JSON" in r.json()["error"]


def test_duplicate_email_is_a_conflict(make_client):
    c = make_client("user_service")
    c.post("/users", json={"name": "Ada", "email": "ada@example.org"})
    r = c.post("/users", json={"name": "Ada 2", "email": "ada@example.org"})
    assert r.status_code == 409 and r.json()["error"].startswith("email:")


def test_request_id_is_kept_or_made(make_client):
    c = make_client("user_service")
    assert c.get("/health", headers={"X-Request-ID": "trace-1"}).headers["X-Request-ID"] == "trace-1"
    assert len(c.get("/health").headers["X-Request-ID"]) == 32


def test_health_and_openapi(make_client):
    c = make_client("user_service")
    assert c.get("/health").json() == {"status": "ok", "database": "ok"}
    assert "/users/{user_id}" in c.get("/openapi.json").json()["paths"]
