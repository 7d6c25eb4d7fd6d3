"""A client's Office 365 integration: setup, configuration as code, sync, health, secrets."""
