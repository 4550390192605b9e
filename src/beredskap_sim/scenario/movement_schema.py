"""The ``movements:`` section of a scenario: military movement windows with reserved capacity.

A movement reserves, from ``start`` for ``duration``, rail paths per day on named rail links
and a share of the capacity of named road links. Civilian traffic keeps the rest: a rail link
with C freight paths a day and r reserved runs civilian trains at capacity factor (C − r) / C,
a road link with share s at 1 − s. The flows that name the movement (``movement: <id>`` in
``freight:``) use the reserved capacity on those links while the window lasts, spaced among
themselves by it (r trains a day); elsewhere, and after the window, they queue with everyone
else in their priority class (``model.movements``).
"""

from __future__ import annotations

from pydantic import Field

from .fields import Duration, Instant, Sources, Strict


class ReservedPaths(Strict):
    """Rail paths a day and direction held for the movement on ``target`` (link ids or groups)."""

    target: str | list[str] = Field(description="Rail link ids or group names.")
    trains_per_day: float = Field(gt=0, description="Paths per day and direction reserved; fewer than the link's own.")


class RoadShare(Strict):
    """A share of the capacity of ``target`` (road link ids or groups) held for the movement's convoys."""

    target: str | list[str] = Field(description="Road link ids or group names.")
    share: float = Field(gt=0, lt=1, description="Share of the link's capacity per direction, 0–1 (exclusive).")


class MovementSpec(Strict):
    """A military movement window: reserved rail paths and road capacity shares from ``start`` for ``duration``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    start: Instant
    duration: Duration = Field(gt=0)
    rail_paths: list[ReservedPaths] = Field(default_factory=list)
    road_shares: list[RoadShare] = Field(default_factory=list)
    sources: Sources
