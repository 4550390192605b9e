"""Small networks and scenarios built in code, for hand-computable tests."""

from __future__ import annotations

import copy
from pathlib import Path

from beredskap_sim.scenario.loader import scenario_from_data

DEFAULTS = {"truck_payload_t": 10.0, "train_payload_t": 500.0, "truck_speed_kmh": 1000.0, "freight_train_speed_kmh": 1000.0}


def node(nid: str, kind: str = "municipality", **extra) -> dict:
    return {"id": nid, "name": nid.title(), "kind": kind, "country": extra.pop("country", "NO"),
            "lon": extra.pop("lon", 10.0), "lat": extra.pop("lat", 63.0), **extra}


def link(lid: str, a: str, b: str, *, length_km: float = 100.0, speed_kmh: float = 100.0,
         tph: float = 1000.0, mode: str = "road", **extra) -> dict:
    if mode == "rail":
        extra.setdefault("track", "double")
    return {"id": lid, "name": lid, "from": a, "to": b, "mode": mode, "length_km": length_km,
            "speed_kmh": speed_kmh, "tonnes_per_hour": tph, **extra}


def network(nodes: list[dict], links: list[dict], **extra) -> dict:
    return {"name": "test", "defaults": dict(DEFAULTS), "nodes": nodes, "links": links, **extra}


def freight(fid: str, a: str, b: str, tonnes_per_day: float, *, modes=("road",), commodity="food", slot="1h",
            **extra) -> dict:
    """A flow; the hand-computed tests release one consignment an hour unless they say otherwise
    (``slot=None`` leaves the scenario's vehicle-load default)."""
    flow = {"id": fid, "from": a, "to": b, "commodity": commodity, "tonnes_per_day": tonnes_per_day,
            "modes": list(modes), **extra}
    if slot is not None:
        flow["slot"] = slot
    return flow


def build(tmp_path: Path, net: dict, flows: list[dict], disruptions: list[dict] | None = None,
          horizon="2d", record_step="1h", **extra):
    """Write the network to ``tmp_path`` and load a scenario over it."""
    import yaml

    (tmp_path / "net.yaml").write_text(yaml.safe_dump(net, allow_unicode=True), encoding="utf-8")
    data = {"name": "test scenario", "network": "net.yaml", "start": "2024-01-01",
            "horizon": horizon, "record_step": record_step, "freight": flows,
            "disruptions": disruptions or [], **extra}
    return scenario_from_data(copy.deepcopy(data), {}, str(tmp_path / "scenario.yaml"), tmp_path)
