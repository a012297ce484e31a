"""Site isolation (issue 6): a user of site 02 never sees a participant, adverse event, lab
result or query of site 01, in any listing, count, search, export, autocomplete or admin
changelist; and guessing the id of a site 01 object gives a 404.

The pages come from the URL configuration, not from a hand list: every page of a whole
trial (no object in its URL) and every admin changelist, so a new listing is covered when
it is added. Site 01's data carries markers; site 02's carries its own, which must show up
(so that an empty or broken page cannot pass).
"""

import io
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.paginator import Page
from django.test import Client
from django.urls import resolve, reverse

from participants.models import LockLevel, Participant
from review.services import query_raise
from safety.models import AdverseEvent, LabResult
from tests.trials.test_access import (
    MATRIX,
    NOT_ALLOWED,
    NOT_FOUND,
    URL_EXTRAS,
    Site01,
    admin_models,
    build_url,
    database_writes,
    outcome,
    url_names,
)
from trials.choices import Role
from trials.models import Membership, Site, Trial

pytestmark = pytest.mark.django_db

TRIAL = "LSER-ALS-01"
MARK = {
    "01": {"ae": "Quokka rash 01", "lab": "QUOKKA-U", "query": "Quokka query 01"},
    "02": {"ae": "Wombat rash 02", "lab": "WOMBAT-U", "query": "Wombat query 02"},
}
# Filters and searches aimed at site 01, sent to every page (ignored where not read).
SEARCHES = ["", "site=01", "subject=01-00&q=01-00&pt=Quokka&term=01"]
EXPORT_FORMATS = ["format=csv", "format=xlsx"]


@pytest.fixture
def site01_markers(db, monitor):
    """Marks each site's adverse events, lab results (unit as reported) and a query; returns
    the strings that must never reach a site 02 user: those marks and site 01's subject and
    screening numbers."""
    for number, marks in MARK.items():
        participants = Participant.objects.filter(trial__code=TRIAL, site__number=number)
        AdverseEvent.objects.filter(participant__in=participants).update(verbatim_term=marks["ae"])
        LabResult.objects.filter(participant__in=participants).update(unit=marks["lab"])
        event = AdverseEvent.objects.filter(participant__in=participants).earliest("pk")
        query_raise(
            participant=event.participant,
            record=event,
            field_name="",
            text=marks["query"],
            user=monitor,
        )
    site01 = Participant.objects.filter(trial__code=TRIAL, site__number="01")
    numbers = [n for pair in site01.values_list("subject_number", "screening_number") for n in pair]
    return [*MARK["01"].values(), *filter(None, numbers)]


def _member(username, *roles, staff=False):
    user = get_user_model().objects.create_user(username, is_staff=staff)
    trial, site02 = Trial.objects.get(code=TRIAL), Site.objects.get(number="02")
    for role in roles:
        Membership.objects.create(user=user, trial=trial, site=site02, role=role)
    return user


