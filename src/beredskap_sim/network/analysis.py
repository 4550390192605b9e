"""``beredskap-sim analyze``: the static redundancy study of a network (or a scenario's network
with its demands, food and hazards), written to a folder of tables and a map."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..results import atomic_write_text, slug
from .care_access import care_access
from .graph import Network
from .redundancy import multi_link_failure, pair_redundancy, single_link_criticality, time_to_survive_vs_recover

MODE_SETS = {"rail": {"rail"}, "road": {"road"}, "rail+road": {"rail", "road"}}
FERRY_MODE_SETS = {"road+ferry": {"road", "ferry"}, "all": {"rail", "road", "ferry"}}


def mode_sets(network: Network) -> dict[str, set[str]]:
    """The mode sets a region pair is analysed in: rail, road and both, and where the network
    has ferry links, road and all modes with the ferries (the Kvarken corridor: Trondheim–Vaasa
    is reached by road only round the Gulf of Bothnia, or with the ferry)."""
    if any(link.mode == "ferry" for link in network.spec.links):
        return {**MODE_SETS, **FERRY_MODE_SETS}
    return MODE_SETS


def region_nodes(network: Network, name: str) -> list[str]:
    """Nodes of region ``name``, or ``[name]`` for a node id; KeyError if neither."""
    if name in network.spec.regions:
        return list(network.spec.regions[name])
    if name in network.node_index:
        return [name]
    raise KeyError(f"unknown region or node {name!r}; regions: {', '.join(network.spec.regions) or 'none'}")


def analyze(network: Network, pairs: list[tuple[str, str]], footprints: list[str], scenario=None,
            network_file: str | None = None) -> dict[str, pd.DataFrame]:
    """All tables of the study (see ``redundancy``)."""
    rows = []
    for a, b in pairs:
        for label, modes in mode_sets(network).items():
            rows.append({"from": a, "to": b, "modes": label,
                         **pair_redundancy(network, region_nodes(network, a), region_nodes(network, b), modes)})
    tables = {"pairs": pd.DataFrame(rows)}
    demands = scenario.demands if scenario is not None else []
    tables["single_link"] = single_link_criticality(network, demands)
    od = [(region_nodes(network, a)[0], region_nodes(network, b)[0]) for a, b in pairs]
    od += [(network.node_ids[d.origin], network.node_ids[d.dest]) for d in demands]
    multi = []
    for name in footprints:
        found = network.resolve_target(name)
        if found is None:
            raise KeyError(f"unknown footprint {name!r}; use a link id or group name")
        result = multi_link_failure(network, found[0], list(dict.fromkeys(od)))
        multi.append({"footprint": name, **{k: (" ".join(v) if isinstance(v, list) else v) for k, v in result.items()}})
    tables["multi_link"] = pd.DataFrame(multi)
    if scenario is not None and scenario.spec.food is not None:
        tables["tts_ttr"] = time_to_survive_vs_recover(scenario)
    tables.update(care_access(network, scenario))
    return tables


def write_analysis(tables: dict[str, pd.DataFrame], network: Network, out_root: Path,
                   network_file: str | None = None) -> Path:
    """Write the tables (CSV and Parquet) and the criticality map into a new folder."""
    from ..report.maps import criticality_colours, draw_map

    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    folder = Path(out_root) / slug(network.spec.name) / f"analysis-{stamp}"
    tmp = folder.with_name(folder.name + ".partial")
    tmp.mkdir(parents=True)
    for name, table in tables.items():
        atomic_write_text(tmp / f"{name}.csv", table.to_csv(index=False))
        if not table.empty:
            table.to_parquet(tmp / f"{name}.parquet", index=False)
    colours, legend = criticality_colours(network, tables["single_link"])
    draw_map(network, colours, f"Single-link criticality — {network.spec.name}", tmp / "criticality-map.png",
             legend, network_file)
    tmp.rename(folder)
    return folder
