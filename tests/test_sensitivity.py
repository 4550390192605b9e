"""One-at-a-time sensitivity: a figure that drives the KPI linearly shows the swing computed by
hand, a figure with no effect shows none, the tornado is ranked by |swing|, ranges in the
data are checked, and drawing the figures per replication widens the interval."""

import pandas as pd
import pytest
import yaml

from beredskap_sim.cli import main
from beredskap_sim.experiment.sensitivity import Study, assumed_figures, one_at_a_time, rank, sampled_inputs
from beredskap_sim.scenario.errors import ScenarioError
from beredskap_sim.scenario.loader import load_scenario
from builders import freight, link, network, node

ASSUMED = "assumption: for the test"


def _write(tmp_path, flow_range=(100, 300), bad_range=None):
    """Two days, no disruption: a → b at 200 t/day (range 100–300), c → b at 50 t/day (no range:
    ±50 %), and a link d–e that no flow can use, its speed assumed."""
    links = [link("ab", "a", "b"), link("cb", "c", "b"), link("de", "d", "e")]
    for item in links:
        item["sources"] = {"length_km": "facts: test", "speed_kmh": ASSUMED if item["id"] == "de" else "facts: test",
                           "tonnes_per_hour": "facts: test"}
    net = network([node(n) for n in "abcde"], links)
    (tmp_path / "net.yaml").write_text(yaml.safe_dump(net, allow_unicode=True), encoding="utf-8")
    one = freight("one", "a", "b", 200, slot="24h")
    one["sources"] = {"tonnes_per_day": {"assumption": "for the test", "range": list(bad_range or flow_range)}}
    two = freight("two", "c", "b", 50, slot="24h", sources={"tonnes_per_day": ASSUMED})
    data = {"name": "sensitivity test", "network": "net.yaml", "start": "2024-01-01", "horizon": "2d",
            "record_step": "1h", "freight": [one, two], "disruptions": [],
            "sources": {"horizon": "facts: test", "record_step": "facts: test"}}
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_assumed_figures_with_their_ranges(tmp_path):
    figures = {f.path: f for f in assumed_figures(load_scenario(_write(tmp_path)))}
    assert set(figures) == {"scenario.freight[0].tonnes_per_day", "scenario.freight[1].tonnes_per_day",
                            "network.links[2].speed_kmh"}
    one, two, de = (figures[p] for p in ("scenario.freight[0].tonnes_per_day", "scenario.freight[1].tonnes_per_day",
                                         "network.links[2].speed_kmh"))
    assert (one.low, one.high, one.ranged) == (100, 300, True)
    assert (two.low, two.high, two.ranged) == (25, 75, False)  # ±50 %
    assert (de.low, de.high, de.unit) == (50, 150, "km/h")
    assert one.label == "one: tonnes per day" and one.unit == "t/day"


def test_swings_by_hand_zero_swing_and_the_tornado_order(tmp_path):
    scenario_file = _write(tmp_path)
    out = tmp_path / "results"
    assert main(["sensitivity", str(scenario_file), "--kpi", "tonnes_demanded:all", "-n", "1",
                 "--executor", "serial", "--out", str(out)]) == 0
    folder = next(out.glob("sensitivity-*/*"))
    table = pd.read_csv(folder / "sensitivity.csv")
    assert (folder / "tornado.png").stat().st_size > 10_000
    by = table.set_index("path")
    # Demanded tonnes over 2 days = 2 × (t/day of one + t/day of two): linear in each figure.
    assert by.loc["scenario.freight[0].tonnes_per_day", "kpi_base"] == pytest.approx(2 * (200 + 50))
    assert by.loc["scenario.freight[0].tonnes_per_day", "swing"] == pytest.approx(2 * (300 - 100))
    assert by.loc["scenario.freight[1].tonnes_per_day", "swing"] == pytest.approx(2 * (75 - 25))
    assert by.loc["scenario.freight[0].tonnes_per_day", "kpi_low"] == pytest.approx(2 * (100 + 50))
    assert by.loc["network.links[2].speed_kmh", "swing"] == 0.0  # no flow can use d–e
    assert list(table["path"]) == ["scenario.freight[0].tonnes_per_day", "scenario.freight[1].tonnes_per_day",
                                   "network.links[2].speed_kmh"]
    assert list(table["rank"]) == [1, 2, 3]


