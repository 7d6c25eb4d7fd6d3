"""Builds the Teams app package: manifest.json and the two icons, at the zip's root.

The zip is reproducible (fixed entry times and order), so rebuilding an
unchanged app gives the same bytes.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

from bot.commands import CommandRegistry
from bot.wiring import build_registry
from manifest.app_manifest import COLOR_ICON, OUTLINE_ICON, build_manifest
from manifest.icons import color_icon, outline_icon
from services.config import Settings, load_settings
from services.errors import ConfigError

DEFAULT_OUT = Path("build/appPackage.zip")
_ENTRY_TIME = (1980, 1, 1, 0, 0, 0)


def build_package(settings: Settings, registry: CommandRegistry, out: Path = DEFAULT_OUT) -> Path:
    """Write the package to `out` (parents created) and return its path."""
    manifest = json.dumps(build_manifest(settings, registry), indent=2, ensure_ascii=False) + "\n"
    entries = {
        "manifest.json": manifest.encode("utf-8"),
        COLOR_ICON: color_icon(),
        OUTLINE_ICON: outline_icon(),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=_ENTRY_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out


def main() -> int:
    """`python -m manifest.package`: build build/appPackage.zip from the environment."""
    try:
        path = build_package(load_settings(), build_registry())
    except ConfigError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
