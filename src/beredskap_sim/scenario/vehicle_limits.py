"""Vehicle limits of a link: the heaviest vehicle it may carry without a special permit.

Rail links state their maximum permitted **axle load** (``axle_load_t``, tonnes per axle:
Meråkerbanen 22.5 t, Mittbanan 22.5 t west of Östersund and 25 t east of it, facts §1–2).
Road links state their **weight class**: the Norwegian *bruksklasse* ``Bk<axle>/<gross>``
or the Swedish *bärighetsklass* ``BK1``–``BK4``. A class gives the largest axle load and the
largest gross weight of a vehicle or combination (tonnes); the table below is the top of each
class — for short vehicles the permitted gross weight is lower (it depends on the axle
spacing), which the model does not resolve.

Sources: Norway, Forskrift om bruk av kjøretøy / vegvesen's Brutus code list (Bk6 27.5 t,
Bk8 31 t, BkT8 40 and 50 t, Bk10 50 and 60 t, axle loads 6 / 8 / 8 / 10 t); Sweden,
Trafikverket "Bärighetsklasser (BK) på vägar och broar" (BK1 64 t, BK2 51.4 t, BK3 37.5 t,
BK4 74 t with BK1's axle loads; 10 t axle in BK1, BK2 and BK4, 8 t in BK3). facts §14a.

A heavy **flow** gives ``axle_load_t`` (its rail wagons' axle load) and/or ``gross_weight_t``
(its road vehicles' gross weight); routing keeps it off rail links whose axle load is below
its own and road links whose class allows less than its gross weight (``network.routing``).
"""

from __future__ import annotations

# class → (largest axle load t, largest gross weight t)
WEIGHT_CLASSES: dict[str, tuple[float, float]] = {
    "Bk6/28": (6.0, 27.5),
    "Bk8/32": (8.0, 31.0),
    "BkT8/40": (8.0, 40.0),
    "BkT8/50": (8.0, 50.0),
    "Bk10/50": (10.0, 50.0),
    "Bk10/60": (10.0, 60.0),
    "BK3": (8.0, 37.5),
    "BK2": (10.0, 51.4),
    "BK1": (10.0, 64.0),
    "BK4": (10.0, 74.0),
}

NO_LIMITS: tuple[float, float] = (0.0, 0.0)
"""A flow's (axle load t, gross weight t) when it states neither: every link is permitted."""


def gross_limit_t(weight_class: str | None) -> float:
    """Largest gross weight (t) a road link of ``weight_class`` permits; infinite when not stated."""
    return WEIGHT_CLASSES[weight_class][1] if weight_class else float("inf")


def describe(limits: tuple[float, float]) -> str:
    """``axle load 25 t``, ``gross weight 60 t`` or both, for messages."""
    parts = []
    if limits[0] > 0:
        parts.append(f"axle load {limits[0]:g} t")
    if limits[1] > 0:
        parts.append(f"gross weight {limits[1]:g} t")
    return " and ".join(parts)
