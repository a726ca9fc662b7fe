"""Detectors that judge a metric's new value against its own history. Pure: values in, verdicts out."""

from dq_checks.history.detectors import HistoryJudgement, Verdict, ratio_to_recent_mean, robust_judgement
from dq_checks.history.series import Point

__all__ = ["HistoryJudgement", "Point", "Verdict", "ratio_to_recent_mean", "robust_judgement"]
