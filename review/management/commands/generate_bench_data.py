"""Trial-scale benchmark data: a trial of its own (BENCH-ALS) with N sites x M participants,
about 20 adverse events and 40 renal lab results per participant (at the defaults 5,000
participants, 100,000 AEs and 200,000 lab results), a monitor of every bench site, and
review marks on a share of the events when the review app has them.

Rows are written with bulk_create in batches (BATCH rows), never through the per-row
services: the services' checks and derivations (safety/services/labs.py) would take hours
at this scale. The derived renal values are computed here with the same pure functions
(safety/renal.py) and stored directly.

Triggers are off for the load when the database user may turn them off (a superuser, as on
the embedded server): `SET LOCAL session_replication_role = replica` skips the audit
triggers (django-pghistory), the lock guards and the foreign-key checks for this transaction
only. The listings measured read no audit event, and the rows are made consistent here; with
the triggers on, the load took about 30 minutes instead of a few. `--with-triggers` keeps
them (the bench database then holds an audit event per row, with the reason "Benchmark data
(generate_bench_data)", as production would). Never run it against a production database.

Not for a production database: run it against a database of its own (bench/README.md).
"""

import contextlib
import datetime
import random
import secrets
import time
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from meddra.demo import load_demo_subset
from meddra.models import Llt, MeddraRelease
from participants.choices import ParticipantStatus, VisitStatus
from participants.models import Participant, Visit
from safety import renal
from safety.choices import (
    ActionTaken,
    Outcome,
    Panel,
    Relationship,
    Severity,
    SignalAction,
    SignalStatus,
)
from safety.management.commands.seed_demo import ALS_VISITS
from safety.models import AdverseEvent, LabPanel, LabResult, RenalSignal
from trials.audit import audit_reason
from trials.choices import Analyte, Blinding, Frequency, Phase, RegimenType, Role, TrialStatus
from trials.models import Arm, Membership, Site, Trial, TrialSite, VisitDefinition

TRIAL_CODE = "BENCH-ALS"
MONITOR = "benchmonitor"
COORDINATOR = "benchcoordinator"
# Site numbers are two or three digits (trials.Site): the bench sites are 500, 501, ...
FIRST_SITE_NUMBER = 500
BATCH = 5000
AES_PER_PARTICIPANT = 20
# Lab panels per participant (a creatinine and a BUN result each): at the visits of the
# schedule (day offsets of seed_demo.ALS_VISITS) and at unscheduled repeats between them.
PANEL_DAYS = [-14, 0, 7, 14, 21, 30, 45, 60, 75, 90]
PANEL_DAYS += [105, 120, 135, 150, 165, 180, 190, 200, 205, 210]
REVIEWED_SHARE = 0.3
# Typical adult creatinine ranges in mg/dL (safety/analytes.py, clinical.md s2) and BUN.
CREATININE_RANGE = {"M": (Decimal("0.7"), Decimal("1.3")), "F": (Decimal("0.5"), Decimal("1.1"))}
BUN_RANGE = (Decimal("7"), Decimal("20"))
GRADES = [(1, 60), (2, 28), (3, 10), (4, 2)]
RELATIONSHIPS = [
    (Relationship.NOT_RELATED, 40),
    (Relationship.UNLIKELY, 25),
    (Relationship.POSSIBLE, 20),
    (Relationship.PROBABLE, 12),
    (Relationship.DEFINITE, 3),
]
SEVERITY_BY_GRADE = {1: Severity.MILD, 2: Severity.MODERATE, 3: Severity.SEVERE, 4: Severity.SEVERE}


def _weighted(rng, pairs):
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def _q(value, places: str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places))


