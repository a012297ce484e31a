from django.apps import AppConfig


class ReviewConfig(AppConfig):
    verbose_name = "Review: monitoring, queries, verification, signatures"
    name = "review"

    def ready(self):
        """Plug review's panels into the lower apps' pages (they never import review)."""
        from participants.views.records import RECORD_PANELS
        from participants.views.visits import VISIT_PANELS
        from review.panels import casebook_review_panel, record_review_panel, visit_review_panel
        from safety.views.casebook import CASEBOOK_PANELS

        for registry, panel in (
            (RECORD_PANELS, record_review_panel),
            (VISIT_PANELS, visit_review_panel),
            (CASEBOOK_PANELS, casebook_review_panel),
        ):
            if panel not in registry:
                registry.append(panel)
