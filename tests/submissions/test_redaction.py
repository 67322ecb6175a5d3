"""Secrets seen on screen are redacted before storage: through `POST /api/submissions`,
and rule by rule on `redact`. Ordinary code is left as it is."""

import pytest

from submissions.models import Snippet
from submissions.redaction import redact
from tests.factories import make_brief, make_task, stripe_payload

# One secret of each kind, as it shows on a screen.
SECRETS = {
    "stripe-key": "sk_live_51HqLyjWDarjtT1zdp7dcXY",
    "openai-key": "sk-proj-Xf9kD2mQ7vL1pR8sT4wZ6yB3nC5hJ0aE",
    "anthropic-key": "sk-ant-api03-Xf9kD2mQ7vL1pR8sT4wZ6yB3",
    "aws-key": "AKIAIOSFODNN7EXAMPLE",
    "github-token": "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "slack-token": "xoxb-2947182736-4826351029384-aB3dE5fG7hI9",
    "slack-webhook": "https://hooks.slack.com/services/T0A1B2C3D/B0E1F2G3H/x9Y8z7W6v5U4t3S2r1Q0",
    "google-key": "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEyMyJ9.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1g",
    "bearer-token": "Authorization: Bearer 8f2a61c9d04e4b7fa3c1e6d2b9f0a7e5",
    "basic-auth": "Authorization: Basic ZHJpZnQ6aHVudGVyMg==",
    "private-key": (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq9\n-----END RSA PRIVATE KEY-----"
    ),
    "password": "DB_PASSWORD=Tr0ub4dor&3",
    "secret": 'client_secret = "f3a9c2e7b1d84b6a"',
}
# The part of each that must not be stored.
SECRET_PARTS = {
    **SECRETS,
    "slack-webhook": "x9Y8z7W6v5U4t3S2r1Q0",
    "bearer-token": "8f2a61c9d04e4b7fa3c1e6d2b9f0a7e5",
    "basic-auth": "ZHJpZnQ6aHVudGVyMg==",
    "private-key": "MIIEowIBAAKCAQEA7bq9",
    "password": "Tr0ub4dor&3",
    "secret": "f3a9c2e7b1d84b6a",
}


