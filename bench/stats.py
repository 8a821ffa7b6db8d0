"""Latency statistics (pure)."""
import math


def percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list (``q`` in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(latencies, wall_seconds, errors=0):
    """``{requests, errors, p50_ms, p95_ms, p99_ms, rps}`` of one measured run."""
    ordered = sorted(latencies)
    return {
        "requests": len(latencies) + errors,
        "errors": errors,
        "p50_ms": percentile(ordered, 50) * 1000,
        "p95_ms": percentile(ordered, 95) * 1000,
        "p99_ms": percentile(ordered, 99) * 1000,
        "rps": len(latencies) / wall_seconds if wall_seconds > 0 else float("nan"),
    }


def ratio(gateway, worker):
    """gateway/worker for each of p50, p99 and req/s."""
    return {key: gateway[key] / worker[key] if worker[key] else float("nan")
            for key in ("p50_ms", "p99_ms", "rps")}


def overhead(gateway, worker):
    """gateway - worker latency, in ms, for p50 and p99 (what the gateway path adds)."""
    return {"added_p50_ms": gateway["p50_ms"] - worker["p50_ms"],
            "added_p99_ms": gateway["p99_ms"] - worker["p99_ms"]}
