"""Forms of the review pages (cleaning and layout only)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from participants.models import LockLevel
from review.models import SignatureMeaning


class LockForm(forms.Form):
    """What to lock: the level and its target (ids of the trial's participant, visit, or a
    form by content type and id)."""

    level = forms.ChoiceField(choices=LockLevel.choices)
    participant = forms.IntegerField(required=False)
    visit = forms.IntegerField(required=False)
    ct = forms.IntegerField(required=False)
    id = forms.IntegerField(required=False)
    reason = forms.CharField(required=False, max_length=500)
    next = forms.CharField(required=False)


class LockReleaseForm(forms.Form):
    unlock_reason = forms.CharField(
        label="Reason for unlocking",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,  # the service refuses an empty reason, beside this field
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Unlock", css_class="btn-warning"))


class SignatureForm(forms.Form):
    """The meaning of the signature and the signer's password, re-entered (11.200(a)(1))."""

    meaning = forms.ChoiceField(
        label="Meaning of this signature",
        choices=SignatureMeaning.choices,
        widget=forms.RadioSelect,
        initial=SignatureMeaning.REVIEWED_ACCURATE,
    )
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Re-enter your password to sign.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Sign", css_class="btn-primary"))
