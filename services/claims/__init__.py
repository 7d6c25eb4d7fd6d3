"""Claiming a slot, releasing it, signed links, the claim-time calendar re-check."""
