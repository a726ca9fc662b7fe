"""Anomaly detectors over one profile. Pure functions: profile and thresholds in, anomalies out."""

from dq_checks.anomalies.detectors import detect_anomalies
from dq_checks.anomalies.isolation import isolated_extremes
from dq_checks.anomalies.model import Anomaly, Severity, worst_severity

__all__ = ["Anomaly", "Severity", "detect_anomalies", "isolated_extremes", "worst_severity"]
