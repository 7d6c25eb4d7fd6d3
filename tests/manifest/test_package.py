"""The Teams app package: zip layout, icons, and the manifest checked by Microsoft's own schema."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bot.commands import CommandContext, CommandRegistry
from bot.wiring import BotExtensions, build_registry
from manifest.app_manifest import PLACEHOLDER_APP_ID, SCHEMA_URL, SCHEMA_VERSION
from manifest.package import build_package
from services.config import Settings, load_settings
from tests.manifest.pngread import read_png

REPO = Path(__file__).resolve().parents[2]
VALIDATOR = Path(__file__).with_name("validate_manifest.js")
SCHEMAS = REPO / "node_modules/@microsoft/app-manifest/build/json-schemas/teams"
APP_ID = "0b0e1c53-4a7e-4f52-9d35-6f1f4c1f2a10"

needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not SCHEMAS.is_dir(),
    reason="node and `npm ci` (node_modules/@microsoft/app-manifest) are needed for schema checks",
)


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"MICROSOFT_APP_ID": APP_ID, "PUBLIC_BASE_URL": "https://pivot.example.com/"}
    values.update(overrides)
    return load_settings(env_file=None, **values)


def unzip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def schema_errors(manifest: dict[str, Any], tmp_path: Path) -> list[str]:
    """Microsoft's validator (AppManifestUtils.validateAgainstSchema), offline, on a manifest."""
    path = tmp_path / "manifest-under-test.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    result = subprocess.run(
        ["node", str(VALIDATOR), str(path)], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def add_status_command(registry: CommandRegistry) -> None:
    @registry.command("roomcheck")
    async def status(ctx: CommandContext) -> None:
        """Show the open incidents in your rooms."""

    @registry.command("debug-dump", hidden=True)
    async def debug_dump(ctx: CommandContext) -> None:
        """Internal: dump the conversation state."""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("pkg") / "nested" / "appPackage.zip"
    assert build_package(settings(), build_registry(), out) == out
    return unzip(out)


def test_zip_holds_manifest_and_icons_at_its_root(package: dict[str, bytes]) -> None:
    assert set(package) == {"manifest.json", "color.png", "outline.png"}
    manifest = json.loads(package["manifest.json"])
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_color_icon_is_192_square_opaque_and_coloured(package: dict[str, bytes]) -> None:
    png = read_png(package["color.png"])
    assert (png.width, png.height) == (192, 192)
    pixels = png.pixels()
    assert {p[3] for p in pixels} == {255}
    assert len({p[:3] for p in pixels}) > 2
    assert any(len(set(p[:3])) > 1 for p in pixels), "a full-colour icon, not greyscale"


def test_outline_icon_is_32_square_white_on_transparent(package: dict[str, bytes]) -> None:
    png = read_png(package["outline.png"])
    assert (png.width, png.height, png.bit_depth, png.colour_type) == (32, 32, 8, 6)
    pixels = png.pixels()
    alphas = [p[3] for p in pixels]
    assert alphas.count(0) > len(pixels) // 4, "mostly transparent"
    assert alphas.count(255) > 50, "a visible outline"
    assert all(p[:3] == (255, 255, 255) for p in pixels if p[3]), "only white is drawn"


def test_manifest_describes_the_bot(package: dict[str, bytes]) -> None:
    manifest = json.loads(package["manifest.json"])
    assert manifest["$schema"] == SCHEMA_URL
    assert manifest["manifestVersion"] == SCHEMA_VERSION
    assert manifest["id"] == APP_ID
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False
    assert manifest["validDomains"] == ["pivot.example.com"]
    assert manifest["developer"]["websiteUrl"] == "https://pivot.example.com"
    assert manifest["developer"]["privacyUrl"].startswith("https://pivot.example.com/")


@needs_node
def test_manifest_passes_the_official_schema(package: dict[str, bytes], tmp_path: Path) -> None:
    assert schema_errors(json.loads(package["manifest.json"]), tmp_path) == []


@needs_node
def test_demo_manifest_without_app_id_passes_with_a_placeholder_and_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    demo = settings(MICROSOFT_APP_ID="", PUBLIC_BASE_URL="http://127.0.0.1:3978")
    with caplog.at_level(logging.WARNING):
        package = unzip(build_package(demo, build_registry(), tmp_path / "p.zip"))
    manifest = json.loads(package["manifest.json"])
    assert manifest["id"] == manifest["bots"][0]["botId"] == PLACEHOLDER_APP_ID
    assert manifest["validDomains"] == ["127.0.0.1"]
    assert "MICROSOFT_APP_ID is empty" in caplog.text
    assert schema_errors(manifest, tmp_path) == []


@needs_node
def test_validator_reports_schema_violations(package: dict[str, bytes], tmp_path: Path) -> None:
    manifest = json.loads(package["manifest.json"])
    del manifest["developer"]
    manifest["bots"][0]["commandLists"][0]["commands"].append({"title": "x" * 129})
    errors = schema_errors(manifest, tmp_path)
    assert any("developer" in e for e in errors), errors
    assert any("/commandLists/0/commands/" in e and "128" in e for e in errors), errors


@needs_node
def test_validator_never_falls_back_to_the_network(package: dict[str, bytes], tmp_path: Path) -> None:
    manifest = json.loads(package["manifest.json"])
    manifest["$schema"] = SCHEMA_URL.replace(f"v{SCHEMA_VERSION}", "v1.18")  # not shipped offline
    path = tmp_path / "m.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    result = subprocess.run(
        ["node", str(VALIDATOR), str(path)], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "no bundled Teams schema v1.18" in result.stderr


@needs_node
def test_schema_version_is_the_newest_shipped_offline() -> None:
    shipped = [d.name[1:] for d in SCHEMAS.iterdir() if d.name[1:2].isdigit()]
    newest = max(shipped, key=lambda v: tuple(int(part) for part in v.split(".")))
    assert newest == SCHEMA_VERSION


def test_command_list_is_the_registrys_visible_commands(package: dict[str, bytes]) -> None:
    registry = build_registry()
    [command_list] = json.loads(package["manifest.json"])["bots"][0]["commandLists"]
    assert command_list["commands"] == [{"title": c.name, "description": c.help} for c in registry.visible()]


def test_command_list_follows_a_registry_with_more_commands(tmp_path: Path) -> None:
    registry = build_registry(BotExtensions(commands=[add_status_command]))
    manifest = json.loads(unzip(build_package(settings(), registry, tmp_path / "p.zip"))["manifest.json"])
    commands = manifest["bots"][0]["commandLists"][0]["commands"]
    assert commands == [{"title": c.name, "description": c.help} for c in registry.visible()]
    assert {"title": "roomcheck", "description": "Show the open incidents in your rooms."} in commands
    assert all(c["title"] != "debug-dump" for c in commands)


def test_rebuilding_gives_identical_bytes(tmp_path: Path) -> None:
    first = build_package(settings(), build_registry(), tmp_path / "a.zip").read_bytes()
    assert build_package(settings(), build_registry(), tmp_path / "b.zip").read_bytes() == first


def test_package_manifest_command_writes_build_app_package(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"MICROSOFT_APP_ID", "PUBLIC_BASE_URL"}}
    env["PUBLIC_BASE_URL"] = "https://pivot.example.com"
    result = subprocess.run(
        [sys.executable, str(REPO / "app.py"), "package-manifest"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    package = tmp_path / "build" / "appPackage.zip"
    assert result.stdout.strip() == str(Path("build/appPackage.zip"))
    assert set(unzip(package)) == {"manifest.json", "color.png", "outline.png"}
    assert "placeholder" in result.stderr
