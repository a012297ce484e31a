"""The lock trigger (participants/lock_triggers.py) on safety's clinical tables."""

from django.db import migrations

from participants.lock_triggers import form_guard_sql, guard_sql

_GUARDS = [
    form_guard_sql("safety", "adverseevent"),
    form_guard_sql("safety", "adverseeventreview"),
    form_guard_sql("safety", "labpanel"),
    form_guard_sql("safety", "endofstudy"),
    guard_sql("safety_renalsignal", "record", "safety", "renalsignal"),
    guard_sql(
        "safety_adverseeventcourse",
        "child",
        "safety",
        "adverseevent",
        "safety_adverseevent",
        "adverse_event_id",
    ),
    guard_sql("safety_labresult", "child", "safety", "labpanel", "safety_labpanel", "panel_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0003_locks"),
        ("safety", "0002_adverseevent_listing_indexes"),
    ]

    operations = [migrations.RunSQL(create, drop) for create, drop in _GUARDS]
