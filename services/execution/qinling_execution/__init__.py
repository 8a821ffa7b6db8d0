"""Qinling execution service: runtimes, executions, orchestrator drivers, the etcd worker map."""