def delete_tree(model, queryset, path=()) -> int:
    """Delete the rows of `queryset` and, first, every row that points at them through a
    database foreign key (audit event tables point without a constraint and are kept:
    they refuse deletes). Rows are deleted in SQL, without loading them."""
    deleted = 0
    for rel in model._meta.related_objects:
        if rel.many_to_many:
            through = rel.through if hasattr(rel, "through") else None
            if through is not None and through._meta.auto_created:
                deleted += through.objects.filter(
                    **{f"{model._meta.model_name}__in": queryset.values("pk")}
                )._raw_delete(through.objects.db)
            continue
        if not rel.field.db_constraint or rel.related_model in path:
            continue
        related = rel.related_model
        deleted += delete_tree(
            related,
            related._base_manager.filter(**{f"{rel.field.name}__in": queryset.values("pk")}),
            (*path, model),
        )
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        if through._meta.auto_created:
            source = field.m2m_field_name()
            through.objects.filter(**{f"{source}__in": queryset.values("pk")})._raw_delete(
                through.objects.db
            )
    return deleted + queryset._raw_delete(queryset.db)


class Command(BaseCommand):
    help = (
        "Create the benchmark trial BENCH-ALS: sites x participants, ~20 AEs and ~40 renal lab "
        "results each, a monitor (benchmonitor) of every bench site. Refuses if it exists "
        "unless --force (which drops and recreates it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sites", type=int, default=50)
        parser.add_argument("--participants-per-site", type=int, default=100)
        parser.add_argument("--seed", type=int, default=20261121)
        parser.add_argument("--force", action="store_true", help="Drop and recreate BENCH-ALS.")
        parser.add_argument(
            "--with-triggers",
            action="store_true",
            help="Keep the audit triggers and lock guards on during the load (much slower).",
        )

    def handle(self, *args, sites, participants_per_site, seed, force, with_triggers, **options):
        if not 1 <= sites <= 499 or not 1 <= participants_per_site <= 999:
            raise CommandError("Use 1-499 sites and 1-999 participants per site.")
        started = time.monotonic()
        existing = Trial.objects.filter(code=TRIAL_CODE).first()
        if existing is not None and not force:
            raise CommandError(f"{TRIAL_CODE} exists already; use --force to drop and recreate it.")
        password = secrets.token_urlsafe(12)
        with transaction.atomic(), audit_reason("Benchmark data (generate_bench_data)"):
            if existing is not None:
                delete_tree(Trial, Trial.objects.filter(pk=existing.pk))
                self.stdout.write(f"Dropped the previous {TRIAL_CODE}.")
            with self.triggers_skipped(not with_triggers):
                self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
                self.now = timezone.now()
                self.today = timezone.localdate()
                trial, site_list, users = self.setup(sites, password)
                self.terms = self.meddra_terms()
                self.review_mark = self.review_mark_model()
                counts = {"participants": 0, "adverse events": 0, "lab results": 0, "signals": 0}
                for i, site in enumerate(site_list, start=1):
                    made = self.fill_site(trial, site, participants_per_site, users)
                    for name, n in made.items():
                        counts[name] += n
                    if i % 10 == 0 and i < len(site_list):
                        self.stdout.write(f"  {i} sites in {time.monotonic() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics for the new rows, as autovacuum would
        self.stdout.write(
            self.style.SUCCESS(
                f"{TRIAL_CODE}: {sites} sites, "
                + ", ".join(f"{n:,} {name}" for name, n in counts.items())
                + f" in {time.monotonic() - started:.0f} s."
            )
        )
        self.stdout.write(f"Monitor of every bench site: {MONITOR} / {password}")

    @contextlib.contextmanager
    def triggers_skipped(self, skip: bool):
        """Skip every trigger inside the block, when asked and the user may; back on after it
        (SET LOCAL alone would last to the end of an enclosing transaction)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            (superuser,) = cursor.fetchone()
        if not skip:
            yield
            return
        if not superuser:
            self.stdout.write("Triggers stay on (the database user is not a superuser): slow.")
            yield
            return
        self.stdout.write("Triggers off for the load (audit events and lock guards skipped).")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield
        # (after an error the rollback undoes the SET LOCAL with everything else)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")

    # --- Trial, sites, users -------------------------------------------------------------

    def setup(self, n_sites, password):
        trial = Trial.objects.create(
            code=TRIAL_CODE,
            title="Benchmark trial (generated data)",
            phase=Phase.PHASE_1,
            indication="Amyotrophic lateral sclerosis",
            blinding=Blinding.DOUBLE,
            status=TrialStatus.ACTIVE,
        )
        for g in ("0.5", "15"):
            Arm.objects.create(
                trial=trial,
                code=f"B{g.replace('.', '')}",
                name=f"Bench L-serine {g} g BID",
                regimen_type=RegimenType.FIXED,
                dose_mg=Decimal(g) * 1000,
                frequency=Frequency.BID,
                units_per_administration=1,
            )
        self.definitions = [
            VisitDefinition.objects.create(
                trial=trial,
                code=code,
                name=name,
                order=order,
                day_offset=day,
                window_before=before,
                window_after=after,
                assessments=[str(a) for a in due],
            )
            for order, (code, name, day, before, after, due) in enumerate(ALS_VISITS, start=1)
        ]
        site_list = []
        for n in range(n_sites):
            number = str(FIRST_SITE_NUMBER + n)
            site, _ = Site.objects.get_or_create(
                number=number, defaults={"name": f"Bench site {number}"}
            )
            site_list.append(site)
        User = get_user_model()
        users = {}
        for username in (MONITOR, COORDINATOR):
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org"}
            )
            user.set_password(password)
            user.save()
            users[username] = user
        TrialSite.objects.bulk_create(TrialSite(trial=trial, site=site) for site in site_list)
        Membership.objects.bulk_create(
            [
                *(
                    Membership(user=users[MONITOR], trial=trial, site=site, role=Role.MONITOR)
                    for site in site_list
                ),
                Membership(
                    user=users[COORDINATOR],
                    trial=trial,
                    site=site_list[0],
                    role=Role.SITE_COORDINATOR,
                ),
            ]
        )
        return trial, site_list, users

    def meddra_terms(self):
        """(LLT, PT, SOC) codes and names of the active release (the demo subset when no
        licensed release is loaded)."""
        release = MeddraRelease.objects.filter(active=True).first() or load_demo_subset()
        llts = Llt.objects.filter(release=release, current=True).select_related("pt__primary_soc")[
            :300
        ]
        return [
            {
                "llt_code": llt.code,
                "llt_name": llt.name,
                "pt_code": llt.pt.code,
                "pt_name": llt.pt.name,
                "soc_code": llt.pt.primary_soc.code,
                "soc_name": llt.pt.primary_soc.name,
                "meddra_version": release.version,
            }
            for llt in llts
        ]

    def review_mark_model(self):
        """review.AdverseEventReviewMark when the review app has it (another branch adds it)."""
        try:
            return apps.get_model("review", "AdverseEventReviewMark")
        except LookupError:
            return None

    # --- Participants and their records, one site at a time --------------------------------

    def fill_site(self, trial, site, n, users) -> dict:
        rng = self.rng
        people = []
        for i in range(1, n + 1):
            sex = rng.choice("MF")
            baseline = self.today - datetime.timedelta(days=230 + rng.randrange(120))
            people.append(
                Participant(
                    trial=trial,
                    site=site,
                    screening_number=f"S{site.number}-{i:03d}",
                    subject_number=f"{site.number}-{i:03d}",
                    sex=sex,
                    date_of_birth=datetime.date(
                        1950 + rng.randrange(30), 1 + rng.randrange(12), 15
                    ),
                    screening_date=baseline - datetime.timedelta(days=20),
                    eligible=True,
                    consent_date=baseline - datetime.timedelta(days=20),
                    consent_version="2.1",
                    status=ParticipantStatus.ON_TREATMENT,
                    baseline_date=baseline,
                )
            )
        Participant.objects.bulk_create(people, batch_size=BATCH)
        TrialSite.objects.filter(trial=trial, site=site).update(
            last_subject_seq=n, last_screening_seq=n
        )
        visits = []
        for p in people:
            for d in self.definitions:
                target = p.baseline_date + datetime.timedelta(days=d.day_offset)
                visits.append(
                    Visit(
                        participant=p,
                        definition=d,
                        target_date=target,
                        window_start=target - datetime.timedelta(days=d.window_before),
                        window_end=target + datetime.timedelta(days=d.window_after),
                        actual_date=target,
                        status=VisitStatus.COMPLETED,
                    )
                )
        Visit.objects.bulk_create(visits, batch_size=BATCH)
        visit_at = {(v.participant_id, v.actual_date): v for v in visits}
        aes = [ae for p in people for ae in self.adverse_events(p)]
        AdverseEvent.objects.bulk_create(aes, batch_size=BATCH)
        results, signals = self.labs(people, visit_at, site, users[COORDINATOR])
        if self.review_mark is not None:
            self.mark_reviewed(aes, users[MONITOR])
        return {
            "participants": len(people),
            "adverse events": len(aes),
            "lab results": results,
            "signals": signals,
        }

    def adverse_events(self, p):
        rng = self.rng
        for _ in range(AES_PER_PARTICIPANT):
            term = rng.choice(self.terms)
            grade = _weighted(rng, GRADES)
            onset = p.baseline_date + datetime.timedelta(days=1 + rng.randrange(200))
            ongoing = rng.random() < 0.15
            serious = rng.random() < 0.05
            aware = (
                timezone.make_aware(datetime.datetime.combine(onset, datetime.time(10)))
                if serious
                else None
            )
            reported = (
                aware + datetime.timedelta(hours=rng.randrange(2, 30))
                if serious and rng.random() < 0.9
                else None
            )
            yield AdverseEvent(
                participant=p,
                verbatim_term=term["llt_name"] if rng.random() < 0.7 else term["llt_name"].lower(),
                **term,
                onset_date=onset,
                end_date=None
                if ongoing
                else onset + datetime.timedelta(days=1 + rng.randrange(30)),
                ongoing=ongoing,
                severity=SEVERITY_BY_GRADE[grade],
                ctcae_term=term["pt_name"],
                ctcae_grade=grade,
                serious=serious,
                sae_hospitalization=serious,
                site_aware_at=aware,
                sae_report_due_at=aware + datetime.timedelta(hours=24) if serious else None,
                sae_reported_at=reported,
                relationship=_weighted(rng, RELATIONSHIPS),
                action_taken=ActionTaken.DOSE_NOT_CHANGED,
                outcome=Outcome.NOT_RECOVERED if ongoing else Outcome.RECOVERED,
            )

    def labs(self, people, visit_at, site, closer):
        """A renal panel (creatinine and BUN) at each PANEL_DAYS day; the creatinine rows
        carry the values safety/services/labs.py would derive, computed with the same
        functions (safety/renal.py); a signal where the trial's rules would raise one."""
        rng = self.rng
        si_units = int(site.number) % 2 == 1  # every other site's lab reports SI units
        panels, results = [], []
        for p in people:
            low, high = CREATININE_RANGE[p.sex]
            usual = _q(rng.uniform(float(low), float(high) * 0.85), "0.01")
            for day in PANEL_DAYS:
                collected = p.baseline_date + datetime.timedelta(days=day)
                panel = LabPanel(
                    participant=p,
                    visit=visit_at.get((p.pk, collected)),
                    panel=Panel.RENAL,
                    report_date=collected,
                    collection_time=datetime.time(8, 30),
                    lab_name=f"{site.name} laboratory",
                    complete=True,
                )
                panels.append(panel)
                # Mostly stable; about 3 % of post-baseline samples rise 1.5-2.5 x.
                factor = rng.gauss(1.0, 0.07)
                if day > 0 and rng.random() < 0.03:
                    factor = rng.uniform(1.5, 2.5)
                creat = max(_q(float(usual) * factor, "0.01"), Decimal("0.20"))
                bun = _q(rng.uniform(8, 24), "0.1")
                results.append((p, panel, day, collected, creat, bun))
        LabPanel.objects.bulk_create(panels, batch_size=BATCH)
        rows, baselines = [], {}
        for p, panel, day, collected, creat, bun in results:
            at = timezone.make_aware(datetime.datetime.combine(collected, datetime.time(8, 30)))
            low, high = CREATININE_RANGE[p.sex]
            if si_units:
                value, unit = _q(creat * renal.CREATININE_UMOL_L_PER_MG_DL, "0.1"), "umol/L"
                standard = _q(renal.creatinine_mg_dl(value, unit), "0.0001")
            else:
                value, unit, standard = creat, "mg/dL", creat
            common = {"participant": p, "panel": panel, "visit": panel.visit, "collected_at": at}
            creatinine = LabResult(
                **common,
                analyte=Analyte.CREAT,
                value=value,
                unit=unit,
                standard_value=standard,
                reference_low=low,
                reference_high=high,
                flag=renal.reference_flag(standard, low, high),
                **self.derive(p, day, collected, standard, high, baselines),
            )
            if day == 0:
                baselines[p.pk] = creatinine
            rows.append(creatinine)
            rows.append(
                LabResult(
                    **common,
                    analyte=Analyte.BUN,
                    value=bun,
                    unit="mg/dL",
                    standard_value=bun,
                    reference_low=BUN_RANGE[0],
                    reference_high=BUN_RANGE[1],
                    flag=renal.reference_flag(bun, *BUN_RANGE),
                )
            )
        LabResult.objects.bulk_create(rows, batch_size=BATCH)
        signals = [s for r in rows if (s := self.signal(r, closer)) is not None]
        RenalSignal.objects.bulk_create(signals, batch_size=BATCH)
        return len(rows), len(signals)

    def derive(self, p, day, collected, standard, uln, baselines) -> dict:
        """The renal values of a creatinine result: baseline is the day-0 sample, results
        after it are post-baseline (safety/services/labs.py _derive)."""
        age = renal.exact_age_years(p.date_of_birth, collected)
        egfr = renal.egfr_ckd_epi_2021(standard, age, p.sex)
        out = {
            "is_baseline": day == 0,
            "egfr": _q(egfr, "0.001"),
            "egfr_equation": renal.EGFR_EQUATION,
            "kdigo_gfr_category": renal.kdigo_gfr_category(egfr),
            "ctcae_version": "5.0",
            "renal_rules_version": renal.RENAL_RULES_VERSION,
        }
        baseline = baselines.get(p.pk)
        if day <= 0 or baseline is None:
            out["ctcae_grade"] = renal.ctcae_creatinine_grade(standard, uln)
            if day == 0:
                out["baseline_value"] = standard
                out["baseline_egfr"] = out["egfr"]
            return out
        out.update(
            baseline_value=baseline.standard_value,
            baseline_egfr=baseline.egfr,
            creatinine_ratio=_q(renal.creatinine_ratio(standard, baseline.standard_value), "0.001"),
            egfr_change_percent=_q(renal.percent_change(out["egfr"], baseline.egfr), "0.1"),
            aki_stage=renal.kdigo_aki_stage(standard, baseline.standard_value),
            ctcae_grade=renal.ctcae_creatinine_grade(standard, uln, baseline.standard_value),
        )
        return out

    def signal(self, result, closer):
        """The trial's default rules (trials.Trial): ratio >= 1.5, eGFR down >= 30 %, eGFR
        below 60; about a third stay open, the others are closed as a repeat lab."""
        if result.analyte != Analyte.CREAT or result.creatinine_ratio is None:
            return None
        by_ratio = result.creatinine_ratio >= Decimal("1.50")
        by_drop = result.egfr_change_percent <= Decimal("-30")
        by_low = result.egfr < Decimal("60")
        if not (by_ratio or by_drop or by_low):
            return None
        closed = self.rng.random() < 0.65
        return RenalSignal(
            participant=result.participant,
            lab_result=result,
            status=SignalStatus.CLOSED if closed else SignalStatus.OPEN,
            by_creatinine_ratio=by_ratio,
            by_egfr_drop=by_drop,
            by_egfr_low=by_low,
            reasons=f"Creatinine {result.creatinine_ratio} x baseline; eGFR {result.egfr:.1f}",
            instruction="Reduce to the next lower dose level and repeat creatinine within 7 days.",
            action=SignalAction.REPEAT_LAB if closed else "",
            repeat_lab_date=result.collected_at.date() + datetime.timedelta(days=7)
            if closed
            else None,
            closed_at=self.now if closed else None,
            closed_by=closer if closed else None,
        )

    def mark_reviewed(self, aes, monitor):
        """Review marks on about REVIEWED_SHARE of the events (the version they saw)."""
        marks = [
            self.review_mark(
                adverse_event=ae,
                reviewer=monitor,
                reviewed_version=ae.version,
                reviewed_at=self.now,
            )
            for ae in aes
            if self.rng.random() < REVIEWED_SHARE
        ]
        self.review_mark.objects.bulk_create(marks, batch_size=BATCH)
