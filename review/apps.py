from django.apps import AppConfig


class ReviewConfig(AppConfig):
    verbose_name = "Review: monitoring, queries, verification, signatures"
    name = "review"

    def ready(self):
        """Plug the review panels into the lower apps' registries (they never import
        review): every form page, the casebook and the site dashboard."""
        from participants.views.dashboard import DASHBOARD_PANELS
        from participants.views.records import RECORD_PANELS
        from review.panels import casebook_panel, dashboard_panel, record_panel
        from safety.views.casebook import CASEBOOK_PANELS

        for registry, panel in (
            (RECORD_PANELS, record_panel),
            (CASEBOOK_PANELS, casebook_panel),
            (DASHBOARD_PANELS, dashboard_panel),
        ):
            if panel not in registry:
                registry.append(panel)
