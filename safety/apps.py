from django.apps import AppConfig


class SafetyConfig(AppConfig):
    verbose_name = "Safety: adverse events and labs"
    name = "safety"
