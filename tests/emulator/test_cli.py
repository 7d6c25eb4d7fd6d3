import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp

from emulator.certs import client_ssl_context
from emulator.cli import faults_from, parse_args
from tests.emulator.support import TENANT_ID

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "emulator" / "tenants" / "demo.json"


def test_flags_become_fault_rules() -> None:
    args = parse_args(
        [
            "--tenant",
            "t.json",
            "--port",
            "0",
            "--latency-ms",
            "50",
            "--fail-503",
            "2",
            "--fail-429",
            "3",
            "--retry-after",
            "4",
            "--drop",
            "1",
            "--fault-fraction",
            "0.25",
        ]
    )
    faults = [(f.kind, f.count, f.fraction, f.latency_ms, f.retry_after) for f in faults_from(args)]
    assert faults == [
        ("latency", None, None, 50, None),
        ("503", 2, 0.25, 0, 4),
        ("429", 3, 0.25, 0, 4),
        ("drop", 1, 0.25, 0, None),
    ]
    assert faults_from(parse_args(["--tenant", "t.json", "--port", "1"])) == []
    assert parse_args(["--tenant", "t", "--port", "1"]).ca_dir == Path("var/emulator")


async def test_runs_as_a_module_and_prints_one_ready_line(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emulator",
        "--tenant",
        str(DEMO),
        "--port",
        "0",
        "--ca-dir",
        str(tmp_path / "ca"),
        "--fail-503",
        "1",
        "--token-lifetime",
        "60",
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
        found = re.fullmatch(r"emulator ready: (https://127\.0\.0\.1:\d+) tenant=(\S+) ca=(\S+)\n", line)
        assert found, line
        base, tenant, ca = found.groups()
        assert tenant == TENANT_ID and Path(ca) == (tmp_path / "ca" / "ca.pem").resolve()
        context = client_ssl_context(ca)
        async with aiohttp.ClientSession() as session:
            url = f"{base}/{TENANT_ID}/v2.0/.well-known/openid-configuration"
            async with session.get(url, ssl=context) as answer:
                assert answer.status == 200
            async with session.get(f"{base}/v1.0/me", ssl=context) as answer:
                assert answer.status == 401
            async with session.get(f"{base}/_admin/faults", ssl=context) as answer:
                assert (await answer.json())["faults"][0]["kind"] == "503"
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=10)
    assert code == 0


async def test_bad_tenant_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"tenant_id": "x"}')
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emulator",
        "--tenant",
        str(bad),
        "--port",
        "0",
        "--ca-dir",
        str(tmp_path / "ca"),
        cwd=REPO,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2 and b"bad tenant file" in err
