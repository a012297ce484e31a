"""What the review listings share: a count that stops at a cap, and their query strings."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Counting every row of a large trial costs more than drawing the page (a scan of all of
# them against a millisecond for the page through an index): the listings count up to this
# many and say "more than"; the filters narrow, the exports hold them all.
COUNT_CAP = 5_000


class CappedPaginator(Paginator):
    """A paginator that counts at most COUNT_CAP rows (`capped` says it stopped there)."""

    capped = False

    @cached_property
    def count(self) -> int:
        # unordered, so that the database stops at the cap instead of sorting everything
        counted = self.object_list.order_by()[: COUNT_CAP + 1].count()
        self.capped = counted > COUNT_CAP
        return min(counted, COUNT_CAP)


def querystring(request, **changes) -> str:
    """The current GET parameters (filters and sort) with `changes` (None drops the key);
    never the page."""
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    return params.urlencode()
