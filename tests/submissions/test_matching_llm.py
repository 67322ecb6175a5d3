"""The LLM hybrid (issue 4 §7): the offline matcher shortlists, a model behind the chat
completions API decides, over real HTTP to a fake server on loopback."""

import io
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command

from briefs.models import Brief
from submissions.models import Activity, LlmUsage, Snippet, Submission, this_month
from tests.factories import OTHER_ORG, make_brief, make_task, stripe_payload
from tests.reliability.servers import BASE_DIR
from tests.submissions.chat_server import API_KEY, ChatServer, serving

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("matching_worker")]

SECRETS = [
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "AKIAIOSFODNN7EXAMPLE",
    "xoxb-123456789012-abcdefghijkl",
    "hunter2hunter2",
]


@pytest.fixture
def llm(settings: Any) -> Iterator[ChatServer]:
    with serving(settings) as server:
        yield server


def checkout(creator: Any) -> tuple[Brief, dict[str, str]]:
    brief = make_brief(creator)
    tasks = {
        "webhook": make_task(
            brief,
            title="Stripe webhook handler for Apple Pay",
            description="Receive payment events from Stripe and update orders.",
        ),
        "history": make_task(brief, title="Order history screen", description="List orders."),
        "emails": make_task(brief, title="Receipt emails", description="Send a receipt."),
    }
    return brief, {name: str(task.pk) for name, task in tasks.items()}


@pytest.fixture
def checkout_brief(alice: Any) -> tuple[Brief, dict[str, str]]:
    return checkout(alice)


def last_matcher(api: Any, pm: Any, submission_id: str) -> str:
    """Which matcher decided, as a PM reads it in the submission's history."""
    history = api(pm).get(f"/api/submissions/{submission_id}").json()["history"]
    return [e["matcher"] for e in history if e["kind"] == "matched"][-1]


def test_the_model_decides_among_the_shortlist_with_its_confidences_and_reasons(
    api, alice, bob, checkout_brief, llm, settings
):
    brief, tasks = checkout_brief
    reason = 'Summary line 1 "Implemented Stripe webhook handler" is this task.'
    llm.answer(
        {"taskId": tasks["webhook"], "confidence": 0.93, "reason": reason},
        {"taskId": tasks["emails"], "confidence": 0.12, "reason": "Nothing about receipts."},
    )
    response = api(bob).post("/api/submissions", stripe_payload(brief, bob))
    assert response.status_code == 201
    body = response.json()
    assert body["matchedTasks"] == [tasks["webhook"]]
    assert body["matches"] == [{"taskId": tasks["webhook"], "confidence": 0.93, "reason": reason}]
    assert body["needsReview"] is False
    assert last_matcher(api, alice, body["id"]) == "hybrid"
    (request,) = llm.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.body["model"] == settings.LLM_MODEL
    answer_format = request.body["response_format"]
    assert answer_format["type"] == "json_schema"
    assert answer_format["json_schema"]["strict"] is True
    item = answer_format["json_schema"]["schema"]["properties"]["matches"]["items"]
    assert sorted(item["properties"]["taskId"]["enum"]) == sorted(tasks.values())
    assert (
        "Implemented Stripe webhook handler for Apple Pay" in request.body["messages"][1]["content"]
    )


def test_task_ids_beyond_the_shortlist_are_dropped(api, alice, bob, llm):
    brief = make_brief(alice, tasks=11)
    webhook = str(make_task(brief, title="Stripe webhook handler", description="Stripe").pk)
    offered: list[str] = []

    def beyond_the_shortlist(request: dict[str, Any]) -> str:
        schema = request["response_format"]["json_schema"]["schema"]
        offered.extend(schema["properties"]["matches"]["items"]["properties"]["taskId"]["enum"])
        left_out = next(str(t.pk) for t in brief.tasks.all() if str(t.pk) not in offered)
        return json.dumps(
            {
                "matches": [
                    {"taskId": str(uuid.uuid4()), "confidence": 0.99, "reason": "Imagined."},
                    {"taskId": left_out, "confidence": 0.98, "reason": "Not offered."},
                    {"taskId": webhook, "confidence": 0.9, "reason": "The webhook handler."},
                ]
            }
        )

    llm.content = beyond_the_shortlist
    body = api(bob).post("/api/submissions", stripe_payload(brief, bob)).json()
    assert len(offered) == 8
    assert body["matchedTasks"] == [webhook]
    assert last_matcher(api, alice, body["id"]) == "hybrid"


def test_a_pm_is_asked_to_look_when_the_model_drops_what_the_offline_matcher_linked(
    api, alice, bob, checkout_brief, llm
):
    brief, _ = checkout_brief
    llm.answer()
    body = api(bob).post("/api/submissions", stripe_payload(brief, bob)).json()
    assert body["matchedTasks"] == []
    assert body["needsReview"] is True
    assert last_matcher(api, alice, body["id"]) == "hybrid"


