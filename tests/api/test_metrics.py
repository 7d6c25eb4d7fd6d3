"""`GET /metrics` (DESIGN 3.13): Prometheus text with the contract's names and labels,
one registry per app, and the optional bearer token."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.keys import SERVICES
from app import build_app
from tests.conftest import make_settings
from tests.samples import WEBHOOK_SECRET, directory
from tests.webhooks import incident, signed

CONTRACT = {
    "pivot_webhook_requests": ("counter", {"code"}),
    "pivot_incidents": ("counter", {"status"}),
    "pivot_jobs": ("gauge", {"kind", "status"}),
    "pivot_job_lag_seconds": ("gauge", set()),
    "pivot_graph_requests": ("counter", {"outcome"}),
    "pivot_notifications": ("counter", {"channel", "status"}),
    "pivot_claims": ("counter", {"via", "outcome"}),
    "pivot_incident_to_notified_seconds": ("histogram", set()),
}


async def scrape(client: TestClient, **headers: str) -> dict[str, Any]:
    response = await client.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain")
    return {f.name: f for f in text_string_to_metric_families(await response.text())}


def sample(families: dict[str, Any], name: str, **labels: str) -> float | None:
    family_name = name.removesuffix("_total")
    for s in families[family_name].samples:
        if s.name == name and s.labels == labels:
            return float(s.value)
    return None


async def test_metrics_have_the_contract_names_and_labels(aiohttp_client: Any, database_url: str) -> None:
    app = build_app(make_settings(database_url))
    client: TestClient = await aiohttp_client(app)
    await app[SERVICES].directory.import_document(directory())
    body, headers = signed(WEBHOOK_SECRET, incident())
    assert (await client.post("/api/incidents", data=body, headers=headers)).status == 202
    assert (await client.post("/api/incidents", data=body, headers={})).status == 401
    app[SERVICES].metrics.graph_response(200)
    app[SERVICES].metrics.graph_response(429)
    app[SERVICES].metrics.graph_response(None)

    families = await scrape(client)
    for name, (kind, labels) in CONTRACT.items():
        assert name in families, name
        assert families[name].type == kind, name
        for s in families[name].samples:
            if not s.name.endswith(("_created", "_bucket")):
                assert set(s.labels) == labels, (name, s.labels)
    assert sample(families, "pivot_webhook_requests_total", code="202") == 1
    assert sample(families, "pivot_webhook_requests_total", code="401") == 1
    jobs = families["pivot_jobs"].samples
    assert any(s.labels.get("kind") == "incident.process" and s.value == 1 for s in jobs)
    for outcome in ("ok", "throttled", "error"):
        assert sample(families, "pivot_graph_requests_total", outcome=outcome) == 1
    lag = sample(families, "pivot_job_lag_seconds")
    assert lag is not None and lag >= 0


async def test_each_app_counts_in_its_own_registry(aiohttp_client: Any, database_url: str) -> None:
    first = build_app(make_settings(database_url))
    second = build_app(make_settings(database_url))
    one: TestClient = await aiohttp_client(first)
    two: TestClient = await aiohttp_client(second)
    await first[SERVICES].directory.import_document(directory())
    body, headers = signed(WEBHOOK_SECRET, incident())
    assert (await one.post("/api/incidents", data=body, headers=headers)).status == 202
    assert sample(await scrape(one), "pivot_webhook_requests_total", code="202") == 1
    assert sample(await scrape(two), "pivot_webhook_requests_total", code="202") is None


async def test_metrics_token_is_required_when_set(aiohttp_client: Any, database_url: str) -> None:
    client: TestClient = await aiohttp_client(
        build_app(make_settings(database_url, METRICS_TOKEN="metrics-secret-1"))
    )
    assert (await client.get("/metrics")).status == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401
    assert "metrics-secret-1" not in await wrong.text()
    families = await scrape(client, Authorization="Bearer metrics-secret-1")
    assert "pivot_jobs" in families
