"""Fixtures for tests that need a running Neo4j.

The server comes from the environment:

    NEO4J_URI       e.g. bolt://127.0.0.1:7687 (required)
    NEO4J_USER      default "neo4j"
    NEO4J_PASSWORD  default "" (the test server from scripts/neo4j-test-server
                    runs with authentication disabled and accepts anything)

Start a throwaway server for a local run with:

    uri=$(PYTHON=$(command -v python) scripts/neo4j-test-server start)
    NEO4J_URI=$uri python -m pytest -q -m neo4j
    scripts/neo4j-test-server stop

Without NEO4J_URI the tests that use these fixtures are skipped, except under
CI (CI=true), where a missing server is an error: .ci/run always starts one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import neo4j
import pytest


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture(scope="session")
def neo4j_settings() -> dict[str, str]:
    uri = os.environ.get("NEO4J_URI", "").strip()
    if not uri:
        reason = (
            "NEO4J_URI is not set: start a server with "
            "`scripts/neo4j-test-server start` and export NEO4J_URI"
        )
        if _in_ci():
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    return {
        "uri": uri,
        "user": os.environ.get("NEO4J_USER", "neo4j"),
        "password": os.environ.get("NEO4J_PASSWORD", ""),
    }


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_settings: dict[str, str]) -> Iterator[neo4j.Driver]:
    driver = neo4j.GraphDatabase.driver(
        neo4j_settings["uri"],
        auth=(neo4j_settings["user"], neo4j_settings["password"]),
        connection_timeout=10,
    )
    try:
        driver.verify_connectivity()
    except Exception as exc:  # noqa: BLE001 - report any failure to connect
        driver.close()
        pytest.fail(f"cannot connect to Neo4j at {neo4j_settings['uri']}: {exc!r}", pytrace=False)
    try:
        yield driver
    finally:
        driver.close()
