"""Incidents: signed intake, the slot-finding pipeline, the read model."""
