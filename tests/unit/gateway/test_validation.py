"""Every validation message, with its field path and line, all reported at once."""

from microlab.gateway.validation import validate


HEAD = '_format_version: "3.0"\n'


def problems(text: str) -> list[tuple[str, int | None, str]]:
    return [(p.where, p.line, p.message) for p in validate(text).problems]


def test_the_default_and_bff_configs_are_valid():
    for name in ("kong.yml", "bff/web.yml", "bff/mobile.yml", "examples/course.yml"):
        from microlab.kinds.gateway import PACKAGE

        report = validate(PACKAGE / "gateway" / name)
        assert report.ok, str(report)


def test_missing_format_version_with_a_hint():
    report = validate("services: []\n")
    assert [(p.where, p.message) for p in report.problems] == [("_format_version", "required field missing")]
    assert "_format_version" in report.notes[0]


def test_format_version_one_of():
    assert problems('_format_version: "4.0"\n') == [
        ("_format_version", 1, "expected one of: 1.1, 2.1, 3.0")]


def test_course_text_example_without_format_version_lists_only_that():
    text = """services:
  - name: user-service
    url: http://user-service:8080
    routes:
      - name: users-route
        paths: ["/api/v1/users"]
    plugins:
      - name: rate-limiting
        config:
          minute: 100
      - name: jwt
        config:
          secret_is_base64: false
"""
    assert problems(text) == [("_format_version", 1, "required field missing")]


def test_every_problem_at_once_with_lines():
    text = HEAD + """services:
  - name: user-service
    url: ftp://user-service:8080
    colour: blue
    retries: many
    routes:
      - name: users
        paths: ["api/v1/users", "/a//b", "~/x(", "/ok"]
        methods: [get]
      - name: nothing-to-match
    plugins:
      - name: rate-limiting
        config: {minute: 100, hour: 50}
      - name: rate-limiting
        config: {limit_by: header, second: 1}
      - name: rate-limiting
        config: {policy: cluster, minute: 1}
      - name: rate-limiting
        config: {}
      - name: jwt
        config: {secret_is_base64: maybe, claims_to_verify: [iat], maximum_expiration: 10}
      - name: acl
routes:
  - name: orphan
    paths: [/orphan]
    service: svc1
consumers:
  - tags: [nobody]
  - username: ada
    jwt_secrets:
      - key: k
        algorithm: RS256
    plugins:
      - name: key-auth
unknown_thing: 1
"""
    got = problems(text)
    # four rate-limiting plugins on one service: the last three also repeat the first's scope
    repeated = [p for p in got if p[2].startswith("uniqueness violation: 'plugins'")]
    assert [p[0] for p in repeated] == [f"services[0].plugins[{i}]" for i in (1, 2, 3)]
    got = [p for p in got if p not in repeated]
    expected = [
        ("services[0].protocol", 4, "expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp"),
        ("services[0].colour", 5, "unknown field"),
        ("services[0].retries", 6, "expected an integer"),
        ("services[0].routes[0].paths[0]", 9, "should start with: / (fixed path) or ~/ (regex path)"),
        ("services[0].routes[0].paths[1]", 9, "must not have empty segments"),
        ("services[0].routes[0].methods[0]", 10, "invalid value: get"),
        ("services[0].routes[1]", 11, "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' "
                                      "when 'protocols' is 'https'"),
        ("services[0].plugins[0].config", 14,
         "The limit for hour(50.0) cannot be lower than the limit for minute(100.0)"),
        ("services[0].plugins[1].config", 16, "failed conditional validation given value of field 'config.limit_by'"),
        ("services[0].plugins[1].config.header_name", 16, "required field missing"),
        ("services[0].plugins[2].config.policy", 18, "expected one of: local, redis"),
        ("services[0].plugins[3].config", 20, "at least one of these fields must be non-empty: 'config.second', "
                                              "'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'"),
        ("services[0].plugins[4].config.secret_is_base64", 22, "expected a boolean"),
        ("services[0].plugins[4].config.claims_to_verify[0]", 22, "expected one of: exp, nbf"),
        ("services[0].plugins[4].config", 22, "failed conditional validation given value of field "
                                              "'config.maximum_expiration'"),
        ("services[0].plugins[4].config.claims_to_verify", 22, "expected to contain: exp"),
        ("services[0].plugins[5].name", 23, "plugin 'acl' not enabled; add it to the 'plugins' configuration property"),
        ("routes[0].service", 27, "invalid reference 'service: svc1' (no such entry in 'services')"),
        ("consumers[0]", 29, "at least one of these fields must be non-empty: 'custom_id', 'username'"),
        ("consumers[1].jwt_secrets[0]", 32, "failed conditional validation given value of field 'algorithm'"),
        ("consumers[1].jwt_secrets[0].rsa_public_key", 32, "required field missing"),
        ("consumers[1].plugins[0].consumer", 35, "value must be null"),
        ("unknown_thing", 36, "unknown field"),
    ]
    regex = [p for p in got if p[0] == "services[0].routes[0].paths[2]"]
    assert len(regex) == 1 and regex[0][2].startswith("invalid regex: '/x(' (PCRE returned: ")
    assert sorted(p for p in got if p not in regex) == sorted(expected)


