"""Room automapper (DESIGN.md 3.6): pair calendar room mailboxes with pivot rooms.

Pure and synchronous. Names are reduced to what identifies a room (content words,
identifiers such as "4B" or "2.10", floor, building, site code), pairs are scored
with several signals, and an optimal one-to-one assignment keeps only confident,
unambiguous pairs. A wrong pair would make the product read the wrong room's
calendar, so every doubt ends in ``None`` (the admin maps that room by hand).
"""

from .assignment import propose, validate_inputs
from .names import RoomKey, normalize, site_codes
from .vocabulary import DEFAULT_THRESHOLD

__all__ = ["DEFAULT_THRESHOLD", "RoomKey", "normalize", "propose", "site_codes", "validate_inputs"]
