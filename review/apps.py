from django.apps import AppConfig


class ReviewConfig(AppConfig):
    verbose_name = "Review: monitoring, queries, verification, signatures"
    name = "review"
