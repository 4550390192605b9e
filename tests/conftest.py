import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_collection_modifyitems(config, items):
    """Every test that drives headless Chromium (uses the ``browser`` fixture) carries the
    ``browser`` marker, so ``pytest -m "not browser"`` runs the rest without Chromium."""
    import pytest

    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
