"""The reference year scaled ×k: k copies of the network, its flows, food, power and hazards.

    python benchmarks/scaled.py K OUT_DIR     # write net-xK.yaml and winter-year-xK.yaml

From ``scenarios/winter-year-stochastic.yaml`` and the network it names, copy j (j = 2 … k)
gets every id suffixed ``-k<j>`` (nodes, links, groups, regions, power areas, interconnectors,
loads and dependencies, crews, hazards, flows) and every reference to one of those ids
renamed with it; copy 1 keeps the original ids, so ×1 is the scenario itself. Sections are
joined copy by copy: lists are concatenated, mappings merged by key, and a value that is the
same in every copy (the defaults, the food groups, the unit values) is kept once.

The copies are joined into one connected network by a road link between each external supply
node of copy j and the same node of copy j + 1 (1 km, 80 km/h, 1,000 t/h — a benchmark
assumption: the copies' national supply points are the same city). Everything else of a copy
is unchanged, so a ×k run simulates k independent regions with k times the links, flows,
hazards, food municipalities and power areas: the CPU it costs measures how the model scales.
The data go through the ordinary loader (``scenario_from_data``) with all its checks.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from beredskap_sim.scenario.loader import scenario_from_data  # noqa: E402
from beredskap_sim.scenario.yaml_source import load_yaml_with_lines  # noqa: E402

SCENARIO = ROOT / "scenarios" / "winter-year-stochastic.yaml"
NOT_REFERENCES = {"name", "description", "note", "sources", "default_sources"}  # free text, never ids
JOIN_SOURCES = {"length_km": "assumption: benchmark link joining two copies of the same supply node",
                "speed_kmh": "assumption: benchmark link, as the truck speed limit",
                "tonnes_per_hour": "assumption: benchmark link, never the bottleneck"}


def _ids(data, found: set[str]) -> set[str]:
    """Every ``id`` value anywhere in ``data``."""
    if isinstance(data, dict):
        if isinstance(data.get("id"), str):
            found.add(data["id"])
        for key, value in data.items():
            if key not in NOT_REFERENCES:
                _ids(value, found)
    elif isinstance(data, list):
        for value in data:
            _ids(value, found)
    return found


def _renamed(data, names: dict[str, str]):
    """``data`` with every id and reference to an id (string values and mapping keys) renamed."""
    if isinstance(data, dict):
        return {names.get(k, k): (v if k in NOT_REFERENCES else _renamed(v, names)) for k, v in data.items()}
    if isinstance(data, list):
        return [_renamed(v, names) for v in data]
    if isinstance(data, str):
        return names.get(data, data)
    return data


def _merged(copies: list):
    """One value from the k copies: equal values once, lists concatenated, mappings by key."""
    if all(c == copies[0] for c in copies):
        return copies[0]
    if all(isinstance(c, list) for c in copies):
        return [item for c in copies for item in c]
    if all(isinstance(c, dict) for c in copies):
        keys = list(dict.fromkeys(k for c in copies for k in c))
        return {k: _merged([c[k] for c in copies if k in c]) for k in keys}
    raise ValueError(f"cannot join copies that differ in a single value: {copies[:2]!r}")


def _copies(data, ids: set[str], k: int) -> list:
    return [data] + [_renamed(data, {i: f"{i}-k{j}" for i in ids}) for j in range(2, k + 1)]


def scaled_data(k: int, scenario_path: Path = SCENARIO) -> tuple[dict, dict]:
    """``(scenario data, network data)`` of the ×k scenario, as parsed YAML would give them."""
    if k < 1:
        raise ValueError(f"k must be a whole number ≥ 1, got {k}")
    scenario, _ = load_yaml_with_lines(scenario_path)
    network, _ = load_yaml_with_lines((scenario_path.parent / scenario["network"]).resolve())
    ids = _ids(network, set()) | _ids(scenario, set()) | set(network.get("groups", {})) | set(network.get("regions", {}))
    net = _merged(_copies(network, ids, k))
    externals = [n["id"] for n in network["nodes"] if n.get("kind") == "external"]
    for j in range(1, k):
        for node in externals:
            a, b = (node if j == 1 else f"{node}-k{j}"), f"{node}-k{j + 1}"
            net["links"].append({"id": f"join-{a}-{b}", "name": f"Benchmark join {a}–{b}", "from": a, "to": b,
                                 "mode": "road", "length_km": 1.0, "speed_kmh": 80.0, "tonnes_per_hour": 1000.0,
                                 "sources": dict(JOIN_SOURCES)})
    scen = _merged(_copies({key: v for key, v in scenario.items() if key != "name"}, ids, k))
    scen["name"] = f"{scenario['name']} ×{k}"
    return scen, net


def load_scaled(k: int, scenario_path: Path = SCENARIO, *, strict_sources: bool = False, **overrides):
    """The loaded ×k scenario (a ``Scenario``), checked by the ordinary loader.

    ``overrides`` replace top-level scenario fields (e.g. ``horizon="30d"``).
    """
    scen, net = scaled_data(k, scenario_path)
    scen.update(overrides)
    return scenario_from_data(scen, {}, str(scenario_path), scenario_path.parent, strict_sources=strict_sources,
                              network_data=net)


def write_scaled(k: int, out_dir: Path, scenario_path: Path = SCENARIO) -> Path:
    """Write the ×k network and scenario as YAML files; returns the scenario file."""
    import yaml

    scen, net = scaled_data(k, scenario_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"net-x{k}.yaml").write_text(yaml.safe_dump(net, allow_unicode=True, sort_keys=False), encoding="utf-8")
    scen["network"] = f"net-x{k}.yaml"
    path = out_dir / f"winter-year-x{k}.yaml"
    path.write_text(yaml.safe_dump(scen, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_scaled(int(sys.argv[1]), Path(sys.argv[2])))
