"""The soak's PNG: throughput and p95 per endpoint group, and each worker's RSS, over time."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the non-interactive backend


def draw(series: dict, rss: dict[str, list[tuple[float, float]]], title: str, path: Path,
         offered_per_public_group: float | None = None) -> None:
    """`series`: group → list of {t, rps, p95_ms} (answered requests by the time they were sent); `rss`: worker →
    list of (t, MiB); the public readers' offered rate per endpoint as a dashed line."""
    fig, (top, mid, low) = plt.subplots(3, 1, figsize=(11, 11), sharex=True)
    for group, points in sorted(series.items()):
        t = [p["t"] for p in points]
        top.plot(t, [p["rps"] for p in points], label=group)
        mid.plot(t, [p["p95_ms"] for p in points], label=group)
    for worker, points in sorted(rss.items()):
        low.plot([p[0] for p in points], [p[1] for p in points], label=f"worker {worker}")
    if offered_per_public_group:
        top.axhline(offered_per_public_group, color="grey", linestyle="--", linewidth=1,
                    label="offered per public endpoint")
    top.set_ylabel("answered requests/s\n(by time sent)")
    mid.set_ylabel("p95 latency (ms)")
    mid.set_yscale("log")
    low.set_ylabel("RSS (MiB)")
    low.set_xlabel("seconds into the soak")
    for ax in (top, mid, low):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=4, loc="upper left")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
