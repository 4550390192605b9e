"""Production by municipality: a production area produces its municipalities' shares of the
county total, so the geography of production (Innherred's 56 % of the county's meat, seed
memo) is an input an overlay can move."""

import numpy as np
import pytest

from beredskap_sim import simulate
from beredskap_sim.scenario.errors import ScenarioError
from test_food_chain import chain, kpis, store


def producer(**extra):
    """dc1 is the store's only source: 10 t in stock, no resupply, its own production."""
    return [{"node": "dc1", "stock_t": 10, **extra}]


def test_shares_of_the_county_total_produce_as_the_same_figure_given_directly(tmp_path):
    """0.56 × 36 t/day = 20.16 t/day, whether written as shares or as production_t_per_day:
    the same run hour by hour; without the shares the shelves run lower."""
    shares = chain(tmp_path, store(), producer(production_municipalities=["levanger", "verdal"]), horizon="4d",
                   production={"county_t_per_day": 36, "shares": {"levanger": 0.28, "verdal": 0.28, "rest": 0.44},
                               "sources": {}})
    direct = chain(tmp_path, store(), producer(production_t_per_day=20.16), horizon="4d")
    nothing = chain(tmp_path, store(), producer(), horizon="4d")
    np.testing.assert_allclose(shares.food.days, direct.food.days)
    # By hand: the store eats 24 t a day from 7 days' stock; dc1 can give it 10 t + 20.16 t a
    # day (short 3.84 t a day), or only its 10 t without production (short 24 t a day after it).
    assert kpis(nothing)[("food_min_days_of_supply", "town")] < kpis(shares)[("food_min_days_of_supply", "town")]


def test_a_warehouse_naming_a_municipality_without_a_share_is_an_error(tmp_path):
    with pytest.raises(ScenarioError) as error:
        chain(tmp_path, store(), producer(production_municipalities=["inderoy"]),
              production={"county_t_per_day": 36, "shares": {"levanger": 0.56}, "sources": {}})
    assert "inderoy" in str(error.value) and "levanger" in str(error.value)


def test_shares_above_the_county_total_are_an_error(tmp_path):
    with pytest.raises(ScenarioError) as error:
        chain(tmp_path, store(), producer(production_municipalities=["a"]),
              production={"county_t_per_day": 36, "shares": {"a": 0.7, "b": 0.5}, "sources": {}})
    assert "expected at most 1" in str(error.value)
