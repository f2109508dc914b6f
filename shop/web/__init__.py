"""Thin blueprints by audience: each view reads the request, calls a service, renders."""
