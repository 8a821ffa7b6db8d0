"""The local driver: workers are processes on this host (see ``driver.py``)."""
