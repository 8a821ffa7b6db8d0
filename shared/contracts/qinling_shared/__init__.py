"""Contracts shared by every Qinling service (no business rules, no models)."""
