"""`python -m emulator --tenant FILE --port N`."""

from emulator.cli import main

raise SystemExit(main())
