"""Timestamps as stored (naive UTC) and as Qinling renders them (``YYYY-MM-DDTHH:MM:SSZ``)."""
import datetime


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def render(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None
