"""Which tests share a test worker under ``pytest -n 2 --dist loadgroup`` (scripts/test.sh).

xdist's own ``loadgroup`` reads ``xdist_group`` marks by renaming each test's node id, which
pytest 9.2 no longer lets it do, so every test went its own way. Here the groups are named by
path: the API fuzz (its three runs send the requests it drew once, tests/api/test_fuzz.py) and
the browser flows (one Chromium and one live server). A group is one unit of work, and the
largest units are handed out first, so no long group is left for the end of the run.
"""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

GROUPS = {"tests/api/test_fuzz.py::": "api-fuzz", "tests/screens/browser/": "browser"}


def group_of(nodeid: str) -> str:
    """Return the group a test belongs to, or its own node id when it has none."""
    return next((group for prefix, group in GROUPS.items() if nodeid.startswith(prefix)),
                nodeid)


class GroupScheduling(LoadScopeScheduling):
    """Hand out each group as one unit of work, and every other test alone."""

    def _split_scope(self, nodeid: str) -> str:
        return group_of(nodeid)
