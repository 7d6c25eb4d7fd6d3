"""Agents Playground configuration whose mock users match the demo directory,
and a helper to start the playground process (used by `demo` and by e2e tests)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DIRECTORY_FILE = ROOT / "demo" / "directory.json"
PLAYGROUND_CLI = ROOT / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"

PERSONAL_CHAT_ID = "personal-chat-ada"
GROUP_CHAT_ID = "group-chat-facilities"
TEAM_ID = "19:facilities-team@thread.tacv2"
INCIDENT_CHANNEL_ID = "19:incidents-channel@thread.tacv2"


def _mock_user(user_id: str, name: str, email: str, aad: str) -> dict[str, str]:
    given, _, surname = name.partition(" ")
    return {
        "id": user_id,
        "name": name,
        "userPrincipleName": email,  # (sic): the playground's spelling
        "aadObjectId": aad,
        "givenName": given,
        "surname": surname or given,
        "email": email,
    }


def playground_config(directory: dict[str, Any] | None = None) -> dict[str, Any]:
    """Six mock users: the five demo directory users (admin first) and one stranger."""
    directory = directory or json.loads(DIRECTORY_FILE.read_text(encoding="utf-8"))
    people = [
        _mock_user(f"29:demo-{u['id'].removeprefix('u-')}", u["name"], u["email"], u["aad_object_id"])
        for u in directory["users"]
    ]
    admin = next(p for p, u in zip(people, directory["users"], strict=True) if u["role"] == "client_admin")
    others = [p for p in people if p is not admin]
    others.append(
        _mock_user("29:demo-una", "Una Known", "una@fabrikam.example", "b0000000-0000-4000-8000-0000000000ff")
    )
    return {
        "version": "0.1.1",
        "tenantId": directory["client"]["tenant_id"],
        "bot": {"id": "28:pivot-scheduling-demo", "name": "pivot Scheduling"},
        "currentUser": admin,
        "users": others[:5],
        "personalChat": {"id": PERSONAL_CHAT_ID},
        "groupChat": {"id": GROUP_CHAT_ID, "name": "Facilities chat"},
        "team": {
            "id": TEAM_ID,
            "name": "Facilities",
            "aadGroupId": "c0000000-0000-4000-8000-000000000001",
            "channels": [{"id": INCIDENT_CHANNEL_ID, "name": "Incidents"}],
        },
    }


def write_config(path: Path, config: dict[str, Any] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # JSON is valid YAML; the playground reads either.
    path.write_text(json.dumps(config or playground_config(), indent=2), encoding="utf-8")
    return path


@dataclass
class PlaygroundProcess:
    process: subprocess.Popen[str]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_playground(
    *, bot_endpoint: str, port: int, config_path: Path, log_path: Path, timeout: float = 60.0
) -> PlaygroundProcess:
    """Start the playground and wait for its `Listening on N` line (it may pick another port)."""
    if not PLAYGROUND_CLI.is_file():
        raise FileNotFoundError(f"{PLAYGROUND_CLI} is missing: run `npm ci` (make does it)")
    env = dict(os.environ)
    env["M365_AGENTS_PLAYGROUND_CONFIG_PATH"] = str(config_path)
    env["TEAMSAPPTESTER_BROWSER"] = "none"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_file = log_path.open("w", encoding="utf-8")
    node = shutil.which("node")
    if node is None:
        raise FileNotFoundError("node is not installed")
    process = subprocess.Popen(  # noqa: S603 - fixed argv, our own pinned package
        [node, str(PLAYGROUND_CLI), "-e", bot_endpoint, "-c", "msteams", "--dt", "-p", str(port)],
        stdout=log_file,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=str(log_path.parent),
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"playground exited early (code {process.returncode}); see {log_path}")
        match = re.search(r"Listening on (\d+)", log_path.read_text(encoding="utf-8", errors="replace"))
        if match:
            return PlaygroundProcess(process, int(match.group(1)))
        time.sleep(0.2)
    process.kill()
    raise TimeoutError(f"playground did not start within {timeout}s; see {log_path}")
