"""Login, lockout (django-axes), idle timeout, password rules and logout, through the real
forms (the production headers and cookies: test_security.py)."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "lserine-demo-2026"


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_it_logs_in_through_the_form_and_lands_on_my_trials(client, coordinator):
    response = _login(client, "coordinator01", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("trials:home")


def _page_for(response, username):
    """The page's HTML, with the username it echoes and its CSRF token blanked out."""
    html = response.content.decode().replace(username, "USERNAME")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


def test_it_does_not_say_whether_a_username_exists(client, coordinator):
    wrong_password = _login(client, "coordinator01", "not-the-password")
    no_such_user = _login(client, "nobody-by-this-name", "not-the-password")
    assert wrong_password.status_code == no_such_user.status_code == 200
    assert "The username or password is not correct." in wrong_password.content.decode()
    assert _page_for(wrong_password, "coordinator01") == _page_for(
        no_such_user, "nobody-by-this-name"
    )


def test_it_locks_the_account_after_five_failed_logins(client, coordinator):
    for _ in range(4):
        assert _login(client, "coordinator01", "wrong").status_code == 200
    fifth = _login(client, "coordinator01", "wrong")
    assert fifth.status_code == 429
    assert "Account locked" in fifth.content.decode()
    # Locked: even the right password is refused now.
    sixth = _login(client, "coordinator01", PASSWORD)
    assert sixth.status_code == 429
    assert "Too many failed log-in attempts" in sixth.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unknown_username_is_locked_out_the_same_way(client, coordinator):
    """Lockout is no oracle either: five failures lock a name nobody has, with the same
    page as a real account's."""
    known = [_login(client, "coordinator01", "wrong") for _ in range(5)]
    unknown = [_login(client, "nobody-by-this-name", "wrong") for _ in range(5)]
    assert [r.status_code for r in unknown] == [r.status_code for r in known]
    assert [r.status_code for r in known] == [200] * 4 + [429]
    assert unknown[-1].content == known[-1].content
    assert _page_for(unknown[0], "nobody-by-this-name") == _page_for(known[0], "coordinator01")


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


def test_the_session_cookie_ends_with_the_browser_and_the_server_ends_it_at_thirty_minutes(
    client, coordinator
):
    response = _login(client, "coordinator01", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    # No Max-Age nor Expires: the browser drops the cookie when it closes; the server
    # holds the 30-minute idle limit (a browser restoring its session cannot extend it).
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    expires = Session.objects.get(session_key=cookie.value).expire_date
    idle_limit = timezone.now() + datetime.timedelta(minutes=30)
    assert abs((expires - idle_limit).total_seconds()) < 60


def _change_password(client, new_password):
    """The admin's password change form, as the study coordinator (a staff account)."""
    return client.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("serine-2026", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("202611210238", "This password is entirely numeric."),
        ("studycoordinator!", "The password is too similar to the username."),
    ],
)
def test_a_weak_password_is_refused_beside_the_field(client, study_coordinator, password, message):
    _login(client, "studycoordinator", PASSWORD)
    response = _change_password(client, password)
    assert response.status_code == 200
    assert message in response.context["form"].errors["new_password2"]
    assert message in response.content.decode()
    study_coordinator.refresh_from_db()
    assert study_coordinator.check_password(PASSWORD)


def test_a_long_uncommon_password_is_accepted(client, study_coordinator):
    _login(client, "studycoordinator", PASSWORD)
    response = _change_password(client, "a much longer pass phrase 2026")
    assert response.status_code == 302
    study_coordinator.refresh_from_db()
    assert study_coordinator.check_password("a much longer pass phrase 2026")


def test_logout_refuses_a_get_and_the_session_survives(client, coordinator):
    _login(client, "coordinator01", PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("trials:home")).status_code == 200
