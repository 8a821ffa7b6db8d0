"""Qinling function service: owns functions, their versions and their aliases."""
