"""The progress chart: mood, cravings and sleep over time (and PHQ-9 / GAD-7 if any), as PNG.

matplotlib is imported only when a chart is drawn (start-up stays fast), with the Agg backend
and the object API (no pyplot global state), so drawing in a worker thread is safe.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cogs.checkins.logic import DayEntry


@dataclass(frozen=True)
class ScorePoint:
    day: date
    instrument: str  # "PHQ-9" / "GAD-7"
    score: int


def render_png(
    entries: Sequence[DayEntry],
    scores: Sequence[ScorePoint] = (),
    *,
    start: date,
    end: date,
    title: str = "",
) -> bytes:
    """Draw the chart over `start`..`end` (CPU-bound: call it with asyncio.to_thread)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    panels = 4 if scores else 3
    figure = Figure(figsize=(7, 1.9 * panels), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(panels, 1, sharex=True)
    days = [e.day for e in entries]
    series = [
        ("Mood (1-5)", [e.mood for e in entries], (0.5, 5.5), "#e0a030"),
        ("Cravings (0-10)", [e.cravings for e in entries], (-0.5, 10.5), "#c0504d"),
        ("Sleep (hours)", [e.sleep_hours for e in entries], (0, 12), "#4f81bd"),
    ]
    for ax, (label, values, limits, colour) in zip(axes, series, strict=False):
        points = [(d, v) for d, v in zip(days, values, strict=True) if v is not None]
        if points:
            ax.plot(*zip(*points, strict=True), marker="o", color=colour, linewidth=1.8)
        ax.set_ylim(*limits)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(label, fontsize=9)
        ax.grid(alpha=0.3)
    if scores:
        ax = axes[3]
        for name, colour in (("PHQ-9", "#8064a2"), ("GAD-7", "#4bacc6")):
            mine = [(s.day, s.score) for s in scores if s.instrument == name]
            if mine:
                ax.plot(*zip(*mine, strict=True), marker="s", color=colour, label=name)
        ax.set_ylim(-1, 28)
        ax.set_ylabel("Weekly score", fontsize=9)
        ax.legend(fontsize=8, loc="upper left")
        ax.grid(alpha=0.3)
    # The whole window is shown, so gaps read as days without a check-in.
    axes[-1].set_xlim(start - timedelta(days=1), end + timedelta(days=1))
    locator = AutoDateLocator(minticks=3, maxticks=8)
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(ConciseDateFormatter(locator))
    if title:
        figure.suptitle(title, fontsize=11)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
