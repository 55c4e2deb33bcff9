"""The Docker backend's pure parts, without an engine: container specs, names, the
compose file, and a clear error when no engine answers."""
from __future__ import annotations


import pytest
import yaml

from microlab.docker import compose, images, specs
from microlab.topology import all_components, stack



def _specs(image_set: str = "offline"):
    ctx = specs.SpecContext("t", image_set, all_components())
    return {s.name: s for s in specs.specs_for(stack("services"), ctx)}


def test_every_service_gets_its_own_database_and_nothing_else():
    found = _specs()
    for c in stack("services"):
        if c.database is None:
            continue
        env = found[c.name].env
        assert env["DATABASE_URL"] == (f"postgresql+psycopg://{c.database.user}:{c.database.password}"
                                       f"@{c.database.name}:5432/{c.database.db}")
        assert c.database.name in found[c.name].depends_on
        db = found[c.database.name]
        assert (db.env["POSTGRES_USER"], db.env["POSTGRES_DB"]) == (c.database.user, c.database.db)


def test_containers_address_each_other_by_name_as_in_the_course_text():
    order = _specs()["order-service"]
    assert order.env["USER_SERVICE_URL"] == "http://user-service:8080"
    assert order.command[:3] == ["python", "-m", "uvicorn"] and "0.0.0.0" in order.command


def test_kafka_advertises_its_name_inside_and_the_host_port_outside():
    for image_set in ("offline", "official"):
        kafka = _specs(image_set)["kafka"]
        text = " ".join(kafka.env.values())
        assert "PLAINTEXT://kafka:9092" in text and "HOST://127.0.0.1:{host_port}" in text


def test_the_gateway_is_kong_with_internet_and_embedded_offline():
    assert "embedded gateway" in _specs("offline")["gateway"].detail
    official = _specs("official")["gateway"]
    assert official.env["KONG_DATABASE"] == "off" and official.role == "gateway"


@pytest.mark.parametrize("backend", ["local", "docker"])
def test_lab_names_are_checked_once_for_every_backend(backend):
    from microlab import Lab, LabError

    for bad in ("my lab", "../elsewhere", "-x", ""):
        with pytest.raises(LabError, match="letters, digits"):
            Lab(backend=backend, name=bad, quiet=True)
    assert Lab(backend=backend, name="lab-01.a_b", quiet=True).name == "lab-01.a_b"


def test_compose_file_has_health_checks_healthy_dependencies_and_local_ports():
    refs = images.planned_refs(specs.roles_for(stack("services")), "offline")
    doc = yaml.safe_load(compose.render(stack("services"), "services", "default", refs, "offline",
                                        built=False))
    services = doc["services"]
    assert services["order-service"]["depends_on"]["user-service"] == {"condition": "service_healthy"}
    assert services["order-service"]["depends_on"]["order-db"] == {"condition": "service_healthy"}
    assert all(s["healthcheck"]["test"] for s in services.values())
    assert all(p.startswith("127.0.0.1:") for s in services.values() for p in s["ports"])
    assert "{host_port}" not in yaml.safe_dump(doc)


def test_without_an_engine_the_docker_backend_says_what_to_do(tmp_path, monkeypatch):
    from microlab import Lab, LabError
    from microlab.docker import engine

    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    monkeypatch.setattr(engine, "_client", None)
    with pytest.raises(LabError, match="the Docker backend needs an engine: no Docker engine is running"):
        Lab(backend="docker", name="x", quiet=True).up("monolith")


def test_the_single_node_settings_are_one_table_rendered_two_ways():
    from microlab.broker import config
    from microlab.kinds import broker

    bind, advertised = broker.listeners(9092, "kafka", "{host_port}")
    env = _specs("official")["kafka"].env
    for key, value in config.properties(broker.OFFICIAL_DATA, bind, advertised).items():
        assert env[f"KAFKA_{key.upper().replace('.', '_')}"] == value
    offline = _specs("offline")["kafka"].env["KAFKA_SERVER_PROPERTIES"]
    for key, value in config.SINGLE_NODE.items():
        assert f"\n{key}={value}\n" in offline