@pytest.fixture
def site02_users(db, other_site_coordinator):
    """Site 02's coordinator, a monitor and data manager of site 02 only, and a staff
    member (study coordinator and unblinded pharmacist) whose roles cover site 02 only.
    DESIGN.md gives those two roles the whole trial, but a membership may name a site for
    any role but the site roles (trials.models.Membership); the admin then shows that
    site's records only (DESIGN.md: one scoping function for every read)."""
    return {
        "coordinator02": other_site_coordinator,
        "monitor02": _member("monitor02", Role.MONITOR, Role.DATA_MANAGER),
        "staff02": _member("staff02", Role.STUDY_COORDINATOR, Role.UNBLINDED, staff=True),
    }


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    """What the user receives: the page, the streamed CSV, or a spreadsheet's XML parts."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            body = b"".join(book.read(name) for name in book.namelist())
    return body.decode()


def trial_pages() -> list[str]:
    """The URL names of the pages about a whole trial (listings, counts, dashboards,
    exports, searches) and of the pages with no parameters (home, term search)."""
    return sorted(
        name
        for name, params in url_names().items()
        if not name.startswith("admin:") and set(params) <= {"code"}
    )


def _urls(name):
    base = reverse(name, kwargs={"code": TRIAL}) if "code" in url_names()[name] else reverse(name)
    queries = SEARCHES + (
        [f"{f}&{s}" for f in EXPORT_FORMATS for s in SEARCHES] if "export" in name else []
    )
    return [f"{base}?{query}" if query else base for query in queries]


def _site_of(row) -> str:
    """The site number of a listing's row (a participant, a record of one, a slot of the
    randomization list, a primary key of a lab result, or a dict row of a UNION listing)."""
    if isinstance(row, dict):
        return row["site_number"]
    if isinstance(row, int):
        row = LabResult.objects.select_related("participant__site").get(pk=row)
    site = getattr(row, "site", None) or row.participant.site  # a slot of the list: its site
    return site.number


def _pages(response) -> list[Page]:
    """The paginated listings a page rendered."""
    if response.context is None:
        return []
    contexts = response.context if isinstance(response.context, list) else [response.context]
    found = {id(v): v for c in contexts for v in c.flatten().values() if isinstance(v, Page)}
    return list(found.values())


def test_every_listing_export_and_dashboard_is_a_page_of_the_trial():
    """A listing, export, dashboard or home added with more in its URL than the trial (say,
    a site) would escape the test below: it fails here first."""
    kinds = ("listing", "export", "dashboard", "home", "search", "randomization_list")
    named = {n for n in url_names() if not n.startswith("admin:") and any(k in n for k in kinds)}
    assert named - set(trial_pages()) == set()
    assert {"review:ae_listing_export", "safety:sae_listing", "review:monitor_home"} <= named


@pytest.mark.parametrize("username", ["coordinator02", "monitor02", "staff02"])
def test_no_page_of_a_trial_shows_site01_to_a_site02_user(site01_markers, site02_users, username):
    client = _client(site02_users[username])
    seen, answered, listed = [], [], set()
    for name in trial_pages():
        for url in _urls(name):
            response = client.get(url)
            assert response.status_code < 500, url
            text = text_of(response)
            leaked = [marker for marker in site01_markers if marker in text]
            assert leaked == [], f"{username} sees site 01 at {url}"
            seen.append(text)
            if response.status_code == 200:
                answered.append(name)
                for page in _pages(response):
                    listed |= {_site_of(row) for row in page.paginator.object_list}
    everything = "".join(seen)
    # (a query's text shows on its own page, not in the listing)
    assert MARK["02"]["ae"] in everything and MARK["02"]["lab"] in everything
    assert listed == {"02"}, f"{username}: rows of sites {listed} in the listings"
    assert {"review:ae_listing_export", "review:lab_listing_export"} <= set(answered)


def test_counts_are_those_of_site02_alone(site01_markers, site02_users, data_manager):
    """The site 02 coordinator's dashboard and the site 02 monitor's home count what the
    data manager (all sites) counts for site 02, and nothing of site 01."""
    everyone = _client(data_manager)
    dashboard = reverse("participants:site_dashboard", args=[TRIAL])
    coordinator = _client(site02_users["coordinator02"])
    mine = coordinator.get(dashboard).context
    site02 = everyone.get(dashboard + "?site=02").context
    for count in ["by_status", "overdue_count", "due_count"]:
        assert mine[count] == site02[count], count
    assert mine["by_status"] != everyone.get(dashboard).context["by_status"]
    asking_for_site01 = coordinator.get(dashboard + "?site=01").context
    assert [n for _, n in asking_for_site01["by_status"]] == [0] * len(mine["by_status"])

    home = reverse("review:monitor_home", args=[TRIAL])
    rows = _client(site02_users["monitor02"]).get(home).context["rows"]
    all_rows = everyone.get(home).context["rows"]
    assert [row["site"].number for row in all_rows] == ["01", "02"]
    assert rows == all_rows[1:]


def _clinical(model) -> bool:
    return model is Participant or "participant" in {f.name for f in model._meta.get_fields()}


def test_the_admin_shows_site02_staff_site02_records_only(site01_markers, site02_users):
    """Every admin changelist (from the URL configuration), searched for site 01, and the
    admin's autocomplete, as a staff member whose roles cover site 02 only."""
    client = _client(site02_users["staff02"])
    changelists = [n for n in url_names() if n.startswith("admin:") and n.endswith("_changelist")]
    urls = [reverse(n) + query for n in changelists for query in ["", "?q=01-00", "?q=Quokka"]]
    urls.append(
        reverse("admin:autocomplete")
        + "?app_label=trials&model_name=membership&field_name=user&term=0"
    )
    seen, listed = [], set()
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), url
        text = text_of(response)
        assert [m for m in site01_markers if m in text] == [], f"site 01 in {url}"
        seen.append(text)
        cl = response.context and response.context.get("cl")
        if cl is not None and _clinical(cl.model):
            listed |= {_site_of(row) for row in cl.queryset}
    assert MARK["02"]["ae"] in "".join(seen) and MARK["02"]["lab"] in "".join(seen)
    assert listed == {"02"}


