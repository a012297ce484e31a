"""Login, lockout (django-axes), idle timeout, and the cookie settings of production."""

import datetime
import json

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.processes import run_python

pytestmark = pytest.mark.django_db

PASSWORD = "lserine-demo-2026"


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_it_logs_in_through_the_form_and_lands_on_my_trials(client, coordinator):
    response = _login(client, "coordinator01", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("trials:home")


def test_it_does_not_say_whether_a_username_exists(client, coordinator):
    wrong_password = _login(client, "coordinator01", "not-the-password").content.decode()
    no_such_user = _login(client, "nobody-by-this-name", "not-the-password").content.decode()
    message = "The username or password is not correct."
    assert message in wrong_password and message in no_such_user


def test_it_locks_the_account_after_five_failed_logins(client, coordinator):
    for _ in range(4):
        assert _login(client, "coordinator01", "wrong").status_code == 200
    fifth = _login(client, "coordinator01", "wrong")
    assert fifth.status_code == 429
    assert "Account locked" in fifth.content.decode()
    # Locked: even the right password is refused now.
    locked = _login(client, "coordinator01", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock_the_account(client, coordinator):
    for _ in range(4):
        _login(client, "coordinator01", "wrong")
    assert _login(client, "coordinator01", PASSWORD).status_code == 302


def test_the_session_expiry_moves_forward_with_each_request(client, coordinator):
    _login(client, "coordinator01", PASSWORD)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert client.get(reverse("trials:home")).status_code == 200
    expires = Session.objects.get(session_key=key).expire_date
    idle_limit = timezone.now() + datetime.timedelta(minutes=30)
    assert abs((expires - idle_limit).total_seconds()) < 60


def test_it_ends_the_session_after_thirty_idle_minutes(client, coordinator):
    _login(client, "coordinator01", PASSWORD)
    key = client.session.session_key
    # The last request was 31 minutes ago: its 30-minute expiry has passed.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = client.get(reverse("trials:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_validators_reject_a_weak_password(coordinator):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("serine123", coordinator)
    validate_password("a much longer pass phrase 2026", coordinator)


def _settings_with(env: dict) -> dict:
    """Import the settings in a fresh process with the given environment."""
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
        "from django.conf import settings as s;"
        "print(json.dumps({k: getattr(s, k) for k in ["
        "'DEBUG','SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY',"
        "'SECURE_HSTS_SECONDS','SECURE_SSL_REDIRECT','SECURE_CONTENT_TYPE_NOSNIFF',"
        "'X_FRAME_OPTIONS','SESSION_COOKIE_AGE','SESSION_SAVE_EVERY_REQUEST']}))"
    )
    out = run_python("-c", code, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_cookies_are_secure_when_debug_is_off():
    values = _settings_with({"DEBUG": "0", "SECRET_KEY": "x" * 50})
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SESSION_COOKIE_AGE"] == 1800 and values["SESSION_SAVE_EVERY_REQUEST"]


def test_development_cookies_work_over_plain_http():
    values = _settings_with({"DEBUG": "1"})
    assert values["SESSION_COOKIE_SECURE"] is False


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    out = run_python("manage.py", "check", env={"DEBUG": "0"}, drop=("SECRET_KEY",))
    assert out.returncode != 0
    assert "Set SECRET_KEY" in out.stderr
