"""Sample documents for tests (fake data only)."""

from __future__ import annotations

import base64
import copy
from typing import Any

WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"test-webhook-secret-32-bytes-long").decode()
API_KEY = "pvk_test_contoso_0123456789abcdef"

_DIRECTORY: dict[str, Any] = {
    "client": {
        "id": "contoso",
        "name": "Contoso Ltd",
        "tenant_id": "11111111-2222-4333-8444-555555555555",
        "notify_email": "facilities@contoso.example",
        "webhook_secret": WEBHOOK_SECRET,
        "api_key": API_KEY,
    },
    "locations": [
        {
            "id": "hq",
            "name": "Contoso HQ",
            "timezone": "America/New_York",
            "business_hours": {
                "mon": ["08:00", "17:00"],
                "tue": ["08:00", "17:00"],
                "wed": ["08:00", "17:00"],
                "thu": ["08:00", "17:00"],
                "fri": ["08:00", "17:00"],
                "sat": None,
                "sun": None,
            },
        },
        {"id": "ldn", "name": "Contoso London", "timezone": "Europe/London"},
    ],
    "rooms": [
        {
            "id": "hq-4b",
            "name": "Conference Room 4B",
            "location_id": "hq",
            "calendar_email": "conf4b@contoso.example",
        },
        {"id": "hq-5a", "name": "Conference Room 5A", "location_id": "hq"},
        {"id": "ldn-thames", "name": "Thames", "location_id": "ldn"},
    ],
    "users": [
        {
            "id": "u-ada",
            "name": "Ada Admin",
            "email": "ada@contoso.example",
            "role": "client_admin",
            "aad_object_id": "a0000000-0000-4000-8000-0000000000a1",
            "service_provider_id": None,
            "notify": {"email": True, "teams": True},
        },
        {
            "id": "u-bo",
            "name": "Bo User",
            "email": "bo@contoso.example",
            "role": "client_user",
            "aad_object_id": None,
            "service_provider_id": None,
            "notify": {"email": True, "teams": False},
        },
        {
            "id": "u-sam",
            "name": "Sam Provider",
            "email": "sam@acme.example",
            "role": "service_provider",
            "aad_object_id": "a0000000-0000-4000-8000-0000000000a3",
            "service_provider_id": "acme-av",
            "notify": {"email": True, "teams": True},
        },
    ],
    "service_providers": [
        {"id": "acme-av", "name": "Acme AV", "email": "dispatch@acme.example", "location_ids": ["hq", "ldn"]}
    ],
}


def directory() -> dict[str, Any]:
    """A fresh, valid directory document."""
    return copy.deepcopy(_DIRECTORY)