def test_rank_orders_by_absolute_swing_and_puts_figures_not_varied_last():
    table = pd.DataFrame({"variant": "v", "path": list("abcd"), "swing": [1.0, -5.0, float("nan"), 3.0]})
    assert list(rank(table)["path"]) == ["b", "d", "a", "c"]


@pytest.mark.parametrize("bad,words", [((300, 100), "low < high"), ((1, "x"), "two finite numbers")])
def test_a_bad_range_is_named_with_file_and_field(tmp_path, bad, words):
    with pytest.raises(ScenarioError) as err:
        load_scenario(_write(tmp_path, bad_range=bad))
    text = str(err.value)
    assert "scenario.yaml" in text and "freight[0].sources.tonnes_per_day" in text and words in text


def test_a_variant_swings_by_its_paired_difference(tmp_path):
    scenario_file = _write(tmp_path)
    overlay = tmp_path / "double.yaml"
    overlay.write_text(yaml.safe_dump({"name": "double one", "changes": [
        {"scale": "scenario.freight[id=one].tonnes_per_day", "factor": 2, "source": ASSUMED}]}), encoding="utf-8")
    study = Study(str(scenario_file), [str(overlay)], ("tonnes_demanded", "all"), 1, 0)
    figures = [f for f in assumed_figures(load_scenario(scenario_file)) if f.path.endswith("freight[0].tonnes_per_day")]
    table, base = one_at_a_time(study, figures)
    # variant − baseline = 2 days × the flow's t/day: 400 t at 200 t/day, swing 2 × (300 − 100).
    assert base == [pytest.approx(400.0)]
    assert table.loc[0, "swing"] == pytest.approx(400.0)


def test_sampled_inputs_widen_the_interval(tmp_path):
    study = Study(str(_write(tmp_path)), [], ("tonnes_demanded", "all"), 6, 3)
    ranged = [f for f in assumed_figures(load_scenario(tmp_path / "scenario.yaml")) if f.ranged]
    row = sampled_inputs(study, ranged).iloc[0]
    assert row["halfwidth_fixed_inputs"] == 0.0  # nothing random: every replication demands 500 t
    assert row["halfwidth_sampled_inputs"] > 0
    assert 2 * (100 + 50) < row["value_sampled_inputs"] < 2 * (300 + 50)


def test_bcr_through_the_adapter_follows_the_annuity_of_a_varied_discount_rate(tmp_path):
    """A closure of a–b for a day sends a → b round a–c–b; the variant (an investment of 1 MNOK
    over 10 years, no yearly cost) makes the detour faster. BCR = A(i) · avoided / investment,
    so with the discount rate varied over 2–6 % the BCRs stand as the annuity factors."""
    from beredskap_sim.experiment.compare import annuity_factor

    net = network([node("a"), node("b"), node("c")],
                  [link("ab", "a", "b"), link("ac", "a", "c", length_km=200), link("cb", "c", "b", length_km=200)])
    (tmp_path / "net.yaml").write_text(yaml.safe_dump(net), encoding="utf-8")
    data = {"name": "bcr test", "network": "net.yaml", "start": "2024-01-01", "horizon": "2d", "record_step": "1h",
            "freight": [freight("f", "a", "b", 240)],
            "disruptions": [{"id": "slide", "target": "ab", "start": "0h", "duration": "24h", "effect": "close"}],
            "values": {"per_tonne_hour": {"default": 100}, "discount_rate": 0.04,
                       "sources": {"discount_rate": {"assumption": "for the test", "range": [0.02, 0.06]}}}}
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (tmp_path / "faster.yaml").write_text(yaml.safe_dump({
        "name": "faster detour", "investment": {"cost": 1.0e6, "lifetime_years": 10},
        "changes": [{"set": "network.links[id=ac].speed_kmh", "value": 200, "source": ASSUMED},
                    {"set": "network.links[id=cb].speed_kmh", "value": 200, "source": ASSUMED}]}), encoding="utf-8")
    study = Study(str(tmp_path / "scenario.yaml"), [str(tmp_path / "faster.yaml")], "bcr", 1, 0)
    figures = [f for f in assumed_figures(load_scenario(tmp_path / "scenario.yaml")) if f.path.endswith("discount_rate")]
    table, base = one_at_a_time(study, figures)
    row = table.iloc[0]
    assert base[0] > 0
    assert row["kpi_low"] / base[0] == pytest.approx(annuity_factor(0.02, 10) / annuity_factor(0.04, 10))
    assert row["kpi_high"] / base[0] == pytest.approx(annuity_factor(0.06, 10) / annuity_factor(0.04, 10))
    assert row["swing"] < 0  # a higher discount rate lowers the BCR


