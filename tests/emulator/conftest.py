"""Fixtures: one CA/signing key per session, a fresh emulator per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from emulator.certs import ensure_ca
from emulator.testing import PRODUCT_SCOPES, EmulatorHandle, acquire_token, running_emulator
from emulator.tokens import load_signing_key
from tests.emulator.support import PIVOT, PIVOT_PASSWORD, TODAY, tenant_dict

TokenFactory = Callable[..., Awaitable[str]]


@pytest.fixture(scope="session")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA directory shared by the session (key generation happens once)."""
    directory = tmp_path_factory.mktemp("emulator-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


@pytest.fixture
async def emu(ca_dir: Path) -> AsyncIterator[EmulatorHandle]:
    """The test tenant served on an ephemeral port."""
    async with running_emulator(tenant_dict(), ca_dir=ca_dir, today=TODAY) as handle:
        yield handle


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client session."""
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def token_for(emu: EmulatorHandle) -> TokenFactory:
    """Sign a user in through the real form and return an access token."""

    async def _token(
        user: str = PIVOT, password: str = PIVOT_PASSWORD, scopes: tuple[str, ...] = PRODUCT_SCOPES
    ) -> str:
        body = await acquire_token(emu, user, password, scopes=scopes)
        return str(body["access_token"])

    return _token


@pytest.fixture
async def token(token_for: TokenFactory) -> str:
    """pivot's access token with the product's four scopes."""
    return await token_for()
