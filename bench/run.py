"""The trial-scale benchmark of the monitors' listings and exports (`make bench`).

    python bench/run.py [--repeat 20] [--sites 50] [--participants-per-site 100]

Against the bench database (bench/_setup.py): migrates it, generates the bench trial if it
is absent (review/management/commands/generate_bench_data.py), then requests each page as
the bench monitor with django.test.Client, in process (no network, no web server: the
figures are the server's own time), and prints per page the median and 95th percentile of
`--repeat` requests after two warm-ups and the SQL queries of one request; per export the
total time, the rows and the peak memory while the streamed response is consumed.
A page whose URL does not exist yet (a listing of another branch) prints "not available".
"""

import argparse
import resource
import statistics
import time
import tracemalloc
import warnings

from _setup import configure

TRIAL = "BENCH-ALS"
TARGET_MEDIAN_MS = 150
TARGET_PEAK_MB = 150

PAGES = [
    ("AE listing, first page", "review:ae_listing", {}),
    ("AE listing, serious=true", "review:ae_listing", {"serious": "true"}),
    ("AE listing, sort=-grade", "review:ae_listing", {"sort": "-grade"}),
    ("AE listing, new=true", "review:ae_listing", {"new": "true"}),
    ("AE listing, sae_overdue=true", "review:ae_listing", {"sae_overdue": "true"}),
    ("AE listing, pt=naus", "review:ae_listing", {"pt": "naus"}),
    ("AE listing, sort=pt", "review:ae_listing", {"sort": "pt"}),
    ("AE listing, sort=-soc", "review:ae_listing", {"sort": "-soc"}),
    ("AE listing, sort=subject", "review:ae_listing", {"sort": "subject"}),
    ("AE listing, site=525", "review:ae_listing", {"site": "525"}),
    ("Lab listing, first page", "review:lab_listing", {}),
    ("Lab listing, abnormal=true", "review:lab_listing", {"abnormal": "true"}),
    ("Lab listing, site=525", "review:lab_listing", {"site": "525"}),
    ("Monitor home (50 sites)", "review:monitor_home", {}),
]
EXPORTS = [
    ("AE export, all (CSV)", "review:ae_listing_export", {"format": "csv"}),
    ("Lab export, all (CSV)", "review:lab_listing_export", {"format": "csv"}),
]


def _url(name, params):
    from django.urls import NoReverseMatch, reverse
    from django.utils.http import urlencode

    try:
        url = reverse(name, args=[TRIAL])
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(params)}" if params else url


def _consume(response) -> int:
    """Read the body as a browser would; the number of CSV rows (without the header)."""
    if not response.streaming:
        return 0
    rows = 0
    for chunk in response.streaming_content:
        rows += (chunk if isinstance(chunk, bytes) else chunk.encode()).count(b"\n")
    return max(rows - 1, 0)


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        _consume(response)
    return len(captured)


def bench_page(client, label, url, repeat):
    if url is None:
        print(f"{label:<32} not available (URL not in this branch)")
        return
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    median = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    verdict = "ok" if median < TARGET_MEDIAN_MS else "SLOW"
    print(
        f"{label:<32} median {median:7.1f} ms  p95 {p95:7.1f} ms  "
        f"queries {_queries(client, url):3d}   target <{TARGET_MEDIAN_MS} ms median: {verdict}"
    )


def bench_export(client, label, url):
    if url is None:
        print(f"{label:<32} not available (URL not in this branch)")
        return
    queries = _queries(client, url)  # also the warm-up
    start = time.perf_counter()
    rows = _consume(client.get(url))
    seconds = time.perf_counter() - start
    # Memory in a second run: tracemalloc slows Python down, so it is not timed.
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    _consume(client.get(url))
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    verdict = "ok" if peak < TARGET_PEAK_MB else "TOO MUCH"
    print(
        f"{label:<32} {seconds:6.1f} s  {rows:,} rows ({rows / seconds:,.0f}/s)  "
        f"queries {queries}  peak {peak:.1f} MB (tracemalloc), max RSS +{rss_growth:.1f} MB   "
        f"target <{TARGET_PEAK_MB} MB peak: {verdict}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--participants-per-site", type=int, default=100)
    args = parser.parse_args()
    # whitenoise warns that collectstatic has not run: no static file is requested here.
    warnings.filterwarnings("ignore", message="No directory at")
    configure()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from review.management.commands.generate_bench_data import MONITOR
    from safety.models import AdverseEvent, LabResult
    from trials.models import Trial

    call_command("migrate", verbosity=0, interactive=False)
    if not Trial.objects.filter(code=TRIAL).exists():
        call_command(
            "generate_bench_data",
            sites=args.sites,
            participants_per_site=args.participants_per_site,
        )
    trial = Trial.objects.get(code=TRIAL)
    print(
        f"{TRIAL} in database {connection.settings_dict['NAME']}: "
        f"{trial.participants.count():,} participants, "
        f"{AdverseEvent.objects.filter(participant__trial=trial).count():,} adverse events, "
        f"{LabResult.objects.filter(participant__trial=trial).count():,} lab results; "
        f"{args.repeat} requests per page as {MONITOR} (in process, server time)."
    )
    client = Client()
    client.force_login(get_user_model().objects.get(username=MONITOR))
    for label, name, params in PAGES:
        bench_page(client, label, _url(name, params), args.repeat)
    for label, name, params in EXPORTS:
        bench_export(client, label, _url(name, params))


if __name__ == "__main__":
    main()
