"""Local Microsoft 365 emulator: identity platform + Graph v1.0 subset (see README.md)."""
