"""The desktop app's session check, local password login and `issue_token`."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.tokens import verify


@pytest.mark.django_db
def test_session_returns_the_caller_with_their_drift_role(api, alice):
    response = api(alice).post("/api/auth/session")
    assert response.status_code == 200
    assert response.json() == {
        "userId": "user_alice",
        "orgId": "org_acme",
        "email": "",
        "name": "Alice PM",
        "role": "pm",
        "avatarUrl": "",
    }


@pytest.mark.django_db
def test_first_sight_of_a_token_creates_the_user_as_a_developer(api, settings):
    from accounts.tokens import issue_local

    token, _ = issue_local(
        user_id="user_new", org_id="org_new", name="Newcomer", email="new@example.com"
    )
    response = api(token=token).post("/api/auth/session")
    assert response.json()["role"] == "dev"
    assert User.objects.get(pk="user_new").organization_id == "org_new"


@pytest.mark.django_db
def test_login_exchanges_a_password_for_a_working_token(api, alice):
    alice.username = "alice"
    alice.set_password("correct horse battery")
    alice.save()
    response = api().post(
        "/api/auth/login", {"username": "alice", "password": "correct horse battery"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    session = api(token=body["access_token"]).post("/api/auth/session")
    assert session.json()["userId"] == "user_alice"


@pytest.mark.django_db
def test_login_rejects_a_wrong_password(api, alice):
    alice.username = "alice"
    alice.set_password("correct horse battery")
    alice.save()
    response = api().post("/api/auth/login", {"username": "alice", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


@pytest.mark.django_db
def test_login_names_a_missing_field(api):
    response = api().post("/api/auth/login", {"username": "alice"})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "password"


@pytest.mark.django_db
def test_login_is_refused_when_local_auth_is_off(api, settings):
    settings.LOCAL_AUTH_ENABLED = False
    response = api().post("/api/auth/login", {"username": "a", "password": "b"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_issue_token_creates_the_user_and_prints_only_the_token():
    out = StringIO()
    call_command(
        "issue_token",
        "user_2ops",
        "--org",
        "org_ops",
        "--role",
        "pm",
        "--name",
        "Olga Ops",
        "--email",
        "olga@example.com",
        stdout=out,
    )
    token = out.getvalue().strip()
    assert "\n" not in token
    claims = verify(token)
    assert (claims.user_id, claims.org_id) == ("user_2ops", "org_ops")
    user = User.objects.get(pk="user_2ops")
    assert (user.role, user.name, user.email) == ("pm", "Olga Ops", "olga@example.com")


@pytest.mark.django_db
def test_issue_token_updates_an_existing_user(bob):
    call_command(
        "issue_token", "user_bob", "--org", "org_acme", "--role", "designer", stdout=StringIO()
    )
    bob.refresh_from_db()
    assert bob.role == "designer"
    assert bob.name == "Bob Dev"
