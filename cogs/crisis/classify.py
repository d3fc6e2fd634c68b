"""Classify messages from a stream, one per line, writing one JSON object per line.

``run(sys.stdin, sys.stdout)`` is what ``python -m bot classify`` calls (wired in
bot/cli/standalone.py by its owner). Each output line is ``{"level": ..., "score": ...,
"reasons": [...]}``; a blank input line gives a ``none`` object, so input and output line
counts always match.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from cogs.crisis.detector import Detector, classify_lines


def run(lines: Iterable[str], out: TextIO, detector: Detector | None = None) -> int:
    """Write one JSON verdict per input line to ``out``; returns the exit status (0)."""
    for line in classify_lines(lines, detector):
        out.write(line)
        out.write("\n")
    out.flush()
    return 0
