"""What other features may use of check-ins: the cohort report."""

from __future__ import annotations

from cogs.checkins.report import cohort_report_csv

__all__ = ["cohort_report_csv"]
