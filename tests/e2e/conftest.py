"""End-to-end tests on the real Airflow components (api-server, scheduler, dag-processor,
triggerer) with the project's own DAGs and plugin. Marked ``e2e``: ``pytest -m e2e`` runs only
them, ``pytest -m "not e2e"`` skips them."""
from __future__ import annotations

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: end-to-end test on the real Airflow components (slow)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)
