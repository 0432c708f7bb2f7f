"""Where the real data lives, and how tests that need it skip (or fail under CI=true)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = (REPO_ROOT / ".." / "shared").resolve()
CORPUS = SHARED / "corpus"
TECHMAP = SHARED / "techmap" / "datechmap"


def require_shared(path: Path = CORPUS) -> Path:
    """Return `path`, or skip (fail under CI=true) when ../shared is absent."""
    if path.exists():
        return path
    message = f"real data not found at {path} (../shared beside the repository)"
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; CI must have it")
    pytest.skip(message)
