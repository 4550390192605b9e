"""The hazards and closure record of a network or scenario file, for calibration.

A network file gives its own hazards (as a scenario with ``network_hazards: true`` would); a
scenario file gives the hazards it runs with. The closure record is the file beside the
network (``record_path``).
"""

from __future__ import annotations

from pathlib import Path

from .closures import ClosureRecord, load_closure_record, record_path
from .errors import Problem, ScenarioError
from .loader import load_scenario, scenario_from_data
from .resolved import Scenario
from .yaml_source import load_yaml_with_lines


def load_hazard_context(path: str | Path) -> tuple[Scenario, ClosureRecord]:
    """``(scenario with the hazards, closure record)`` of a network or scenario file; raises
    ``ScenarioError`` with every problem of either file."""
    path = Path(path)
    data, _ = load_yaml_with_lines(path)
    if isinstance(data, dict) and "links" in data:
        wrapper = {"name": f"hazards of {data.get('name', path.stem)}", "network": str(path.resolve()),
                   "start": "2001-01-01", "horizon": "365d", "network_hazards": True}
        scenario = scenario_from_data(wrapper, {}, str(path), path.parent)
    else:
        scenario = load_scenario(path)
    record_file = record_path(scenario.network_file)
    if not record_file.exists():
        raise ScenarioError([Problem(str(record_file), "", "no closure record beside the network",
                                     f"a file {record_file.name} listing the recorded closures (see README, 'The closure record')")])
    hazards = {h.id: h.classes for h in scenario.hazards}
    return scenario, load_closure_record(record_file, scenario.network, hazards)
