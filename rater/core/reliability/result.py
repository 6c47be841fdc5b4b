"""One reliability statistic: its value, 95% CI, exact name, and why it may be missing."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def json_number(x: float | None) -> float | None:
    """A plain float for JSON, or None for missing, NaN and infinities (JSON has none of them)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class Statistic:
    """A statistic as reported: `value` is None when it is undefined, and `note` says why.

    `details` carries extra numbers that belong with the statistic (standard error, limits of
    agreement, counts); they are reported next to the value.
    """

    name: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    method: str
    n_units: int
    n_raters: int
    note: str = ""
    details: Mapping[str, float | int | None] = field(default_factory=dict)

    @classmethod
    def undefined(cls, name: str, method: str, reason: str, n_units: int = 0,
                  n_raters: int = 0) -> Statistic:
        """A statistic that cannot be computed on these data, with the reason in `note`."""
        return cls(name, None, None, None, method, n_units, n_raters, f"undefined: {reason}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: `value` and `ci95` are numbers or null, never NaN."""
        low, high = json_number(self.ci_low), json_number(self.ci_high)
        value = json_number(self.value)
        ci = [low, high] if value is not None and low is not None and high is not None else None
        out: dict[str, Any] = {
            "value": value,
            "ci95": ci,
            "method": self.method,
            "note": self.note or None,
            "n_units": int(self.n_units),
            "n_raters": int(self.n_raters),
        }
        for key, extra in self.details.items():
            out[key] = int(extra) if isinstance(extra, numbers.Integral) else json_number(extra)
        return out
