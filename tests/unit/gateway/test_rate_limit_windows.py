"""Fixed windows aligned to UTC boundaries and Kong's RateLimit-* choice."""
import calendar

import pytest

from microlab.gateway.plugins.rate_limiting import Handler, window_start


T = calendar.timegm((2026, 11, 25, 13, 20, 15)) + 0.75


@pytest.mark.parametrize("period,expected", [
    ("second", (2026, 11, 25, 13, 20, 15)),
    ("minute", (2026, 11, 25, 13, 20, 0)),
    ("hour", (2026, 11, 25, 13, 0, 0)),
    ("day", (2026, 11, 25, 0, 0, 0)),
    ("month", (2026, 11, 1, 0, 0, 0)),
    ("year", (2026, 1, 1, 0, 0, 0)),
])
def test_windows_start_on_utc_boundaries(period, expected):
    assert window_start(period, T) == calendar.timegm(expected + ())


def test_headers_pick_the_lowest_remaining_and_the_longer_window_on_ties():
    minute_start, hour_start = window_start("minute", T), window_start("hour", T)
    usage = [("minute", 10, 5, minute_start), ("hour", 100, 5, hour_start)]
    h = Handler._headers(usage, None, T)
    assert h["X-RateLimit-Remaining-Minute"] == "4" and h["X-RateLimit-Remaining-Hour"] == "4"
    assert (h["RateLimit-Limit"], h["RateLimit-Remaining"]) == ("100", "4")  # tie: the hour
    assert h["RateLimit-Reset"] == str(3600 - (20 * 60 + 15))


def test_on_rejection_only_the_exhausted_period_is_decremented():
    usage = [("second", 2, 0, int(T)), ("minute", 10, 8, window_start("minute", T))]
    h = Handler._headers(usage, "second", T)
    assert h["X-RateLimit-Remaining-Second"] == "0" and h["X-RateLimit-Remaining-Minute"] == "8"
    assert (h["RateLimit-Remaining"], h["RateLimit-Reset"]) == ("0", "1")
