"""factory_boy factories for targeted tests (the seeded demo covers the common case)."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from participants.models import Allocation, Participant, Visit
from participants.services import participant_screen
from safety.management.commands.seed_demo import ALS_ELIGIBLE_ANSWERS
from safety.models import AdverseEvent, LabResult
from trials.choices import Frequency, RegimenType, Role
from trials.models import Arm, Membership, Site, Trial, TrialSite

# The demo's users (seed_demo), by the role the tests call them: one map for the fixtures
# (tests/conftest.py) and the tests that walk every role.
DEMO_USERNAMES = {
    "coordinator": "coordinator01",
    "investigator": "investigator01",
    "monitor": "monitor",
    "data_manager": "datamanager",
    "unblinded_pharmacist": "pharmacist",
    "study_coordinator": "studycoordinator",
    "other_site_coordinator": "coordinator02",
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("factory-pass-2026!")


class TrialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trial

    code = factory.Sequence(lambda n: f"TEST-{n:03d}")
    title = factory.LazyAttribute(lambda o: f"Trial {o.code}")
    phase = "1"
    indication = "ALS"
    blinding = "double"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    number = factory.Sequence(lambda n: f"{(n % 900) + 100:03d}")
    name = factory.LazyAttribute(lambda o: f"Site {o.number}")


class TrialSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrialSite

    trial = factory.SubFactory(TrialFactory)
    site = factory.SubFactory(SiteFactory)


class ArmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Arm

    trial = factory.SubFactory(TrialFactory)
    code = factory.Sequence(lambda n: f"ARM{n}")
    name = factory.LazyAttribute(lambda o: f"Arm {o.code}")
    regimen_type = RegimenType.FIXED
    dose_mg = Decimal("15000")
    frequency = Frequency.BID


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    trial = factory.SubFactory(TrialFactory)
    site = None
    role = Role.MONITOR


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    trial = factory.SubFactory(TrialFactory)
    site = factory.SubFactory(SiteFactory)
    screening_number = factory.Sequence(lambda n: f"S99-{n:03d}")
    subject_number = factory.Sequence(lambda n: f"99-{n:03d}")
    sex = "F"
    date_of_birth = datetime.date(1960, 5, 1)
    screening_date = datetime.date(2026, 1, 5)
    eligible = True
    consent_date = datetime.date(2026, 1, 10)
    consent_version = "1.0"


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    participant = factory.SubFactory(ParticipantFactory)
    arm = factory.SubFactory(ArmFactory, trial=factory.SelfAttribute("..participant.trial"))
    randomization_number = factory.Sequence(lambda n: f"T{n:04d}")
    allocated_at = factory.LazyFunction(timezone.now)
    allocated_by = factory.SubFactory(UserFactory)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    participant = factory.SubFactory(ParticipantFactory)
    target_date = datetime.date(2026, 2, 10)
    actual_date = datetime.date(2026, 2, 10)


class AdverseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdverseEvent

    participant = factory.SubFactory(ParticipantFactory)
    verbatim_term = "Nausea"
    onset_date = datetime.date(2026, 2, 1)
    severity = "MILD"


class LabResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabResult

    participant = factory.SubFactory(ParticipantFactory)
    analyte = "CREAT"
    value = Decimal("0.9")
    unit = "mg/dL"
    standard_value = Decimal("0.9")
    collected_at = factory.LazyFunction(timezone.now)


def screened_participant(trial: Trial, site: Site, user) -> Participant:
    """A person screened today through the service, eligible for the demo's ALS trial (its
    seeded criteria), in screening: next comes consent."""
    return participant_screen(
        trial=trial,
        site=site,
        sex="F",
        date_of_birth=datetime.date(1970, 1, 1),
        screening_date=timezone.localdate(),
        answers=ALS_ELIGIBLE_ANSWERS,
        user=user,
    )
