"""The command-line contract (DESIGN 3.1), run as a user would: `python app.py ...`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.samples import directory

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "automap-sample"


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, str(ROOT / "app.py"), *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=str(cwd or ROOT),
        timeout=120,
        check=False,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", "SECRET_KEY": TEST_SECRET_KEY}


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_import_directory_then_again_changes_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    path = write(tmp_path, "dir.json", directory())
    first = run("import-directory", str(path), env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["changed"] is True
    second = run("import-directory", str(path), env=env, cwd=tmp_path)
    assert json.loads(second.stdout) == {
        "client_id": "contoso",
        "created": {},
        "updated": {},
        "changed": False,
    }


def test_import_invalid_directory_names_fields_and_exits_2(tmp_path: Path, env: dict[str, str]) -> None:
    doc = directory()
    doc["rooms"][0]["location_id"] = "nowhere"
    doc["users"][1]["email"] = "nope"
    result = run("import-directory", str(write(tmp_path, "bad.json", doc)), env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "rooms[0].location_id" in result.stderr
    assert "users[1].email" in result.stderr
    assert "nothing was written" in result.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{")
    assert run("import-directory", str(garbage), env=env, cwd=tmp_path).returncode == 2


def test_configure_all_or_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    assert (
        run(
            "import-directory", str(write(tmp_path, "dir.json", directory())), env=env, cwd=tmp_path
        ).returncode
        == 0
    )
    good = {
        "client_id": "contoso",
        "locations": {"hq": {"scheduling": True, "sla_hours": 4}},
        "room_map": {"hq-5a": "conf5a@contoso.example"},
    }
    result = run("configure", str(write(tmp_path, "cfg.json", good)), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["changed"] == {"locations": 1, "rooms": 1, "calendar": 0}
    bad = {"client_id": "contoso", "locations": {"mars": {"scheduling": True}}}
    result = run("configure", str(write(tmp_path, "bad.json", bad)), env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "locations.mars" in result.stderr


def test_serve_refuses_without_app_id(tmp_path: Path, env: dict[str, str]) -> None:
    result = run("serve", env={**env, "MICROSOFT_APP_ID": ""}, cwd=tmp_path)
    assert result.returncode == 2
    assert "MICROSOFT_APP_ID" in result.stderr


def test_bad_settings_are_named_without_values(tmp_path: Path, env: dict[str, str]) -> None:
    result = run(
        "import-directory", "x.json", env={**env, "PORT": "seventy", "SECRET_KEY": "short"}, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "PORT" in result.stderr
    assert "SECRET_KEY" in result.stderr
    assert "short" not in result.stderr
    (tmp_path / ".env").write_text("PROT=1\n")
    result = run("import-directory", "x.json", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "PROT: unknown setting" in result.stderr


@pytest.mark.parametrize("site", [1, 2])
def test_automap_on_the_sample_corpus(site: int) -> None:
    if not SAMPLE.is_dir():
        pytest.fail(f"the automap sample corpus is missing at {SAMPLE}")
    result = run(
        "automap",
        "--calendar-rooms",
        str(SAMPLE / f"site-{site}.calendar.json"),
        "--pivot-rooms",
        str(SAMPLE / f"site-{site}.pivot.json"),
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    gold = {
        g["calendar_room"]: g["pivot_room"]
        for g in json.loads((SAMPLE / f"site-{site}.gold.json").read_text())
    }
    pred = {r["calendar_room"]: r["pivot_room"] for r in rows}
    assert set(pred) == set(gold)
    assert all(0 <= r["score"] <= 1 for r in rows)
    predicted = [e for e in gold if pred[e] is not None]
    correct = [e for e in predicted if pred[e] == gold[e]]
    assert len(correct) / len(predicted) == 1.0
    assert len(correct) / len([e for e in gold if gold[e] is not None]) >= 0.9
    used = [p for p in pred.values() if p is not None]
    assert len(used) == len(set(used))


def test_automap_suggests_ranked_candidates_for_unmapped_rooms(tmp_path: Path) -> None:
    calendar = [
        {"name": "Boardroom", "email": "board@example.com"},
        {"name": "Atlas (8)", "email": "atlas@example.com"},
        {"name": "Phone Booth 3", "email": "booth@example.com"},
    ]
    pivot = [
        {"id": "north", "name": "North Tower - Boardroom"},
        {"id": "south", "name": "South Tower - Boardroom"},
        {"id": "atlas", "name": "Atlas"},
    ]
    (tmp_path / "cal.json").write_text(json.dumps(calendar))
    (tmp_path / "piv.json").write_text(json.dumps(pivot))
    result = run(
        "automap", "--calendar-rooms", str(tmp_path / "cal.json"), "--pivot-rooms", str(tmp_path / "piv.json")
    )
    assert result.returncode == 0, result.stderr
    rows = {r["calendar_room"]: r for r in json.loads(result.stdout)}
    assert rows["atlas@example.com"]["pivot_room"] == "atlas"
    assert "candidates" not in rows["atlas@example.com"]
    board = rows["board@example.com"]
    assert board["pivot_room"] is None  # twins in two buildings: a coin toss, so no pair
    assert {c["pivot_room"] for c in board["candidates"]} == {"north", "south"}
    scores = [c["score"] for c in board["candidates"]]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert board["score"] == scores[0]
    for row in rows.values():
        assert len(row.get("candidates", [])) <= 3
        assert all(c["pivot_room"] != "atlas" for c in row.get("candidates", []))  # taken rooms not offered
