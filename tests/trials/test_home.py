import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_lists_the_users_trials_and_roles(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("trials:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "LSER-ALS-01" in body and "LSER-HSAN1-01" in body
    assert "site 01" in body
    assert "site 02" not in body


def test_it_shows_no_trial_to_a_user_without_a_role(client, outsider):
    client.force_login(outsider)
    body = client.get(reverse("trials:home")).content.decode()
    assert "LSER-ALS-01" not in body
    assert "no role in any trial" in body
