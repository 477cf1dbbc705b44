"""Seeded fault injection: the share asked for, reproducible by seed, clear errors for bad specs."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from asin_tui.sandbox.faults import FaultInjector, FaultSpecError


def _statuses(make_harness, spec: str, seed: int, requests: int = 2000) -> list[str]:
    harness = make_harness(faults=FaultInjector.parse(spec, seed=seed), time_scale=1e6)
    outcomes = []
    for _ in range(requests):
        harness.clock.advance(1.0)
        answer = harness.get(harness.search_path, harness.mp)
        if answer.delay:
            outcomes.append("slow")
        elif answer.status == 200 and not _is_json(answer.body):
            outcomes.append("truncate")
        else:
            outcomes.append(str(answer.status))
    return outcomes


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def test_faulty_share_matches_the_spec(make_harness):
    spec = "429=0.1,500=0.05,503=0.05,slow=0.02:2.0,truncate=0.02"
    counts = Counter(_statuses(make_harness, spec, seed=3))
    shares = {kind: counts[kind] / 2000 for kind in ("429", "500", "503", "slow", "truncate")}
    assert shares["429"] == pytest.approx(0.10, abs=0.02)
    assert shares["500"] == pytest.approx(0.05, abs=0.015)
    assert shares["503"] == pytest.approx(0.05, abs=0.015)
    assert shares["slow"] == pytest.approx(0.02, abs=0.01)
    assert shares["truncate"] == pytest.approx(0.02, abs=0.01)
    assert counts["200"] / 2000 == pytest.approx(0.76, abs=0.03)


def test_same_seed_same_faults(make_harness):
    spec = "429=0.2,500=0.1,truncate=0.1"
    first = _statuses(make_harness, spec, seed=11, requests=300)
    assert _statuses(make_harness, spec, seed=11, requests=300) == first
    assert _statuses(make_harness, spec, seed=12, requests=300) != first


def test_no_faults_by_default(make_harness):
    harness = make_harness(time_scale=1e6)
    for _ in range(300):
        harness.clock.advance(1.0)
        answer = harness.get(harness.search_path, harness.mp)
        assert answer.status == 200 and answer.delay == 0 and _is_json(answer.body)


def test_fault_answers_have_amazon_shapes(make_harness):
    for kind, code in (
        ("429", "QuotaExceeded"),
        ("500", "InternalFailure"),
        ("503", "ServiceUnavailable"),
    ):
        harness = make_harness(faults=FaultInjector.parse(f"{kind}=1"))
        answer = harness.get(harness.search_path, harness.mp)
        assert answer.status == int(kind)
        assert answer.json()["errors"][0]["code"] == code


def test_truncated_answer_is_a_200_cut_in_half(make_harness):
    plain = make_harness()
    whole = plain.get(plain.search_path, plain.mp)
    harness = make_harness(faults=FaultInjector.parse("truncate=1"))
    cut = harness.get(harness.search_path, harness.mp)
    assert cut.status == 200
    assert len(cut.body) in (len(whole.body) // 2, len(whole.body) // 2 + 1)
    assert not _is_json(cut.body)


def test_truncation_leaves_errors_alone(make_harness):
    harness = make_harness(faults=FaultInjector.parse("truncate=1"))
    answer = harness.get(f"{harness.search_path}/NOPE", harness.mp)
    assert answer.status == 404 and _is_json(answer.body)


def test_slow_answer_carries_its_delay(make_harness):
    harness = make_harness(faults=FaultInjector.parse("slow=1:0.25"))
    answer = harness.get(harness.search_path, harness.mp)
    assert answer.status == 200 and answer.delay == 0.25


def test_token_endpoint_and_downloads_are_not_faulted(make_harness):
    harness = make_harness(faults=FaultInjector.parse("500=1"))
    form = (
        b"grant_type=refresh_token&client_id=amzn1.application-oa2-client.sandbox"
        b"&client_secret=sandbox-secret&refresh_token=Atzr%7Csandbox"
    )
    assert harness.app.handle("POST", "/auth/o2/token", "", {}, form).status == 200


def test_spec_round_trip():
    assert FaultInjector.parse(" 500=0.05, slow=0.02:1.5 ,429=0.1").spec == (
        "429=0.1,500=0.05,slow=0.02:1.5"
    )


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("", "empty"),
        ("404=0.1", "unknown kind '404'"),
        ("429", "KIND=SHARE"),
        ("429=lots", "not a number"),
        ("429=1.5", "between 0 and 1"),
        ("429=nan", "finite"),
        ("429=0.6,500=0.6", "must not exceed 1"),
        ("429=0.1,429=0.2", "twice"),
        ("500=0.1:2", "only 'slow'"),
        ("slow=0.1:-1", "positive"),
    ],
)
def test_bad_specs_are_explained(spec, fragment):
    with pytest.raises(FaultSpecError, match=fragment.replace("(", r"\(")):
        FaultInjector.parse(spec)


def test_a_forbidden_operation_answers_403_unauthorized_and_the_others_still_work(make_harness):
    """An application without the operation's SP-API role (each model lists 403 for
    "Access Denied, Unauthorized…"): what `sandbox serve --forbid` and config check use."""
    harness = make_harness(forbidden={"searchListingsItems"})
    answer = harness.get(harness.search_path, harness.mp)
    assert answer.status == 403
    assert json.loads(answer.body) == {
        "errors": [
            {
                "code": "Unauthorized",
                "message": "Access to requested resource is denied.",
                "details": "",
            }
        ]
    }
    assert "x-amzn-RateLimit-Limit" in answer.headers
    assert make_harness().get(harness.search_path, harness.mp).status == 200
