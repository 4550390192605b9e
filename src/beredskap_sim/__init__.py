"""beredskap-sim: a scenario simulator for cross-border preparedness and logistics
between Trøndelag and Jämtland Härjedalen.

The Python API in one place:

* ``load_scenario(path)`` — read and check a scenario file (raises ``ScenarioError``);
* ``simulate(scenario, seed)`` — one replication, returning a ``Recording``;
* ``kpi_table(recording)`` — the KPIs of one replication;
* ``run_experiment(scenario, replications, seed, out)`` — N replications written to a results folder.
"""

from .metrics.kpis import kpi_table
from .model.engine import simulate
from .model.recording import Recording
from .scenario.errors import ScenarioError
from .scenario.loader import load_scenario

__version__ = "0.1.0"

__all__ = ["load_scenario", "simulate", "kpi_table", "Recording", "ScenarioError", "__version__"]
