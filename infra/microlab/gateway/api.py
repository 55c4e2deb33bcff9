"""`lab.gateway`: validate a kong.yml, hot-apply it to a running gateway, find its URL.

    lab.gateway.validate("kong.yml")           # a Report listing every problem (no lab needed)
    lab.gateway.apply("kong.yml")              # path, YAML text or dict; invalid -> refused
    lab.gateway("mobile-gateway").apply(...)   # another gateway of the topology (BFF)

apply talks to the gateway's admin listener with Kong's DB-less `POST /config`, so the
same call works against real Kong in the Docker backend.
"""
from __future__ import annotations

import httpx

from microlab import admintoken, localhttp, topology
from microlab.errors import LabError
from microlab.gateway.validation import Report, read, syntax_report, validate_source
from microlab.gateway.source import SourceError


class GatewayConfigError(LabError):
    """The config was refused; `.report` lists every problem. The old config still runs."""

    def __init__(self, report: Report, prefix: str = ""):
        super().__init__(prefix + str(report))
        self.report = report


class Gateway:
    def __init__(self, lab, name: str = "gateway"):
        component = topology.component(name)
        if component.kind != "gateway":
            raise LabError(f"{name} is a {component.kind}, not a gateway; gateways: "
                           + ", ".join(n for n, c in topology.all_components().items() if c.kind == "gateway"))
        self.lab, self.name = lab, name

    def __call__(self, name: str) -> "Gateway":
        return Gateway(self.lab, name)

    def __repr__(self) -> str:
        return f"<gateway {self.name!r} of {self.lab!r}>"

    @property
    def url(self) -> str:
        return self.lab.url(self.name)

    @property
    def admin_url(self) -> str:
        host, port = self.lab.backend.admin_address(self.name)
        return f"http://{host}:{port}"

    @staticmethod
    def validate(config) -> Report:
        """Every problem in `config` (path, YAML text or dict), with field paths and lines."""
        from microlab.gateway.validation import validate

        return validate(config)

    def apply(self, config) -> Report:
        """Load `config` into the running gateway at once; refuse it (raise, keeping the old
        one) when it is invalid. Requests already in flight finish on the old config."""
        try:
            source = read(config)
        except SourceError as exc:
            raise GatewayConfigError(syntax_report(exc, "<config>"), "refused, the old config stays: ") from None
        report = validate_source(source)
        if not report.ok:
            raise GatewayConfigError(report, "refused, the old config stays: ")
        try:
            resp = localhttp.post(f"{self.admin_url}/config", json={"config": source.text}, timeout=30,
                              headers=admintoken.headers(self.lab.backend, self.name))
        except httpx.HTTPError as exc:
            raise LabError(f"could not reach the admin API of {self.name}: {exc}") from None
        if resp.status_code == 400:
            body = resp.json()
            raise LabError(f"{self.name} refused the config (the old one stays): "
                           f"{body.get('report') or body.get('message')}")
        if resp.status_code >= 300:
            raise LabError(f"{self.name} answered {resp.status_code} to POST /config: {resp.text[:500]}")
        return report
