"""Resolve the time-zone names Microsoft Graph and the pivot directory use.

Graph speaks Windows zone names ("Eastern Standard Time"), sometimes IANA
names, and for hand-made zones a `customTimeZone` object. Windows names are
mapped with tzlocal's copy of the CLDR `windowsZones` table (maintained
upstream, never a hand list); the zone rules come from `zoneinfo` (system
database, else the `tzdata` package). Every resolver answers None for a name
that resolves to nothing, because DESIGN 3.5 treats such a name as absent.
"""

from __future__ import annotations

import io
import re
import struct
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from tzlocal.windows_tz import win_tz

# Graph sometimes prefixes zone ids, e.g. "tzone://Microsoft/Utc".
_GRAPH_ZONE_PREFIX = "tzone://microsoft/"
# The key `fixed_offset_zone` gives zones that no IANA key can name.
_FIXED_KEY = re.compile(r"UTC([+-])(\d{2}):(\d{2})")
_MAX_OFFSET_MINUTES = 18 * 60


def zone_from_name(name: str | None) -> ZoneInfo | None:
    """An IANA or Windows zone name as a ZoneInfo, or None if it names no zone.

    Tried in order: the Windows name (CLDR), the IANA key as given, then both
    case-insensitively, then a fixed-offset key ("UTC+05:30") as produced by
    `fixed_offset_zone`. (No IANA key is also a Windows name, bar "UTC".)
    """
    if not isinstance(name, str):
        return None
    name = name.strip()
    if name.casefold().startswith(_GRAPH_ZONE_PREFIX):
        name = name[len(_GRAPH_ZONE_PREFIX) :]
    if not name:
        return None
    iana = win_tz.get(name)  # first: a miss in the zone database costs a file search
    if iana is not None:
        return _iana(iana)
    zone = _iana(name)
    if zone is not None:
        return zone
    iana = _casefolded_names().get(name.casefold())
    if iana is not None:
        return _iana(iana)
    match = _FIXED_KEY.fullmatch(name)
    if match is not None:
        sign = -1 if match.group(1) == "-" else 1
        hours, minutes = int(match.group(2)), int(match.group(3))
        if minutes < 60:
            return fixed_offset_zone(sign * (hours * 60 + minutes))
    return None


def zone_from_mailbox_settings(settings: dict[str, Any] | None) -> ZoneInfo | None:
    """The zone of a Graph `mailboxSettings` (or `getSchedule` `workingHours`) object.

    Looks at `timeZone` (a Windows or IANA name, or a zone object) and then at
    `workingHours.timeZone` (`{"name": ...}` or a `customTimeZone`). A custom
    zone has no name a resolver knows, so it falls back to a fixed-offset zone
    at its *standard* offset: that is exact outside its daylight period and
    never worse than guessing. Its daylight rules are not modelled.
    """
    if not isinstance(settings, dict):
        return None
    candidates: list[Any] = [settings.get("timeZone")]
    working_hours = settings.get("workingHours")
    if isinstance(working_hours, dict):
        candidates.append(working_hours.get("timeZone"))
    for candidate in candidates:
        zone = _zone_from_graph_value(candidate)
        if zone is not None:
            return zone
    return None


def fixed_offset_zone(offset_minutes: int) -> ZoneInfo | None:
    """A ZoneInfo fixed at `offset_minutes` east of UTC (None beyond ±18 h).

    Whole hours use the IANA `Etc/GMT∓N` zones so the key round-trips through
    `ZoneInfo(key)`; other offsets get a one-rule zone keyed "UTC+05:30",
    which `zone_from_name` resolves back to the same offset.
    """
    if isinstance(offset_minutes, bool) or not isinstance(offset_minutes, int):
        return None
    if abs(offset_minutes) > _MAX_OFFSET_MINUTES:
        return None
    if offset_minutes == 0:
        return ZoneInfo("UTC")
    hours, minutes = divmod(abs(offset_minutes), 60)
    sign = "+" if offset_minutes > 0 else "-"
    if minutes == 0 and -12 <= offset_minutes // 60 <= 14:
        # IANA's Etc zones use the POSIX sign: Etc/GMT-5 is five hours east.
        return ZoneInfo(f"Etc/GMT{'-' if offset_minutes > 0 else '+'}{hours}")
    return _synthesized_zone(offset_minutes * 60, f"UTC{sign}{hours:02d}:{minutes:02d}")


def _zone_from_graph_value(value: Any) -> ZoneInfo | None:
    """A Graph zone value: a name, `{"name": ...}` or a `customTimeZone`."""
    if isinstance(value, str):
        return zone_from_name(value)
    if not isinstance(value, dict):
        return None
    zone = zone_from_name(value.get("name"))
    if zone is not None:
        return zone
    odata_type = str(value.get("@odata.type", ""))
    if odata_type.endswith("customTimeZone") or "bias" in value:
        return _custom_zone_standard_offset(value)
    return None


def _custom_zone_standard_offset(custom: dict[str, Any]) -> ZoneInfo | None:
    """A `customTimeZone` read at its standard offset, as a fixed-offset zone.

    Exchange follows the Windows convention UTC = local + bias (US Pacific
    comes back as bias 480), whatever the Graph reference text says about the
    sign (microsoftgraph/microsoft-graph-docs#15217).
    """
    bias = custom.get("bias")
    if isinstance(bias, bool) or not isinstance(bias, int):
        return None
    return fixed_offset_zone(-bias)


def _iana(key: str) -> ZoneInfo | None:
    """ZoneInfo(key), or None when the key is not a loadable zone."""
    try:
        return ZoneInfo(key)
    except (ValueError, KeyError, OSError):
        # ZoneInfoNotFoundError is a KeyError; directories and non-TZif files
        # in the zone path raise OSError / ValueError.
        return None


@cache
def _casefolded_names() -> dict[str, str]:
    """Case-insensitive index: Windows and IANA names → IANA key (built once)."""
    index = {key.casefold(): key for key in available_timezones()}
    index.update({windows.casefold(): iana for windows, iana in win_tz.items()})
    return index


@cache
def _synthesized_zone(offset_seconds: int, key: str) -> ZoneInfo:
    """A one-rule zone at a fixed offset, built as an in-memory TZif v2 file."""
    abbreviation = key.replace(":", "").encode("ascii") + b"\0"
    header = b"TZif2" + b"\0" * 15 + struct.pack(">6l", 0, 0, 0, 0, 1, len(abbreviation))
    block = header + struct.pack(">lBB", offset_seconds, 0, 0) + abbreviation
    hours, rest = divmod(abs(offset_seconds), 3600)
    posix_sign = "-" if offset_seconds > 0 else "+"  # POSIX counts west as positive
    footer = f"\n<{key[3:].replace(':', '')}>{posix_sign}{hours}:{rest // 60:02d}\n"
    data = block + block + footer.encode("ascii")
    return ZoneInfo.from_file(io.BytesIO(data), key=key)
