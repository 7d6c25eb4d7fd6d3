"""The local demo: embedded settings, demo directory, emulator and Agents Playground."""