# URL parameters that name an object (the others name a trial, a form, a panel, a model).
ID_PARAMS = {"pk", "visit_pk", "ae_pk", "panel_pk", "signal_pk", "query_pk", "object_id"}
ID_PARAMS |= {"lock_pk", "id"}
NO_SUCH_ID = 2**31 - 1


def _ids_replaced(url: str, pk=None) -> str:
    """The URL with every object id (in the path and in `?id=`) replaced by one that names
    no object; the participant's by `pk`, if given."""
    path, _, query = url.partition("?")
    match = resolve(path)
    kwargs = {k: NO_SUCH_ID if k in ID_PARAMS else v for k, v in match.kwargs.items()}
    if pk is not None:
        kwargs["pk"] = pk
    query = re.sub(r"(^|&)id=\d+", rf"\1id={NO_SUCH_ID}", query)
    return reverse(match.view_name, kwargs=kwargs) + (f"?{query}" if query else "")


def _own_participant(url: str, pk) -> str:
    """The URL with the participant's id replaced by `pk` (the other ids kept)."""
    path, _, query = url.partition("?")
    match = resolve(path)
    kwargs = {**match.kwargs, "pk": pk}
    return reverse(match.view_name, kwargs=kwargs) + (f"?{query}" if query else "")


def _guessable(admin: bool) -> list[str]:
    """The views of MATRIX whose URL names a site 01 object; in the admin, the clinical
    models' pages (the others show trial-wide configuration, users, dictionaries)."""
    clinical = tuple(prefix for prefix, model in admin_models().items() if _clinical(model))
    return [
        view
        for view in sorted(MATRIX)
        if "(site 02)" not in view
        and ID_PARAMS & set(url_names()[view.split(" (")[0]])
        and (view.startswith(clinical) if admin else not view.startswith("admin:"))
    ]


def _answer(client, view, url):
    """The GET answer, or the POST answer where GET is not allowed."""
    answer = outcome(client.get(url))
    if answer == NOT_ALLOWED:
        answer = outcome(client.post(url, URL_EXTRAS.get(view, {}).get("post", {})))
    return answer


@pytest.mark.parametrize("username", ["coordinator02", "monitor02", "staff02"])
def test_guessing_a_site01_id_is_a_404(site02_users, username):
    """Every URL with an object id, filled with site 01's objects, answers a site 02 user
    as a URL naming no object does: a 404, or the refusal a role gets before any lookup
    (a coordinator unlocking, which only data managers do). In the admin, for the staff
    member, as Django answers a missing object (the index, "perhaps it was deleted")."""
    client = _client(site02_users[username])
    views = _guessable(admin=False) + (_guessable(admin=True) if username == "staff02" else [])
    s = Site01()
    own = s.site02_participant.pk
    differ, not_found = {}, 0
    for view in views:
        url = build_url(view, s)
        pairs = [(url, _ids_replaced(url))]
        params = set(resolve(url.partition("?")[0]).kwargs)
        beneath = bool(params & (ID_PARAMS - {"pk"})) or "id=" in url
        if "pk" in params and beneath and not view.startswith("admin:"):
            # site 02's own participant, with an id of site 01's records beneath it
            pairs.append((_own_participant(url, own), _ids_replaced(url, pk=own)))
        for guessed_url, missing_url in pairs:
            guessed = _answer(client, view, guessed_url)
            missing = _answer(client, view, missing_url)
            if guessed != missing:
                differ[guessed_url] = f"{guessed}; {missing} for {missing_url}"
            not_found += guessed == "404"
    assert differ == {}, "\n".join(f"{url}: {why}" for url, why in differ.items())
    assert not_found >= len(_guessable(admin=False)) - 2


def test_a_site01_id_in_a_posted_form_answers_as_a_missing_one(site02_users):
    """Ids sent in a form's body (the events a monitor marks reviewed, what a data manager
    locks), as site 02's monitor and data manager: nothing written, the same answer as for
    an id that names nothing."""
    s = Site01()
    client = _client(site02_users["monitor02"])
    posts = [
        ("review:ae_mark_reviewed", lambda pk: {"event": f"{pk}:1"}, s.adverse_event.pk),
        (
            "review:lock_add",
            lambda pk: {"level": LockLevel.PARTICIPANT, "participant": pk},
            s.participant.pk,
        ),
    ]
    before = database_writes()
    for name, form, site01_id in posts:
        url = reverse(name, args=[TRIAL])
        guessed = outcome(client.post(url, form(site01_id)))
        assert guessed == outcome(client.post(url, form(NO_SUCH_ID))) == NOT_FOUND, name
    assert database_writes() == before
