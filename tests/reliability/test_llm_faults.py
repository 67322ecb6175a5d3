"""Issue 6 §6, the LLM's part: a model endpoint that times out, fails, refuses, answers
garbage or only unknown task ids costs nothing. The submission is stored with the
offline matcher's result, its history says which matcher decided and why the model
did not, and the client's own retries never multiply the wait."""

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories import make_brief, make_task, stripe_payload
from tests.reliability.servers import free_port
from tests.submissions.chat_server import ChatServer, serving

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("matching_worker")]


@pytest.fixture
def llm(settings: Any) -> Iterator[ChatServer]:
    with serving(settings) as server:
        yield server


@pytest.fixture
def brief(alice: Any) -> Any:
    brief = make_brief(alice, tasks=2)
    make_task(brief, title="Stripe webhook handler", description="Payment events from Stripe.")
    return brief


@pytest.fixture
def offline(api: Any, bob: Any, brief: Any, llm: ChatServer, settings: Any) -> list[dict]:
    """The offline matcher's matches for the submission every test here sends."""
    settings.MATCHER = "lexical"
    matches = api(bob).post("/api/submissions", stripe_payload(brief, bob)).json()["matches"]
    settings.MATCHER = "hybrid"
    assert matches, "the submission should give the offline matcher something to link"
    return matches


def submit_and_check(api: Any, alice: Any, bob: Any, brief: Any, offline: list[dict]) -> str:
    """POST the submission; it must be stored whole, with the offline result. Returns the
    name of the matcher that decided, from the history a PM reads."""
    response = api(bob).post("/api/submissions", stripe_payload(brief, bob))
    assert response.status_code == 201
    body = response.json()
    assert body["matchStatus"] == "matched"
    assert body["matches"] == offline
    detail = api(alice).get(f"/api/submissions/{body['id']}").json()
    assert len(detail["activities"]) == 3
    assert detail["history"][-1]["kind"] == "matched"
    return detail["history"][-1]["matcher"]


GARBAGE = {
    "prose instead of JSON": dict(content="The webhook task, I would say."),
    "JSON of another shape": dict(content=json.dumps({"matches": "the webhook one"})),
    "a confidence that is not a number": dict(
        content=json.dumps({"matches": [{"taskId": "x", "confidence": "high", "reason": ""}]})
    ),
    "an HTML page": dict(body=b"<html>502 Bad Gateway</html>", content_type="text/html"),
    "broken JSON": dict(body=b'{"choices": [{"message": '),
    "a completion without choices": dict(body=b'{"id": "x", "object": "chat.completion"}'),
}


@pytest.mark.parametrize("garbage", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_from_the_model_gets_the_offline_result(
    api, alice, bob, brief, llm, offline, garbage
):
    for name, value in garbage.items():
        setattr(llm, name, value)
    assert submit_and_check(api, alice, bob, brief, offline) == "lexical (LLM malformed)"


def test_only_unknown_task_ids_from_the_model_get_the_offline_result(
    api, alice, bob, brief, llm, offline
):
    llm.answer({"taskId": str(uuid.uuid4()), "confidence": 0.99, "reason": "Made up."})
    assert submit_and_check(api, alice, bob, brief, offline) == "lexical (LLM unknown ids)"


def test_a_refusal_gets_the_offline_result(api, alice, bob, brief, llm, offline):
    llm.content, llm.refusal = None, "I can't help with that request."
    assert submit_and_check(api, alice, bob, brief, offline) == "lexical (LLM refusal)"


def test_a_500_gets_the_offline_result_after_one_request(api, alice, bob, brief, llm, offline):
    llm.status = 500
    llm.body = json.dumps({"error": {"message": "The server had an error"}}).encode()
    assert submit_and_check(api, alice, bob, brief, offline) == "lexical (LLM error)"
    assert len(llm.requests) == 1  # no retry of our own nor the client's


def test_an_unreachable_model_gets_the_offline_result(
    api, alice, bob, brief, llm, offline, settings
):
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{free_port()}/v1"
    assert submit_and_check(api, alice, bob, brief, offline) == "lexical (LLM error)"


def test_a_model_that_does_not_answer_in_time_gets_the_offline_result(
    api, alice, bob, brief, llm, offline, settings
):
    settings.LLM_TIMEOUT = 0.5
    llm.delay = 30
    started = time.monotonic()
    assert submit_and_check(api, alice, bob, brief, offline) == "lexical (LLM timeout)"
    assert time.monotonic() - started < 5  # the setting's 0.5 s, not the default 20 s
    assert len(llm.requests) == 1  # the client's default would retry twice, with backoff
