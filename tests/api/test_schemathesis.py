"""Property-based API test: schemathesis generates requests from the app's own OpenAPI document and
checks that none of them gets a server error (5xx) and that responses conform to the documented
status codes, media types and schemas.

Bounded for CI: `SCHEMATHESIS_MAX_EXAMPLES` examples per operation (default 20), no deadline; the
whole module takes well under a minute on 2 cores.  The app runs in-process (ASGI) on an embedded
store holding the sample ordinance; a valid token is sent so the write paths are exercised too.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from analogmap.api.app import create_app  # noqa: E402
from analogmap.api.settings import Settings  # noqa: E402
from analogmap.kg.store import open_store  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

SAMPLE = (Path(__file__).parent / "fixtures" / "sample_ordinance.txt").read_text(encoding="utf-8")
TOKEN = "schemathesis-token-0123456789"
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20"))


def _app():
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="analogmap-schemathesis-"))
    store = open_store("embedded", path=directory / "graph")
    app = create_app(Settings(store_path=directory / "graph", api_tokens={"fuzz": TOKEN},
                              max_upload_bytes=256 * 1024, check_timeout_s=30), store=store)
    with TestClient(app) as client:
        response = client.post("/check?store=true", json={"content": SAMPLE, "doc_id": "sakura-akiya"},
                               headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200, response.text
    return app


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
    # No 5xx, and every answer is documented (status, media type, body schema).  Schema-valid input
    # may still be refused by rules the schema cannot say (e.g. at most 16 free-text terms): 422 is fine.
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance])