def test_an_unknown_kpi_is_an_error_naming_the_option(tmp_path, capsys):
    assert main(["sensitivity", str(_write(tmp_path)), "--kpi", "tonnes_eaten:all", "-n", "1",
                 "--executor", "serial", "--out", str(tmp_path / "r")]) == 2
    assert "--kpi tonnes_eaten:all: the scenario has no such KPI" in capsys.readouterr().err


def test_an_end_the_file_refuses_is_cut_halfway_back(tmp_path):
    """A storm closes a–b with probability 0.8 (assumed, no range): × 1.5 = 1.2 is not a
    probability, so the high end is cut halfway back to 0.8 + 0.2 = 1.0; the low end stays 0.4."""
    scenario_file = _write(tmp_path)
    data = yaml.safe_load(scenario_file.read_text(encoding="utf-8"))
    data["hazards"] = [{"id": "storm", "rate_per_year": 50, "duration": "6h",
                        "footprint": [{"target": "ab", "probability": 0.8}],
                        "sources": {"rate_per_year": "facts: test", "duration": "facts: test", "footprint": ASSUMED}}]
    scenario_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    figures = [f for f in assumed_figures(load_scenario(scenario_file)) if f.path.endswith("probability")]
    assert [(f.low, f.high) for f in figures] == [(0.4, pytest.approx(1.2))]
    table, _ = one_at_a_time(Study(str(scenario_file), [], ("tonnes_demanded", "all"), 1, 0), figures)
    assert (table.loc[0, "low"], table.loc[0, "high"]) == (0.4, pytest.approx(1.0))
    assert table.loc[0, "note"] == "range cut to 0.4–1 to keep the file valid"


def test_a_whole_looking_value_of_a_number_field_is_cut_to_a_fraction(tmp_path):
    """Reorder level 4.0 days (a number field) under an order-up-to level of 5: × 1.5 = 6 and
    halfway back 5 are refused, 4.5 is taken — not rounded back to 4."""
    scenario_file = _write(tmp_path)
    data = yaml.safe_load(scenario_file.read_text(encoding="utf-8"))
    net = yaml.safe_load((tmp_path / "net.yaml").read_text(encoding="utf-8"))
    net["nodes"][3]["population"] = 1000  # d, fed from e over the link d–e
    (tmp_path / "net.yaml").write_text(yaml.safe_dump(net, allow_unicode=True), encoding="utf-8")
    data["food"] = {"kg_per_person_day": 1.5, "groups": {"dry": 1.0}, "threshold_days": 3, "review": "6h",
                    "municipalities": [{"node": "d", "stock_days": 5, "supply_from": "e", "reorder_days": 4,
                                        "order_up_to_days": 5, "sources": {"reorder_days": ASSUMED}}],
                    "warehouses": [{"node": "e"}]}
    scenario_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    figures = [f for f in assumed_figures(load_scenario(scenario_file)) if f.path.endswith("reorder_days")]
    assert not figures[0].whole
    table, _ = one_at_a_time(Study(str(scenario_file), [], ("tonnes_demanded", "all"), 1, 0), figures)
    assert (table.loc[0, "low"], table.loc[0, "high"]) == (2.0, 4.5)
