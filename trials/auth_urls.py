"""Login, logout and changing one's own password. Logout is POST-only (Django 5's
LogoutView). The password change asks for the current password and applies the password
validators (settings.AUTH_PASSWORD_VALIDATORS); it keeps the session (Django updates the
session's auth hash) and is audited like any user change. 21 CFR 11.300(b): every user can
change their password without an administrator."""

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
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
