from django.apps import AppConfig


class SafetyConfig(AppConfig):
    verbose_name = "Safety: adverse events and labs"
    name = "safety"

    def ready(self):
        """Add safety's entries to the participants app's registries: participants never
        imports safety, so safety plugs in here (the visit's AE review and labs slots, and
        the dashboard's SAE and renal-signal panel)."""
        from participants.form_states import register_slot_source
        from participants.forms import CRF_FORMS
        from participants.models import CRF_MODELS
        from participants.views.dashboard import DASHBOARD_PANELS
        from safety.dashboard import safety_panel
        from safety.forms import AdverseEventReviewForm
        from safety.models import AdverseEventReview, LabPanel

        CRF_MODELS[AdverseEventReview.form_code] = AdverseEventReview
        CRF_FORMS[AdverseEventReview.form_code] = AdverseEventReviewForm
        register_slot_source(LabPanel.form_code, LabPanel, "safety:visit_labs")
        if safety_panel not in DASHBOARD_PANELS:
            DASHBOARD_PANELS.append(safety_panel)

        # The first dose sets the renal baseline: an exposure form saved (or corrected, or
        # entered in error) recomputes the participant's renal values (DESIGN.md rule 5).
        from django.db.models.signals import post_save

        from participants.models import StudyDrugExposure

        post_save.connect(
            exposure_saved, sender=StudyDrugExposure, dispatch_uid="safety_renal_exposure"
        )
        # The trial's signal thresholds and CTCAE version (set in the admin) take effect at
        # once: its participants with creatinine results are recomputed.
        from trials.models import Trial

        post_save.connect(trial_saved, sender=Trial, dispatch_uid="safety_renal_trial")


def exposure_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from safety.services import renal_recompute

    renal_recompute(instance.participant)


def trial_saved(sender, instance, raw=False, created=False, **kwargs):
    if raw or created:
        return
    from participants.locks import locked_participant_ids
    from participants.models import Participant
    from safety.services import renal_recompute

    # Locked data stays as it was locked: those participants are skipped, not failed on.
    with_creatinine = (
        Participant.objects.filter(trial=instance, lab_results__analyte="CREAT")
        .exclude(pk__in=locked_participant_ids(instance.pk))
        .distinct()
    )
    for participant in with_creatinine:
        renal_recompute(participant)
