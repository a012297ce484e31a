"""Login and logout. Logout is POST-only (Django 5's LogoutView)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from trials.forms import LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
