from aiohttp.test_utils import TestClient, TestServer

from emulator.loader import load_tenant
from emulator.server import build_app, public_base_url
from emulator.state import EmulatorState
from tests.emulator.support import TENANT_ID, TODAY, tenant_dict


async def test_build_app_serves_identity_graph_and_admin() -> None:
    app = build_app(load_tenant(tenant_dict(), today=TODAY), EmulatorState())
    async with TestClient(TestServer(app)) as client:
        answer = await client.get(f"/{TENANT_ID}/v2.0/.well-known/openid-configuration")
        body = await answer.json()
        assert body["issuer"] == f"http://{answer.url.host}:{answer.url.port}/{TENANT_ID}/v2.0"
        assert (await client.get("/v1.0/me")).status == 401
        assert (await client.get("/_admin/health")).status == 200


def test_public_base_url() -> None:
    assert public_base_url("127.0.0.1", 8443) == "https://127.0.0.1:8443"
    assert public_base_url("0.0.0.0", 1) == "https://127.0.0.1:1"  # noqa: S104
    assert public_base_url("::1", 2) == "https://[::1]:2"