def test_an_explicit_task_key_is_decided_without_asking_the_model(api, bob, checkout_brief, llm):
    brief, tasks = checkout_brief
    key = brief.tasks.get(pk=tasks["emails"]).key
    payload = stripe_payload(brief, bob, summary=[f"Finished {key}: receipts go out"])
    body = api(bob).post("/api/submissions", payload).json()
    assert body["matchedTasks"] == [tasks["emails"]]
    assert body["matches"][0]["confidence"] == 1.0
    assert llm.requests == []


def test_tokens_the_model_reports_are_counted_until_the_budget_is_spent(
    api, alice, bob, checkout_brief, llm, settings
):
    brief, tasks = checkout_brief
    settings.LLM_MONTHLY_TOKENS = 500
    llm.tokens = 600
    llm.answer({"taskId": tasks["webhook"], "confidence": 0.9, "reason": "The webhook."})
    first = api(bob).post("/api/submissions", stripe_payload(brief, bob)).json()
    assert last_matcher(api, alice, first["id"]) == "hybrid"
    assert LlmUsage.objects.spent(alice.organization_id) == 600

    second = api(bob).post("/api/submissions", stripe_payload(brief, bob)).json()
    assert last_matcher(api, alice, second["id"]) == "lexical (LLM budget spent)"
    assert second["matchedTasks"] == [tasks["webhook"]]  # the offline matcher's answer
    assert len(llm.requests) == 1


def test_the_budget_counts_per_org_and_per_month(
    api, alice, bob, mallory, checkout_brief, llm, settings
):
    brief, _ = checkout_brief
    settings.LLM_MONTHLY_TOKENS = 1000
    last_month = (this_month() - timedelta(days=1)).replace(day=1)
    LlmUsage.objects.create(organization_id=alice.organization_id, month=last_month, tokens=10**9)
    LlmUsage.objects.create(organization_id=OTHER_ORG, month=this_month(), tokens=1000)
    acme = api(bob).post("/api/submissions", stripe_payload(brief, bob)).json()
    assert last_matcher(api, alice, acme["id"]) == "hybrid"

    globex_brief, _ = checkout(mallory)
    globex = api(mallory).post("/api/submissions", stripe_payload(globex_brief, mallory)).json()
    assert last_matcher(api, mallory, globex["id"]) == "lexical (LLM budget spent)"
    assert len(llm.requests) == 1


def secret_payload(brief: Brief, user: Any) -> dict[str, Any]:
    payload = stripe_payload(brief, user)
    payload["summary"] = [f"Rotated the Stripe key {SECRETS[0]}", "Fixed the webhook handler"]
    payload["activities"][0]["title"] = f"stripe-webhook.ts token={SECRETS[1]}"
    payload["activities"][1]["summary"] = f"Read AWS docs, key {SECRETS[2]}"
    payload["snippets"] = [
        {"text": f"SLACK_TOKEN={SECRETS[3]}\npassword={SECRETS[4]}", "context": "terminal"}
    ]
    return payload


def test_secrets_in_a_submission_never_reach_the_model(api, bob, checkout_brief, llm):
    brief, _ = checkout_brief
    response = api(bob).post("/api/submissions", secret_payload(brief, bob))
    assert response.status_code == 201
    (request,) = llm.requests
    assert "Fixed the webhook handler" in request.body["messages"][1]["content"]
    for secret in SECRETS:
        assert secret not in request.everything


def test_work_stored_unredacted_is_redacted_before_it_leaves_for_the_model(
    bob, checkout_brief, llm
):
    """Rows written before a redaction rule existed are masked on their way out too."""
    brief, _ = checkout_brief
    payload = secret_payload(brief, bob)
    submission = Submission.objects.create(
        brief=brief, user=bob, user_name="Bob", role="dev", summary=payload["summary"], duration=5
    )
    Activity.objects.bulk_create(
        Activity(submission=submission, position=i, **activity)
        for i, activity in enumerate(payload["activities"])
    )
    Snippet.objects.create(submission=submission, position=0, **payload["snippets"][0])

    call_command("rematch", "--all", stdout=io.StringIO())
    (request,) = llm.requests
    assert "[REDACTED" in request.body["messages"][1]["content"]
    for secret in SECRETS:
        assert secret not in request.everything


def matcher_configured(**env: str) -> subprocess.CompletedProcess:
    code = "from drift import settings; print(settings.MATCHER)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_api_key_turns_on_the_hybrid_and_the_hybrid_needs_one():
    assert matcher_configured().stdout.strip() == "lexical"
    assert matcher_configured(OPENAI_API_KEY="sk-configured").stdout.strip() == "hybrid"
    refused = matcher_configured(DRIFT_MATCHER="hybrid")
    assert refused.returncode != 0
    assert "DRIFT_MATCHER=hybrid needs OPENAI_API_KEY" in refused.stderr
