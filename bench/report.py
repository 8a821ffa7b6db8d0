"""The benchmark's Markdown tables."""


def _fmt(value, digits=2):
    return f"{value:.{digits}f}"


def latency_table(rows):
    """``rows``: ``[(path, concurrency, summary | ratio | overhead)]``."""
    lines = ["| path | clients | requests | errors | p50 ms | p99 ms | req/s |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for path, concurrency, s in rows:
        if "requests" in s:
            lines.append(f"| {path} | {concurrency} | {s['requests']} | {s['errors']} | "
                         f"{_fmt(s['p50_ms'])} | {_fmt(s['p99_ms'])} | {_fmt(s['rps'], 1)} |")
        elif "added_p50_ms" in s:
            lines.append(f"| **{path}** | {concurrency} | | | {s['added_p50_ms']:+.2f} | "
                         f"{s['added_p99_ms']:+.2f} | |")
        else:
            lines.append(f"| **{path}** | {concurrency} | | | {_fmt(s['p50_ms'])}x | "
                         f"{_fmt(s['p99_ms'])}x | {_fmt(s['rps'])}x |")
    return "\n".join(lines)


def memory_table(rows):
    """``rows``: ``[(process, pid_text, rss_kib, pss_kib)]``."""
    lines = ["| process | pid | RSS MiB | PSS MiB |", "|---|---:|---:|---:|"]
    for name, pid, rss, pss in rows:
        lines.append(f"| {name} | {pid} | {rss / 1024:.1f} | {pss / 1024:.1f} |")
    return "\n".join(lines)


def floor_table(rows, percentiles=(50, 99)):
    """``rows``: ``[(what, summary, floor_name | None, floor_summary | None)]``; one latency
    column, and one difference to the floor, per percentile."""
    keys = [f"p{q}_ms" for q in percentiles]
    lines = ["| what | samples | errors | " + "".join(f"p{q} ms | " for q in percentiles)
             + "floor | " + "".join(f"p{q} − floor ms | " for q in percentiles)
             + "p50 / floor |",
             "|---|---:|---:|" + "---:|" * len(keys) + "---|" + "---:|" * len(keys) + "---:|"]
    for what, s, floor_name, floor in rows:
        text = (f"| {what} | {s['requests']} | {s['errors']} | "
                + "".join(f"{s[key]:.2f} | " for key in keys))
        if floor is None:
            text += "(floor) | " + "| " * len(keys) + "|"
        else:
            times = s["p50_ms"] / floor["p50_ms"] if floor["p50_ms"] else float("nan")
            text += (f"{floor_name} | "
                     + "".join(f"{s[key] - floor[key]:+.2f} | " for key in keys)
                     + f"{times:.1f}x |")
        lines.append(text)
    return "\n".join(lines)


def document(header, latency_rows, memory_rows, notes, sections=()):
    """``sections``: more Markdown sections, placed before the notes."""
    return "\n\n".join([
        f"# Qinling benchmark\n\n{header}",
        "## Warm sync invocation of a hello function\n\n" + latency_table(latency_rows),
        "## Idle resident memory (before the load)\n\n" + memory_table(memory_rows),
        *sections,
        "## Notes\n\n" + "\n".join(f"- {note}" for note in notes),
    ]) + "\n"


def publish(text, output):
    """Print the report and write it to ``output`` (a Path)."""
    print("\n" + text)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(f"==> written to {output}")
