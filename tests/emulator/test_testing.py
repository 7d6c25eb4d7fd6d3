import json
from pathlib import Path

import pytest

from emulator.state import EmulatorState
from emulator.testing import EmulatorHandle, SignInError, running_emulator, submit_sign_in
from tests.emulator.support import PIVOT, TENANT_ID, TODAY, tenant_dict


async def test_handle_describes_the_running_emulator(emu: EmulatorHandle) -> None:
    assert emu.base_url == f"https://127.0.0.1:{emu.port}"
    assert emu.graph_base_url == emu.base_url + "/v1.0"
    assert emu.authority_host == emu.base_url
    assert emu.authority == f"{emu.base_url}/{TENANT_ID}"
    assert emu.oidc_authority == emu.authority + "/v2.0"
    assert emu.ca_path.name == "ca.pem" and emu.ca_path.is_file()
    assert emu.tenant.find(PIVOT) is not None


async def test_given_state_and_tenant_file(ca_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(tenant_dict()))
    state = EmulatorState(token_lifetime=5)
    async with running_emulator(path, ca_dir=ca_dir, state=state, today=TODAY) as emu:
        assert emu.state is state
    async with running_emulator(path, ca_dir=ca_dir, host="localhost") as emu:
        assert emu.base_url.startswith("https://localhost:")


async def test_submit_sign_in_reports_errors(emu: EmulatorHandle) -> None:
    with pytest.raises(SignInError, match="no sign-in form"):
        await submit_sign_in(
            f"{emu.base_url}/nowhere/oauth2/v2.0/authorize?client_id=x",
            username=PIVOT,
            password="x",
            ssl_context=emu.ssl_context(),
        )
