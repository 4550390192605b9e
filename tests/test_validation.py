"""Bad input files give every problem as `file: field.path: what (expected ...)`, never a traceback."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from beredskap_sim import ScenarioError, load_scenario
from builders import link, network, node

GOOD_NET = network([node("a"), node("b")], [link("ab", "a", "b")])
GOOD = {
    "name": "t", "network": "net.yaml", "start": "2024-01-01", "horizon": "2d",
    "freight": [{"id": "f", "from": "a", "to": "b", "commodity": "food", "tonnes_per_day": 10, "modes": ["road"]}],
    "disruptions": [{"id": "d", "target": "ab", "start": "5h", "duration": "1d", "effect": "close"}],
}


def write(tmp_path: Path, scenario, net=GOOD_NET, raw: str | None = None) -> Path:
    (tmp_path / "net.yaml").write_text(yaml.safe_dump(net), encoding="utf-8")
    path = tmp_path / "scen.yaml"
    path.write_text(raw if raw is not None else yaml.safe_dump(scenario), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def mutate(**changes):
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    for dotted, value in changes.items():
        target = data
        *parts, last = dotted.split(".")
        for part in parts:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value
    return data


def test_good_file_loads(tmp_path):
    scenario = load_scenario(write(tmp_path, GOOD))
    assert scenario.horizon_h == 48 and scenario.disruptions[0].start_h == 5


def test_missing_field(tmp_path):
    out = problems(write(tmp_path, mutate(horizon=KeyError)))
    assert out == [f"{tmp_path / 'scen.yaml'}: horizon: required field is missing (expected a value for this field) [line 1]"] or \
        (len(out) == 1 and ": horizon: required field is missing" in out[0])


def test_unknown_link_in_disruption(tmp_path):
    path = write(tmp_path, mutate(**{"disruptions.0.target": "e99"}))
    (message,) = problems(path)
    assert message.startswith(f"{path}: disruptions[0].target: unknown target 'e99' (expected a link id, node id or group name")
    assert "[line" in message


def test_negative_capacity_in_network(tmp_path):
    bad_net = network([node("a"), node("b")], [link("ab", "a", "b", tph=-5)])
    (message,) = problems(write(tmp_path, GOOD, net=bad_net))
    assert "net.yaml: links[0].tonnes_per_hour: got -5 (expected a number > 0)" in message


def test_bad_duration_text(tmp_path):
    (message,) = problems(write(tmp_path, mutate(horizon="3 days")))
    assert ": horizon: cannot read '3 days' as a duration (expected e.g. '90m', '36h', '3d', '2w' or '1d 6h')" in message


def test_wrong_yaml(tmp_path):
    (message,) = problems(write(tmp_path, None, raw="name: [unclosed\nhorizon: 2d\n"))
    assert "scen.yaml: (top level): not valid YAML" in message and "[line" in message


def test_all_problems_reported_at_once(tmp_path):
    data = mutate(**{"freight.0.tonnes_per_day": -1, "freight.0.modes": ["boat"], "record_step": "x"})
    out = problems(write(tmp_path, data))
    assert len(out) == 3
    assert any("freight[0].tonnes_per_day: got -1 (expected a number > 0)" in m for m in out)
    assert any("freight[0].modes[0]: got 'boat' (expected one of 'rail', 'road' or 'ferry')" in m for m in out)


def test_unknown_node_and_unknown_field(tmp_path):
    data = mutate(**{"freight.0.to": "nowhere", "freight.0.tonnes": 5})
    out = problems(write(tmp_path, data))
    assert any("freight[0].tonnes: unknown field" in m for m in out)
    data = mutate(**{"freight.0.to": "nowhere"})
    out = problems(write(tmp_path, data))
    assert out == [f"{tmp_path / 'scen.yaml'}: freight[0].to: unknown node 'nowhere' (expected a node id of the network) [line 10]"] or \
        any("freight[0].to: unknown node 'nowhere'" in m for m in out)


def test_unreachable_destination(tmp_path):
    net = network([node("a"), node("b"), node("c")], [link("ab", "a", "b")])
    out = problems(write(tmp_path, mutate(**{"freight.0.to": "c"}), net=net))
    assert any("no road route from 'a' to 'c'" in m for m in out)


def test_network_link_to_unknown_node_and_duplicate_ids(tmp_path):
    net = network([node("a"), node("b"), node("b")], [link("ab", "a", "zz")])
    out = problems(write(tmp_path, GOOD, net=net))
    assert any("links[0].to: unknown node 'zz'" in m for m in out)
    assert any("nodes[2].id: duplicate id 'b'" in m for m in out)


def test_country_code_no_is_not_a_boolean(tmp_path):
    text = yaml.safe_dump(GOOD_NET).replace("country: 'NO'", "country: NO")
    assert "country: NO" in text
    (tmp_path / "net.yaml").write_text(text)
    path = tmp_path / "scen.yaml"
    path.write_text(yaml.safe_dump(GOOD))
    assert load_scenario(path).network.spec.nodes[0].country == "NO"


def test_missing_network_file(tmp_path):
    path = tmp_path / "scen.yaml"
    path.write_text(yaml.safe_dump(mutate(network="nope.yaml")))
    (message,) = problems(path)
    assert "network: network file 'nope.yaml' not found" in message


@pytest.mark.parametrize("command", ["validate", "run"])
def test_cli_prints_problems_without_traceback(tmp_path, command):
    path = write(tmp_path, mutate(**{"disruptions.0.target": "e99", "horizon": "-3h"}))
    proc = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", command, str(path), "--out", str(tmp_path)]
                          if command == "run" else [sys.executable, "-m", "beredskap_sim.cli", command, str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "problems found" in proc.stderr
    assert "horizon:" in proc.stderr
    assert not list(tmp_path.glob("t/*")), "a failed run must not leave a results folder"


def test_cli_validate_ok_prints_summary(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", "validate", str(write(tmp_path, GOOD))],
                          capture_output=True, text=True)
    assert proc.returncode == 0
    assert proc.stdout.startswith("ok\n")
    assert "1 freight flows carry 10.0 t/day of food" in proc.stdout


def test_bad_id_is_explained_in_words(tmp_path):
    (message,) = problems(write(tmp_path, mutate(**{"freight.0.id": "Food to B"})))
    assert "freight[0].id: got 'Food to B' (expected an id of lower-case letters, digits, '-' and '_')" in message