def test_types_and_ranges():
    text = HEAD + """services:
  - name: s
    host: example.org
    port: 70000
    read_timeout: 0
    tags: web
    routes:
      - {name: r, paths: /one, strip_path: "yes"}
"""
    assert sorted(problems(text)) == sorted([
        ("services[0].port", 5, "value should be between 0 and 65535"),
        ("services[0].read_timeout", 6, "value should be between 1 and 2147483646"),
        ("services[0].tags", 7, "expected a set"),
        ("services[0].routes[0].paths", 9, "expected an array"),
        ("services[0].routes[0].strip_path", 9, "expected a boolean"),
    ])


def test_service_needs_a_host_and_names_are_unique():
    text = HEAD + """services:
  - name: same
  - name: same
    url: http://a:1
consumers:
  - username: ada
  - username: ada
"""
    got = problems(text)
    assert ("services[0].host", 3, "required field missing") in got
    assert ("services[1].name", 4, "uniqueness violation: 'services' entity with name set to 'same' already declared") in got
    assert ("consumers[1].username", 8, "uniqueness violation: 'consumers' entity with username set to 'ada' "
                                        "already declared") in got


def test_gt_and_number_types_in_plugin_config():
    text = HEAD + "plugins:\n  - name: rate-limiting\n    config: {minute: 0, second: \"5\"}\n"
    assert sorted(problems(text)) == sorted([
        ("plugins[0].config.minute", 4, "value must be greater than 0"),
        ("plugins[0].config.second", 4, "expected a number"),
    ])


def test_top_level_references_by_name_resolve():
    text = HEAD + """services: [{name: s, url: "http://a:1"}]
routes: [{name: r, paths: [/r], service: s}]
consumers: [{username: ada}]
keyauth_credentials: [{key: k1, consumer: ada}]
plugins:
  - {name: key-auth, route: r}
  - {name: rate-limiting, consumer: {username: ada}, config: {minute: 1}}
  - {name: cors, service: nope}
"""
    assert problems(text) == [("plugins[2].service", 9, "invalid reference 'service: nope' (no such entry in 'services')")]


def test_yaml_syntax_error_gives_line_and_column_not_a_traceback():
    report = validate(HEAD + "services:\n  - name: a\n    url: [http://x\n")
    [p] = report.problems
    assert p.line == 5 and p.column is not None
    assert p.message.startswith("failed parsing declarative configuration: ")
    assert str(p).startswith(f"line 5, column {p.column}: failed parsing")


def test_tabs_and_duplicate_keys_are_syntax_problems():
    [p] = validate(HEAD + "services:\n\t- name: a\n").problems
    assert p.line == 3
    [p] = validate(HEAD + "services: []\nservices: []\n").problems
    assert p.line == 3 and "duplicate key 'services'" in p.message


def test_not_a_mapping_and_missing_file(tmp_path):
    assert problems("- a\n- b\n") == [("", 1, "expected an input table")]
    report = validate(str(tmp_path / "nope.yml"))
    assert not report.ok and "no such file" in report.problems[0].message


def test_a_dict_validates_too():
    assert validate({"_format_version": "3.0", "services": []}).ok
    assert not validate({"services": []}).ok


def test_old_format_versions_turn_regex_looking_paths_into_regex():
    report = validate('_format_version: "1.1"\nroutes: [{name: r, paths: ["/users/\\\\d+"]}]\n')
    assert report.ok, str(report)
    assert report.tables["routes"][0].record["paths"] == ["~/users/\\d+"]


def test_report_text_lists_everything():
    text = str(validate("services: [{name: a, colour: red}]\n"))
    assert text.startswith("error parsing declarative config file <text>: ")
    assert "_format_version: required field missing" in text
    assert "services[0].colour: unknown field" in text


def test_route_hosts_wildcards_and_ports():
    text = HEAD + 'routes: [{name: r, hosts: ["a.example.org:8000", "*.x.org", "a.*.org", "*.x.*", "x.org:99999"]}]\n'
    assert problems(text) == [
        ("routes[0].hosts[2]", 2, "invalid wildcard: must be placed at leftmost or rightmost label"),
        ("routes[0].hosts[3]", 2, "invalid wildcard: must have at most one wildcard"),
        ("routes[0].hosts[4]", 2, "invalid port number"),
    ]
    assert problems(HEAD + "services: [{name: s, host: 'a.org:80'}]\n") == [
        ("services[0].host", 2, "must not have a port")]


def test_key_auth_key_names_must_be_header_names():
    text = HEAD + "plugins: [{name: key-auth, config: {key_names: ['api key', '']}}]\n"
    assert problems(text) == [
        ("plugins[0].config.key_names[0]", 2, "bad header name 'api key', allowed characters are A-Z, a-z, 0-9, '_', and '-'"),
        ("plugins[0].config.key_names[1]", 2, "no header name provided"),
    ]


def test_the_same_plugin_twice_on_one_scope_is_a_uniqueness_violation():
    report = validate(HEAD + """services:
  - name: s
    host: a
    plugins:
      - {name: rate-limiting, config: {minute: 1}}
      - {name: rate-limiting, config: {minute: 2}}
plugins:
  - {name: rate-limiting, config: {minute: 3}}
""")
    [p] = report.problems
    assert (p.where, p.line) == ("services[0].plugins[1]", 7)
    assert p.message.startswith("uniqueness violation: 'plugins' entity with primary key set to '")
    assert "declared twice" in report.notes[0]
