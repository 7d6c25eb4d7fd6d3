from pathlib import Path

import jwt
import pytest

from emulator.loader import tenant_from_dict
from emulator.state import now_ms
from emulator.tokens import TokenIssuer, load_signing_key
from tests.emulator.support import PIVOT, TODAY, tenant_dict


def test_signing_key_is_reused(ca_dir: Path) -> None:
    assert load_signing_key(ca_dir).kid == load_signing_key(ca_dir).kid


def test_tokens_are_typed(ca_dir: Path) -> None:
    issuer = TokenIssuer(load_signing_key(ca_dir))
    user = tenant_from_dict(tenant_dict(), today=TODAY).find(PIVOT)
    assert user
    common = {
        "issuer": "https://x/t/v2.0",
        "tenant_id": "t",
        "user": user,
        "client_id": "c",
        "lifetime": 60,
        "now_ms": now_ms(),
    }
    access = issuer.access_token(scopes=["User.Read"], **common)
    refresh = issuer.refresh_token(scopes=["User.Read", "offline_access"], **common)
    with pytest.raises(jwt.PyJWTError):
        issuer.decode_refresh_token(access, "c")
    with pytest.raises(jwt.PyJWTError):
        issuer.decode_access_token(refresh)
    with pytest.raises(jwt.InvalidAudienceError):
        issuer.decode_refresh_token(refresh, "other-client")
    with pytest.raises(jwt.ExpiredSignatureError):
        issuer.decode_access_token(
            issuer.access_token(scopes=["User.Read"], **{**common, "now_ms": 1_000_000_000_000})
        )
