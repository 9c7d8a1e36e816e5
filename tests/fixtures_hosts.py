"""Tests that need several hosts' worth of services (marked two_hosts) run on PostgreSQL only.

In a run without ACTIONAPP_TEST_DATABASE_URL they are deselected, and the summary says so and
why; in CI's PostgreSQL run they run, and fail loudly when Redis or anything else is missing.
"""

from __future__ import annotations

import os

import pytest

_KEY = pytest.StashKey[list]()
REASON = (
    "test(s) marked two_hosts deselected: they run two app hosts on one PostgreSQL and one "
    "Redis; set ACTIONAPP_TEST_DATABASE_URL (CI's PostgreSQL run does)"
)


def pytest_collection_modifyitems(config, items):
    """Deselect the two-host tests when the run has no PostgreSQL."""
    if os.environ.get("ACTIONAPP_TEST_DATABASE_URL"):
        return
    dropped = [item for item in items if item.get_closest_marker("two_hosts")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker("two_hosts")]
        config.stash.setdefault(_KEY, []).extend(dropped)


def pytest_terminal_summary(terminalreporter, config):
    """Say plainly which tests did not run and why."""
    dropped = config.stash.get(_KEY, [])
    if dropped:
        terminalreporter.write_sep("=", "not run here", yellow=True)
        terminalreporter.write_line(f"{len(dropped)} {REASON}:")
        for item in dropped:
            terminalreporter.write_line(f"  {item.nodeid}")
