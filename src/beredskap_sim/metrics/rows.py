"""The row type every metric module returns, and the service-index rows they share.

``kpis`` (freight, and the table of one replication) imports ``costs`` and ``supply``; those
two import only this module, so the metric modules import one way: rows ← supply, costs ←
kpis.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .curve import Curve
from .resilience import ecs, equivalent_outage_hours, pcs


class Kpi(NamedTuple):
    """One row of the long KPI table: name, scope (``all``, a commodity, a place...), value, unit."""

    kpi: str
    scope: str
    value: float
    unit: str


def service_rows(scope: str, served: np.ndarray, expected: np.ndarray, step_h: float) -> list[Kpi]:
    """PCS/ECS/EOH over consumers (rows of ``served``/``expected``), per recording step."""
    p = pcs(served, expected)
    return [
        Kpi("pcs_min", scope, float(p.min(initial=1.0)), "1"),
        Kpi("ecs_min", scope, float(ecs(served, expected).min(initial=1.0)), "1"),
        Kpi("eoh_h", scope, equivalent_outage_hours(Curve.from_steps(p, step_h)), "h"),
    ]
