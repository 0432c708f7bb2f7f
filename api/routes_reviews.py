"""`POST /reviews`: a reviewer's decision on a finding (needs a bearer token).

Who is the token's reviewer, when is the server's clock (UTC), and what it replaced is the finding's
current decision (or the review named in `replaces`).  Nothing is overwritten: every decision is a
new review record.
"""
from __future__ import annotations

from datetime import datetime, timezone

from analogmap.kg.records import ReviewRecord, review_id
from fastapi import APIRouter

from . import schemas
from .problems import Problem, problem_responses
from .routes_common import ReviewerDep, StoreDep, store_call

router = APIRouter(tags=["reviews"])


def current_review(reviews: list[ReviewRecord]) -> ReviewRecord | None:
    """The review that sets the status: the latest one no other review replaces."""
    replaced = {r.replaces for r in reviews if r.replaces}
    live = [r for r in reviews if r.id not in replaced]
    return max(live, key=lambda r: (r.created_at, r.id)) if live else None


@router.post("/reviews", status_code=201, response_model=schemas.ReviewResponse, summary="Record a review decision",
             responses=problem_responses(401, 404, 422))
def post_review(body: schemas.ReviewRequest, store: StoreDep, reviewer: ReviewerDep) -> schemas.ReviewResponse:
    """該当 / 非該当 / 見直し不要 / 要改正 / 改正済, with a comment."""
    detail = store_call(store.get_provision, body.provision_id)
    if detail is None:
        raise Problem(404, "not-found", f"no provision {body.provision_id!r}",
                      [{"field": "body.provision_id", "message": "unknown provision"}])
    finding = next((f for f in detail.findings if f.finding.id == body.finding_id), None)
    if finding is None:
        raise Problem(404, "not-found", f"no finding {body.finding_id!r} in {body.provision_id}",
                      [{"field": "body.finding_id", "message": "unknown finding"}])
    if body.replaces is not None:
        if not any(r.id == body.replaces for r in finding.reviews):
            raise Problem(422, "validation-error", f"review {body.replaces!r} is not a review of this finding",
                          [{"field": "body.replaces", "message": "not a review of this finding"}])
        replaces = body.replaces
    else:
        current = current_review(finding.reviews)
        replaces = current.id if current else None
    created_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    record = ReviewRecord(review_id(body.finding_id, reviewer, created_at), body.finding_id, body.decision, reviewer,
                          created_at, body.comment, replaces)
    store.upsert_reviews([record])
    after = store.get_provision(body.provision_id)
    status = next((f.finding.review_status for f in after.findings if f.finding.id == body.finding_id),
                  body.decision) if after else body.decision
    return schemas.ReviewResponse(**record.to_dict(), review_status=status)
