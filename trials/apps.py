from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrialsConfig(AppConfig):
    name = "trials"

    def ready(self):
        from trials.history_guard import install_triggers_after_migrate

        # Once per `migrate`, after every app's tables exist (trials/history_guard.py).
        post_migrate.connect(install_triggers_after_migrate, sender=self)
