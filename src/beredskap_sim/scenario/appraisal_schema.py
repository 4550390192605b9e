"""Appraisal conventions as data: how a year's benefit becomes a net present value.

A scenario's ``appraisal:`` section names a preset file (``preset: ../appraisal/norway-r109.yaml``,
a path relative to the scenario file, as ``network:`` is) and may override any of its fields;
a preset file has the same fields and cites a source for each figure. Without an ``appraisal:``
section, ``values.discount_rate`` over the investment's lifetime is used with no tax factor,
residual value or growth (the plain annuity of earlier versions).

Fields:

* ``discount_rates`` — real discount rate by year: ``[{from_year: 0, rate: 0.04}, {from_year: 40,
  rate: 0.03}]`` discounts years 1–40 at 4 % and the years after at 3 %; the discount factor of
  year t is Π_{s=1..t} 1 / (1 + r(s)), r(s) the rate of the last step with ``from_year`` < s;
* ``analysis_years`` — years of benefits counted from the opening year (empty: the
  investment's lifetime), at most ``max_analysis_years``;
* ``residual_value`` — when the lifetime outlasts the analysis period, the last analysed year's
  net benefit is counted on, without further growth, for the rest of the lifetime;
* ``tax_factor`` — cost to society of a krone of public budget (1.2 = a tax cost of 20 %);
* ``value_growth`` — real growth per year of the unit values (values of time, lost load, ...)
  from ``base_year``, the year prices and discounting refer to.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from .fields import Sources, Strict


class DiscountStep(Strict):
    """From ``from_year`` on (years after the base year), discount at ``rate`` a year."""

    from_year: int = Field(ge=0)
    rate: float = Field(ge=0, lt=1, description="Real discount rate a year.")


class AppraisalSpec(Strict):
    """The conventions of a cost–benefit appraisal (see the module text); every field optional
    in a scenario, where it overrides the preset."""

    preset: str | None = Field(default=None, description="A preset file, relative to this file.")
    name: str | None = None
    discount_rates: list[DiscountStep] | None = Field(default=None, min_length=1)
    analysis_years: int | None = Field(default=None, ge=1)
    max_analysis_years: int | None = Field(default=None, ge=1)
    residual_value: bool | None = None
    tax_factor: float | None = Field(default=None, ge=1, description="Budget krone × this = cost to society.")
    value_growth: float | None = Field(default=None, gt=-0.1, lt=0.1, description="Real growth of unit values a year.")
    base_year: int | None = Field(default=None, ge=1900, le=2200)
    sources: Sources

    @field_validator("discount_rates")
    @classmethod
    def _steps_in_order(cls, steps: list[DiscountStep] | None) -> list[DiscountStep] | None:
        if steps is not None:
            years = [s.from_year for s in steps]
            if years[0] != 0 or years != sorted(set(years)):
                raise ValueError(f"steps start at years {years}, expected increasing years starting at 0")
        return steps
