"""Qinling REST gateway: Qinling's v1 API (aiohttp) over Nameko RPC."""
