from django.apps import AppConfig


class ReviewConfig(AppConfig):
    verbose_name = "Review: monitoring, queries, verification, signatures"
    name = "review"

    def ready(self):
        """Plug the review panels into the lower apps' registries (they never import
        review): every form page, the visit page, the casebook and the site dashboard.
        review/panels.py: queries and source verification; review/lock_panels.py: locks,
        signatures and the audit trail link."""
        from participants.views.dashboard import DASHBOARD_PANELS
        from participants.views.records import RECORD_PANELS
        from participants.views.visits import VISIT_PANELS
        from review.lock_panels import (
            casebook_review_panel,
            record_review_panel,
            visit_review_panel,
        )
        from review.panels import casebook_panel, dashboard_panel, record_panel
        from safety.views.casebook import CASEBOOK_PANELS

        for registry, panel in (
            (RECORD_PANELS, record_panel),
            (RECORD_PANELS, record_review_panel),
            (VISIT_PANELS, visit_review_panel),
            (CASEBOOK_PANELS, casebook_panel),
            (CASEBOOK_PANELS, casebook_review_panel),
            (DASHBOARD_PANELS, dashboard_panel),
        ):
            if panel not in registry:
                registry.append(panel)
