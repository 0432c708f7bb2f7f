"""A round trip through a real Neo4j over Bolt: write, read back, delete."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.neo4j


def test_write_read_delete_node(neo4j_driver) -> None:
    marker = f"analogmap-test-{uuid.uuid4()}"
    label = "AnalogmapConnectionTest"
    props = {"marker": marker, "title": "書面の掲示", "article": 3}

    try:
        summary = neo4j_driver.execute_query(
            f"CREATE (n:{label} {{marker: $marker, title: $title, article: $article}})",
            props,
        ).summary
        assert summary.counters.nodes_created == 1

        records, _, _ = neo4j_driver.execute_query(
            f"MATCH (n:{label} {{marker: $marker}}) RETURN n.title AS title, n.article AS article",
            marker=marker,
        )
        assert [r.data() for r in records] == [{"title": "書面の掲示", "article": 3}]
    finally:
        deleted = neo4j_driver.execute_query(
            f"MATCH (n:{label} {{marker: $marker}}) DELETE n RETURN count(*) AS c",
            marker=marker,
        ).records[0]["c"]

    assert deleted == 1
    records, _, _ = neo4j_driver.execute_query(
        f"MATCH (n:{label} {{marker: $marker}}) RETURN count(n) AS c", marker=marker
    )
    assert records[0]["c"] == 0
