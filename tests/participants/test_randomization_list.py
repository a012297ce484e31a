"""Making the randomization list: the management command, the CSV import page, the list
page. All of them are for unblinded users; none puts an arm where it could be seen."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from participants.models import RandomizationList, RandomizationSlot
from tests.factories import (
    ArmFactory,
    MembershipFactory,
    SiteFactory,
    TrialFactory,
    TrialSiteFactory,
)
from trials.audit import history_for
from trials.choices import Role
from trials.models import Trial

pytestmark = pytest.mark.django_db

HEADER = "randomization_number,site,factor_level,block,sequence,arm_code\n"


@pytest.fixture
def trial(unblinded_pharmacist):
    """A new double-blind trial at sites 71 and 72, arms ACT (ratio 2) and PBO (ratio 1)."""
    trial = TrialFactory(code="NEW-01")
    for number in ("71", "72"):
        TrialSiteFactory(trial=trial, site=SiteFactory(number=number))
    ArmFactory(trial=trial, code="ACT", name="Active 9 g BID", allocation_ratio=2)
    ArmFactory(trial=trial, code="PBO", name="Matching placebo")
    MembershipFactory(user=unblinded_pharmacist, trial=trial, role=Role.UNBLINDED)
    return trial


def _make(*args, **options):
    out = io.StringIO()
    call_command("make_randomization_list", *args, stdout=out, **options)
    return out.getvalue()


# --- the management command ---------------------------------------------------------------


def test_the_command_writes_the_slots_and_prints_no_arm(trial):
    out = _make("NEW-01", "--seed", "11", "--block-size", "6", "--per-stratum", "10")
    slots = RandomizationSlot.objects.filter(trial=trial)
    assert slots.count() == 2 * 12  # two whole blocks of 6 per site
    assert slots.filter(arm__code="ACT").count() == 2 * slots.filter(arm__code="PBO").count()
    assert "site 71: 12 slots" in out and "24 slots" in out
    assert "ACT" not in out and "PBO" not in out and "Active" not in out
    randomization_list = RandomizationList.objects.get(trial=trial)
    assert (randomization_list.seed, randomization_list.block_sizes) == (11, [6])
    assert randomization_list.source == "generated"


def test_the_command_stratifies_by_a_factor(trial):
    out = _make(
        "NEW-01", "--seed", "11", "--block-size", "3,6", "--factor", "rs1163251",
        "--levels", "C/C,C/T,T/T", "--per-stratum", "6",
    )  # fmt: skip
    strata = set(
        RandomizationSlot.objects.filter(trial=trial).values_list("site__number", "factor_level")
    )
    assert strata == {(s, lv) for s in ("71", "72") for lv in ("C/C", "C/T", "T/T")}
    assert "site 72 / rs1163251 T/T" in out
    assert RandomizationList.objects.get(trial=trial).factor_levels == ["C/C", "C/T", "T/T"]


def test_the_same_seed_makes_the_same_list(trial):
    def arms():
        return list(
            RandomizationSlot.objects.filter(trial=trial)
            .order_by("randomization_number")
            .values_list("randomization_number", "arm__code")
        )

    _make("NEW-01", "--seed", "5", "--block-size", "6")
    first = arms()
    _make("NEW-01", "--seed", "5", "--block-size", "6")
    assert arms() == first
    _make("NEW-01", "--seed", "6", "--block-size", "6")
    assert arms() != first


def test_the_command_writes_the_full_list_to_csv(trial, tmp_path):
    path = tmp_path / "list.csv"
    out = _make("NEW-01", "--seed", "3", "--block-size", "3", "--per-stratum", "3", "--csv", path)
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 6 and {r["arm_code"] for r in rows} == {"ACT", "PBO"}
    assert str(path) in out


def test_the_command_refuses_a_block_size_that_breaks_the_ratio(trial):
    with pytest.raises(CommandError, match="multiple of 3"):
        _make("NEW-01", "--seed", "1", "--block-size", "4")
    assert not RandomizationSlot.objects.filter(trial=trial).exists()


def test_the_command_refuses_levels_without_a_factor(trial):
    with pytest.raises(CommandError, match="factor and its levels together"):
        _make("NEW-01", "--seed", "1", "--block-size", "3", "--levels", "a,b")


def test_the_command_refuses_to_replace_a_list_in_use():
    als = Trial.objects.get(code="LSER-ALS-01")
    before = list(RandomizationSlot.objects.filter(trial=als).values_list("pk", "arm"))
    with pytest.raises(CommandError, match="randomized participants"):
        _make("LSER-ALS-01", "--seed", "1", "--block-size", "4")
    assert list(RandomizationSlot.objects.filter(trial=als).values_list("pk", "arm")) == before


def test_the_command_refuses_an_unknown_trial():
    with pytest.raises(CommandError, match="No trial NOPE"):
        _make("NOPE", "--seed", "1")


def test_making_the_list_is_in_the_audit_trail(trial):
    _make("NEW-01", "--seed", "3", "--block-size", "3")
    [row] = history_for(RandomizationList.objects.get(trial=trial))
    assert row["reason"] == "Randomization list generated"


# --- the import page ----------------------------------------------------------------------


def _upload(client, text, factor_name=""):
    return client.post(
        reverse("participants:randomization_import", args=["NEW-01"]),
        {"file": SimpleUploadedFile("list.csv", text.encode()), "factor_name": factor_name},
    )


def test_the_pharmacist_imports_a_list(client, unblinded_pharmacist, trial):
    client.force_login(unblinded_pharmacist)
    response = _upload(
        client,
        HEADER + "K-001,71,,1,1,ACT\nK-002,71,,1,2,PBO\nK-003,71,,1,3,ACT\nK-101,72,,1,1,PBO\n",
    )
    assert response.status_code == 302
    slots = RandomizationSlot.objects.filter(trial=trial).order_by("randomization_number")
    assert [(s.randomization_number, s.site.number, s.arm.code) for s in slots] == [
        ("K-001", "71", "ACT"),
        ("K-002", "71", "PBO"),
        ("K-003", "71", "ACT"),
        ("K-101", "72", "PBO"),
    ]
    assert RandomizationList.objects.get(trial=trial).source == "imported"
    body = client.get(response["Location"]).content.decode()
    assert "K-003" in body and "Imported from CSV" in body


def test_an_import_with_a_factor_keeps_its_levels(client, unblinded_pharmacist, trial):
    client.force_login(unblinded_pharmacist)
    _upload(client, HEADER + "K-1,71,C/C,1,1,ACT\nK-2,71,T/T,1,1,PBO\n", "rs1163251")
    randomization_list = RandomizationList.objects.get(trial=trial)
    assert (randomization_list.factor_name, randomization_list.factor_levels) == (
        "rs1163251",
        ["C/C", "T/T"],
    )


def test_an_import_names_every_bad_row_and_stores_nothing(client, unblinded_pharmacist, trial):
    client.force_login(unblinded_pharmacist)
    response = _upload(
        client,
        HEADER
        + "K-001,71,,1,1,ACT\n"
        + "K-002,71,,1,2,XYZ\n"  # unknown arm
        + "K-003,99,,1,1,ACT\n"  # a site not in the trial
        + "K-001,72,,1,1,PBO\n"  # duplicate number
        + "K-004,71,,1,1,PBO\n",  # duplicate sequence in stratum 71
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Row 2: unknown arm code &#x27;XYZ&#x27; in NEW-01." in body
    assert "Row 3: site &#x27;99&#x27; does not take part in NEW-01." in body
    assert "Row 4: duplicate randomization number K-001." in body
    assert "Row 5: duplicate sequence 1 in its stratum." in body
    assert not RandomizationSlot.objects.filter(trial=trial).exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("randomization_number,site,arm_code\nK,71,ACT\n", "Columns missing: factor_level"),
        (HEADER + "K-1,71,,one,1,ACT\n", "Row 1: block and sequence must be whole numbers."),
        (HEADER + "K-1,71,,1,0,ACT\n", "Row 1: block and sequence start at 1."),
        (HEADER + ",71,,1,1,ACT\n", "Row 1: randomization_number empty."),
        (HEADER, "The file has no rows."),
        (HEADER + "K-1,71,C/C,1,1,ACT\n", "name the stratification factor"),
    ],
)
def test_an_import_refuses_a_malformed_file(client, unblinded_pharmacist, trial, text, message):
    client.force_login(unblinded_pharmacist)
    response = _upload(client, text)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RandomizationSlot.objects.filter(trial=trial).exists()


def test_an_import_cannot_replace_a_list_in_use(client, unblinded_pharmacist):
    client.force_login(unblinded_pharmacist)
    response = client.post(
        reverse("participants:randomization_import", args=["LSER-ALS-01"]),
        {"file": SimpleUploadedFile("l.csv", (HEADER + "X-1,01,,1,1,LS15\n").encode())},
    )
    assert "has randomized participants" in response.content.decode()
    assert not RandomizationSlot.objects.filter(randomization_number="X-1").exists()


@pytest.mark.parametrize(
    "role", ["coordinator", "investigator", "data_manager", "study_coordinator"]
)
def test_a_blinded_user_cannot_import_nor_learn_the_page_exists(client, request, role, trial):
    user = request.getfixturevalue(role)
    MembershipFactory(user=user, trial=trial, role=Role.MONITOR)
    client.force_login(user)
    assert _upload(client, HEADER + "K-1,71,,1,1,ACT\n").status_code == 404
    list_url = reverse("participants:randomization_list", args=["NEW-01"])
    assert client.get(list_url).status_code == 404
    assert not RandomizationSlot.objects.filter(trial=trial).exists()


def test_the_list_page_shows_the_pharmacist_every_slot_and_who_took_it(
    client, unblinded_pharmacist
):
    client.force_login(unblinded_pharmacist)
    body = client.get(reverse("participants:randomization_list", args=["LSER-ALS-01"]))
    body = body.content.decode()
    taken = RandomizationSlot.objects.filter(
        trial__code="LSER-ALS-01", participant__isnull=False
    ).select_related("participant", "arm")
    assert taken.count() == 5
    for slot in taken:
        assert slot.randomization_number in body and slot.participant.number in body
    assert "seed 20261120" in body and "rs1163251" in body
