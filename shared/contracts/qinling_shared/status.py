"""Status values of runtimes and executions, as Qinling spells them."""
import enum


class RuntimeStatus(str, enum.Enum):
    CREATING = "creating"
    AVAILABLE = "available"
    UPGRADING = "upgrading"
    ERROR = "error"
    DELETING = "deleting"


class ExecutionStatus(str, enum.Enum):
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    ERROR = "error"
    CANCELLED = "cancelled"  # not in Qinling: stopped by ``POST /v1/executions/{id}/cancel``
