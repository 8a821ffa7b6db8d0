"""Qinling trigger service: cron jobs, webhooks and OpenStack event triggers."""
