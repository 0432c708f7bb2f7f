"""Shared fixtures; the data-location helpers live in `shared_data` so test modules can import them."""
from __future__ import annotations

from pathlib import Path

import pytest

from shared_data import CORPUS, require_shared


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return require_shared(CORPUS)
