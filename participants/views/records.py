"""View steps every clinical record shares, whichever app owns the record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from participants.forms.base import EnteredInErrorForm
from participants.services import StaleEdit


def entered_in_error_from_post(request, record, mark, *, label: str, done: str, back: str):
    """Handle the POST of a record's "entered in error" form (DESIGN.md rule 2).

    `mark` is the owning app's service, called as mark(reason=, user=, expected_version=)
    (bind the record with functools.partial). On success the user goes to `done`; a missing
    reason, a record changed meanwhile or a refusal sends them `back` with the message.
    """
    form = EnteredInErrorForm(request.POST, record=record)
    if not form.is_valid():
        messages.error(request, f"Say why the {label} was entered in error.")
        return redirect(back)
    try:
        mark(
            reason=form.cleaned_data["entered_in_error_reason"],
            user=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except StaleEdit:
        messages.error(request, f"Not marked: the {label} changed after you opened it.")
        return redirect(back)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, f"{label[:1].upper()}{label[1:]} marked entered in error.")
    return redirect(done)


# Panels other apps show on every clinical record's page (review: its open queries, source
# verification, lock and audit trail), filled by their AppConfig.ready(): callables
# (request, record) -> {"template": ..., ...} or None, whose dict is the context of the
# included template. Rendered by `{% record_panels record %}` (participants/templatetags/
# records.py). Each does a fixed number of queries.
RECORD_PANELS: list = []
