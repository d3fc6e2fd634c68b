"""Shared fixtures for the crisis detector tests (the shipped rules, loaded once)."""

from __future__ import annotations

import pytest

from cogs.crisis.detector import Detector, load_detector


@pytest.fixture(scope="session")
def detector() -> Detector:
    return load_detector()
