"""Investigator signatures of a casebook or of one visit (21 CFR 11.50, 11.70, 11.200(a)(1)).

A signature shows the signer's printed name, the date and time and its meaning (11.50),
is bound to the records it signs (11.70) through a fingerprint of their versions, and is
given by re-entering the password (11.200(a)(1)). It is never changed nor deleted (a
database trigger refuses both); a later change to a signed record invalidates it, which
the casebook shows.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models

from participants.models import Participant, Visit
from trials.audit import audit_trackers


class SignatureMeaning(models.TextChoices):
    REVIEWED_ACCURATE = (
        "REVIEWED_ACCURATE",
        "I have reviewed the data and confirm it is accurate",
    )


@pghistory.track(*audit_trackers())
class Signature(models.Model):
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="signatures"
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
        help_text="Empty: the whole casebook.",
    )
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField("printed name of the signer", max_length=300)
    meaning = models.CharField(max_length=40, choices=SignatureMeaning.choices)
    signed_at = models.DateTimeField()
    # {"<app.model>:<pk>": version} of every record signed (review/signatures.py).
    fingerprint = models.JSONField()

    class Meta:
        ordering = ["-signed_at", "-pk"]
        triggers = [
            pgtrigger.Protect(
                name="signature_never_changed",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"Signature of {self.printed_name} on {self.participant}"
