"""Thin request handlers: parse, call a service, render. Example payloads are in docstrings."""
