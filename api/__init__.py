"""The product's own HTTP API (directory, incidents, health) on aiohttp."""
