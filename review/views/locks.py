"""Locks: the trial's list of locks, locking (data managers) and unlocking with a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from participants.models import Lock, LockLevel, Participant
from participants.views.access import attach_errors, trial_for
from review.forms import LockForm, LockReleaseForm
from review.records import record_for
from review.services.locks import can_lock, can_lock_at, lock_apply, lock_release
from trials.models import site_scope


def _locks_in_scope(request, trial):
    """The trial's locks the user may see: trial locks, and locks of participants in scope."""
    return Lock.objects.filter(trial=trial).filter(
        Q(participant__isnull=True) | Q(site_scope(request.user, "trial", "participant__site"))
    )


def _manager_trial(request, code):
    trial = trial_for(request, code)
    if not can_lock(request.user, trial.pk):
        raise PermissionDenied("Only the trial's data managers lock and unlock data.")
    return trial


@login_required
def lock_list(request, code):
    """Active and past locks of the trial (in the user's scope), newest first."""
    trial = trial_for(request, code)
    locks = _locks_in_scope(request, trial).select_related(
        "locked_by", "unlocked_by", "participant"
    )
    active = list(locks.filter(unlocked_at__isnull=True)[:200])
    past = Paginator(locks.filter(unlocked_at__isnull=False), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "review/lock_list.html",
        {
            "trial": trial,
            "active": active,
            "past": past,
            "can_lock": can_lock(request.user, trial.pk),
            # the whole trial: a data manager of all its sites
            "can_lock_trial": can_lock_at(request.user, trial.pk, None),
            "trial_locked": any(lock.level == LockLevel.TRIAL for lock in active),
        },
    )


def _next_url(request, form, default) -> HttpResponseRedirect:
    """Back to the page the lock button was on (a path on this site), else `default`.
    Never through redirect(), which would take a bare word for a view name to reverse."""
    target = (form.cleaned_data.get("next") or "") if form.is_valid() else ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


@login_required
@require_POST
def lock_add(request, code):
    """Lock the trial, a participant, a visit or a form (POST from the lock buttons)."""
    trial = _manager_trial(request, code)
    form = LockForm(request.POST)
    back = reverse("review:lock_list", args=[trial.code])
    if not form.is_valid():
        messages.error(request, "Not locked: say what to lock.")
        return redirect(back)
    data = form.cleaned_data
    level = data["level"]
    participant = visit = record = None
    if level != LockLevel.TRIAL:
        participant = get_object_or_404(
            Participant.objects.for_user(request.user), trial=trial, pk=data["participant"] or 0
        )
    if level == LockLevel.VISIT:
        visit = get_object_or_404(
            participant.visits.select_related("definition"), pk=data["visit"] or 0
        )
    if level == LockLevel.FORM:
        if not (data["ct"] and data["id"]):
            raise Http404("No such record.")
        record = record_for(data["ct"], data["id"], participant)
    try:
        lock = lock_apply(
            trial=trial,
            level=level,
            participant=participant,
            visit=visit,
            record=record,
            reason=data["reason"],
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, "Not locked: " + " ".join(exc.messages))
    else:
        messages.success(request, f"Locked: {lock.target_label}.")
    return _next_url(request, form, back)


@login_required
def lock_release_view(request, code, lock_pk):
    """Unlock, with the reason (required, refused beside the field when empty)."""
    trial = _manager_trial(request, code)
    lock = get_object_or_404(
        _locks_in_scope(request, trial).select_related("locked_by"),
        pk=lock_pk,
        unlocked_at__isnull=True,
    )
    form = LockReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lock_release(lock=lock, reason=form.cleaned_data["unlock_reason"], user=request.user)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"Unlocked: {lock.target_label}.")
            return redirect("review:lock_list", trial.code)
    return render(request, "review/lock_release.html", {"trial": trial, "lock": lock, "form": form})
