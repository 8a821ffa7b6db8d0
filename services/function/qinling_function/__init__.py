"""Qinling function service: owns functions (and later versions and aliases)."""
