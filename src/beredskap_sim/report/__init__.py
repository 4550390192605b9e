"""report layer."""

WORKSHOP_MAX_REPLICATIONS = 20
"""Most replications one workshop run may ask for (the page offers 1–20)."""
