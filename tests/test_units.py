import datetime as dt

import pytest

from beredskap_sim.scenario.units import format_hours, parse_duration, parse_instant


@pytest.mark.parametrize("text,hours", [
    ("36h", 36), ("3d", 72), ("2w", 336), ("90m", 1.5), ("1d 6h", 30), (12, 12), (2.5, 2.5), ("45min", 0.75),
])
def test_durations(text, hours):
    assert parse_duration(text) == pytest.approx(hours)


@pytest.mark.parametrize("bad", ["3 days", "h", "", "-2h", -1, True, [1], "3x"])
def test_bad_durations_say_what_is_expected(bad):
    with pytest.raises(ValueError, match="expected|empty"):
        parse_duration(bad)


def test_instants_from_dates_and_durations():
    start = dt.datetime(2022, 1, 10)
    assert parse_instant("2022-01-12", start) == 48
    assert parse_instant("2022-01-12T14:00", start) == 62
    assert parse_instant("36h", start) == 36


def test_format_hours():
    assert format_hours(36) == "1d 12h"
    assert format_hours(72) == "3d"
    assert format_hours(5) == "5h"
