"""Forms of the review pages: cleaning only; the services write."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q

from participants.forms.base import ReportsHiddenErrors
from participants.models import LockLevel
from review.choices import QueryAge, QueryStatus
from review.models import Query, SignatureMeaning
from review.models.queries import age_filter, queryable_fields


class QueryRaiseForm(forms.Form):
    field_name = forms.ChoiceField(label="Field", required=False)
    text = forms.CharField(
        label="Question to the site", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field_name"].choices = [("", "The whole form"), *queryable_fields(model)]


class _VersionedForm(ReportsHiddenErrors, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, query, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = query.version


class QueryAnswerForm(_VersionedForm):
    prefix = "answer"
    text = forms.CharField(label="Answer", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    data_changed = forms.BooleanField(
        label="I changed the data on the form (with its reason for change) to answer this query",
        required=False,
    )


class QueryCloseForm(_VersionedForm):
    prefix = "close"
    text = forms.CharField(
        label="Note (optional)", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class QueryReopenForm(_VersionedForm):
    prefix = "reopen"
    text = forms.CharField(
        label="Why reopen?", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class VerifyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


STATUS_CHOICES = [
    ("unresolved", "Open or answered"),
    ("open", "Open"),
    ("answered", "Answered"),
    ("closed", "Closed"),
]


class QueryFilter(django_filters.FilterSet):
    """The query listing's GET parameters: ?site=01&status=unresolved&age=gt30&subject=01-0"""

    site = django_filters.CharFilter(field_name="participant__site__number", label="Site")
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", label="Status"
    )
    age = django_filters.ChoiceFilter(
        choices=QueryAge.choices, method="filter_age", label="Open for"
    )
    subject = django_filters.CharFilter(method="filter_subject", label="Subject")

    class Meta:
        model = Query
        fields = ["site", "status", "age", "subject"]

    def filter_status(self, queryset, name, value):
        if value == "unresolved":
            return queryset.unresolved()
        return queryset.filter(status=value.upper())

    def filter_age(self, queryset, name, value):
        # Age is how long the site has kept a query waiting: open queries only.
        return queryset.filter(age_filter(value), status=QueryStatus.OPEN)

    def filter_subject(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(participant__subject_number__icontains=value)
            | Q(participant__screening_number__icontains=value)
        )


SDV_STATUS_CHOICES = [
    ("awaiting", "Awaiting verification"),
    ("verified", "Verified"),
    ("cleared", "Verification cleared"),
    ("not_verified", "Never verified"),
]


class VerificationFilterForm(forms.Form):
    """The SDV listing's GET parameters: ?site=01&status=awaiting"""

    site = forms.CharField(required=False, label="Site")
    status = forms.ChoiceField(choices=[("", "All"), *SDV_STATUS_CHOICES], required=False)


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
