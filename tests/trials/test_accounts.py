"""Accounts: every user changes their own password (21 CFR 11.300(b)); a study coordinator
adds the trial's people in the admin but can't touch a staff account or a superuser."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "lserine-demo-2026"
NEW_PASSWORD = "Tidal-Marsh-Lantern-2026"


def _change(client, old, new1, new2=None):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_a_site_user_changes_their_password_and_keeps_the_session(client, coordinator):
    client.force_login(coordinator)
    home = client.get(reverse("trials:home")).content.decode()
    assert reverse("password_change") in home  # reachable from every page's bar
    response = _change(client, DEMO_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    coordinator.refresh_from_db()
    assert coordinator.check_password(NEW_PASSWORD)
    assert client.get(reverse("trials:home")).status_code == 200  # still logged in
    client.post(reverse("logout"))
    response = client.post(
        reverse("login"), {"username": "coordinator01", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302 and client.get(reverse("trials:home")).status_code == 200


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("wrong-password-1", NEW_PASSWORD, "old_password", "Your old password was entered"),
        (DEMO_PASSWORD, "short-pw", "new_password2", "at least 12 characters"),
        (DEMO_PASSWORD, "password1234", "new_password2", "too common"),
        (DEMO_PASSWORD, "839201748261", "new_password2", "entirely numeric"),
        (DEMO_PASSWORD, "coordinator01x", "new_password2", "too similar"),
    ],
)
def test_a_refused_password_change_says_why_beside_the_field(
    client, coordinator, old, new, field, message
):
    client.force_login(coordinator)
    response = _change(client, old, new)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert message in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.check_password(DEMO_PASSWORD)


def test_the_password_page_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_study_coordinator_adds_a_site_user_in_the_admin(client, study_coordinator):
    client.force_login(study_coordinator)
    add = reverse("admin:auth_user_add")
    assert client.get(add).status_code == 200
    response = client.post(
        add,
        {
            "username": "coordinator03",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(username="coordinator03")
    assert user.check_password(NEW_PASSWORD)
    assert not user.is_staff and not user.is_superuser
    # Then names and e-mail, but no staff, superuser or permission fields to tick.
    change = client.get(reverse("admin:auth_user_change", args=[user.pk]))
    fields = change.context["adminform"].form.fields
    assert {"first_name", "email", "is_active"} <= set(fields)
    assert not {"is_staff", "is_superuser", "user_permissions", "groups"} & set(fields)
    client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": "coordinator03",
            "first_name": "Ada",
            "last_name": "Site",
            "email": "ada@example.org",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    user.refresh_from_db()
    assert user.first_name == "Ada" and not user.is_staff and not user.is_superuser


def test_a_study_coordinator_cant_change_a_staff_account_or_its_password(
    client, study_coordinator, unblinded_pharmacist
):
    assert unblinded_pharmacist.is_staff
    client.force_login(study_coordinator)
    password_url = reverse("admin:auth_user_password_change", args=[unblinded_pharmacist.pk])
    response = client.post(
        password_url,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 403
    unblinded_pharmacist.refresh_from_db()
    assert unblinded_pharmacist.check_password(DEMO_PASSWORD)
    change = reverse("admin:auth_user_change", args=[unblinded_pharmacist.pk])
    client.post(change, {"username": "pharmacist", "is_active": ""})
    unblinded_pharmacist.refresh_from_db()
    assert unblinded_pharmacist.is_active


def test_a_site_coordinator_has_no_user_admin(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("admin:auth_user_add"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
