"""Helpers for tests and benchmarks that run real servers: etcd, a RabbitMQ vhost, the whole platform.

Nothing here is imported by the services themselves.
"""
