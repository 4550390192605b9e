"""Food hours booked in arrears: batch lengths that do not divide a day or the
record step, other seeds and production rates, on the stressed food chain of ``test_food_batched``."""

import pytest

from beredskap_sim import simulate
from beredskap_sim.model import food
from test_food_batched import assert_same, stress_case


@pytest.mark.parametrize("batch,seed,production", [(2, 1, 7), (7, 3, 0), (23, 2, 3), (25, 5, 7), (168, 4, 20),
                                                   (1000, 9, 7)])
def test_odd_batch_lengths_seeds_and_production_book_as_every_hour(monkeypatch, tmp_path, batch, seed, production):
    scenario = stress_case(tmp_path, production_t_per_day=production)
    monkeypatch.setattr(food, "MAX_BATCH_H", 1)
    hourly = simulate(scenario, seed=seed)
    monkeypatch.setattr(food, "MAX_BATCH_H", batch)
    batched = simulate(scenario, seed=seed)
    assert_same(hourly, batched)
