"""Inter-rater reliability statistics (pure numpy/scipy): see `reliability_report`."""

from rater.core.reliability.report import STATISTIC_KEYS, dimension_statistics, reliability_report
from rater.core.reliability.result import Statistic

__all__ = ["STATISTIC_KEYS", "Statistic", "dimension_statistics", "reliability_report"]