@pytest.fixture
def apple_pay(alice):
    brief = make_brief(alice)
    make_task(brief, title="Stripe webhook setup", description="Webhook handler")
    return brief


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("matching_worker")
@pytest.mark.parametrize("kind", SECRETS)
def test_a_secret_in_any_text_of_a_submission_is_stored_redacted(api, bob, apple_pay, kind):
    seen = f"Debugging the webhook with {SECRETS[kind]} in place"
    payload = stripe_payload(apple_pay, bob, summary=[seen, "Wrote tests"])
    payload["activities"][0].update(title=seen, summary=seen)
    payload["snippets"] = [{"text": seen, "context": "terminal"}]
    created = api(bob).post("/api/submissions", payload)
    assert created.status_code == 201
    body = api(bob).get(created["Location"]).json()
    snippet = Snippet.objects.get(submission_id=body["id"]).text
    activity = body["activities"][0]
    for text in (body["summary"][0], activity["title"], activity["summary"], snippet):
        assert SECRET_PARTS[kind] not in text
        assert f"[REDACTED:{kind}]" in text
        assert text.startswith("Debugging the webhook with ")
    assert body["summary"][1] == "Wrote tests"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("export STRIPE_KEY=sk_test_4eC39HqLyjWDarjt", "export STRIPE_KEY=[REDACTED:stripe-key]"),
        ("whsec_5a1b2c3d4e5f6a7b8c9d0e1f2a3b", "[REDACTED:stripe-key]"),
        ("OPENAI_API_KEY=sk-Xf9kD2mQ7vL1pR8sT4wZ6yB3", "OPENAI_API_KEY=[REDACTED:openai-key]"),
        ("key id ASIAY34FZKBOKMUTVV7A used", "key id [REDACTED:aws-key] used"),
        ("github_pat_11ABCDEFG0123456789_abcdefghij", "[REDACTED:github-token]"),
        ("xoxp-1234567890-abcdefghij", "[REDACTED:slack-token]"),
        (
            'headers: {"authorization": "bearer abc123def456ghi789"}',
            'headers: {"authorization": "bearer [REDACTED:bearer-token]"}',
        ),
        (
            "curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'",
            "curl -H 'Authorization: Bearer [REDACTED:jwt]'",
        ),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk", "[REDACTED:private-key]"),
        ("password: hunter2", "password: [REDACTED:password]"),
        ("--password=s3cret!", "--password=[REDACTED:password]"),
        ('{"password": "hunter2"}', '{"password": "[REDACTED:password]"}'),
        ("'PASSWORD': 'postgres',", "'PASSWORD': '[REDACTED:password]',"),
        ('{"password1": "Tr0ub4dor"}', '{"password1": "[REDACTED:password]"}'),
        ("new_password = 'hunter2'", "new_password = '[REDACTED:password]'"),
        ("PASSWORD = 'correct horse battery'", "PASSWORD = '[REDACTED:password]'"),
        (
            "psql postgres://drift:s3cret@db:5432/drift",
            "psql postgres://drift:[REDACTED:password]@db:5432/drift",
        ),
        ('SECRET_KEY = "django-insecure-abc"', 'SECRET_KEY = "[REDACTED:secret]"'),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG",
            "aws_secret_access_key = [REDACTED:secret]",
        ),
        ("GET /export?token=9f8e7d6c5b4a&page=2", "GET /export?token=[REDACTED:secret]&page=2"),
        ("x-api-key: a1b2c3d4e5", "x-api-key: [REDACTED:secret]"),
    ],
)
def test_each_kind_of_secret_is_masked_and_the_text_around_it_kept(text, redacted):
    assert redact(text) == redacted


@pytest.mark.parametrize(
    "code",
    [
        'password = form.cleaned_data["password"]',
        "password = request.POST.get('password')",
        "user.set_password(password=new_password)",
        "def get_api_key(self):",
        "api_key = settings.STRIPE_API_KEY",
        "token = get_token()",
        "password: str",
        "password: Optional[str] = None",
        "Kept `password=new_password` and `password: str` in the form",
        '{"password": password, "token": token}',
        'errors = {"password": "This field is too short."}',
        "DB_PASSWORD = None",
        "PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']",
        "max_tokens=500",
        '"key": "APP-3"',
        "cache_key = f'match-deliveries:{submission_id}'",
        "pip install sk-learn",
        "from sklearn.linear_model import LogisticRegression  # sk-learn-estimators-guide",
        "550e8400-e29b-41d4-a716-446655440000",
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
        "Authorization: Bearer ${TOKEN}",
        'curl -H "Authorization: Bearer $TOKEN" $API/submissions',
        'headers["Authorization"] = f"Bearer {token}"',
        "Bearer tokens are checked by the middleware",
        "Basic authentication is off",
        "password=$DB_PASSWORD",
        "password: ${{ secrets.DB_PASSWORD }}",
        "password = '********'",
        "cd $PWD=/home/bob",
        "http://localhost:8000/api/submissions",
        "git clone git@github.com:acme/drift.git",
        "Reset password flow — Figma",
        "risk-assessment-2024-q3-report-final",
        "Slack | #payments | Acme",
    ],
)
def test_ordinary_code_and_text_are_left_alone(code):
    assert redact(code) == code


def test_a_cut_off_private_key_is_masked_to_the_end():
    text = "cat id_rsa\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
    assert redact(text) == "cat id_rsa\n[REDACTED:private-key]"


def test_redacting_twice_changes_nothing_more():
    once = redact(" ".join(SECRETS.values()))
    assert redact(once) == once
    assert once.count("[REDACTED:") == len(SECRETS)
