"""Typed application keys shared by the HTTP handlers."""

from __future__ import annotations

from aiohttp import web

from services.container import Services
from services.jobs import JobRunner

SERVICES = web.AppKey("services", Services)
JOBS = web.AppKey("jobs", JobRunner)
