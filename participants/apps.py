from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "participants"

    def ready(self):
        """A locked trial's configuration is read-only in the admin (trials/admin.py asks
        through its registry: trials never imports participants)."""
        from trials.admin import LOCKED_TRIAL_SOURCES

        if locked_trials not in LOCKED_TRIAL_SOURCES:
            LOCKED_TRIAL_SOURCES.append(locked_trials)


def locked_trials() -> set[int]:
    from participants.models import Lock, LockLevel

    return set(
        Lock.objects.active().filter(level=LockLevel.TRIAL).values_list("trial_id", flat=True)
    )
