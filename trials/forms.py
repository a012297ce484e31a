from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    # The same message whether the username exists or not.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "The username or password is not correct.",
    }
