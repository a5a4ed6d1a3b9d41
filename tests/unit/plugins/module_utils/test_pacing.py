# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task's rate limiter: unpaced until the cloud throttles, then a token bucket whose rate follows CUBIC."""

from __future__ import annotations

import pytest

from ansible_collections.cloudnet.nic.plugins.module_utils.pacing import BETA, GROWTH, MIN_RATE, RateLimiter


def limiter(fake_clock, cap=None):
    return RateLimiter(cap=cap, clock=fake_clock.monotonic, sleep=fake_clock.sleep)


def test_unpaced_until_the_first_throttle(fake_clock):
    pacer = limiter(fake_clock)
    for _call in range(100):
        pacer.acquire()
        pacer.admitted()
    assert fake_clock.sleeps == [] and pacer.rate is None


def test_a_cap_paces_from_the_first_call(fake_clock):
    pacer = limiter(fake_clock, cap=4)
    for _call in range(9):
        pacer.acquire()
    assert fake_clock.elapsed == pytest.approx(2.0)  # one token at once, then 4 per second


def test_a_throttle_drops_to_a_share_of_what_the_cloud_admitted(fake_clock):
    pacer = limiter(fake_clock)
    for _call in range(10):  # the cloud admits 10 calls in its burst, then throttles
        pacer.acquire()
        pacer.admitted()
    pacer.throttled()
    assert pacer.rate == pytest.approx(10 * BETA)
    started = fake_clock.now
    for _call in range(7):
        pacer.acquire()
    assert fake_clock.now - started == pytest.approx(1.0, abs=0.01)  # 7 per second, the first one too: the cloud's bucket is empty


def test_a_throttle_with_nothing_admitted_leaves_the_pacing_to_the_retry(fake_clock):
    pacer = limiter(fake_clock)
    pacer.throttled()
    assert pacer.rate is None and pacer.throttles == 1


def admit_for(pacer, fake_clock, seconds, per_second=50):
    """The cloud admits ``per_second`` calls a second for ``seconds`` (plenty: the cubic, not the demand, bounds the rate)."""
    for _call in range(int(seconds * per_second)):
        fake_clock.sleep(1.0 / per_second)
        pacer.admitted()


def test_the_rate_grows_back_along_the_cubic_and_past_the_old_peak(fake_clock):
    pacer = limiter(fake_clock)
    for _call in range(10):
        pacer.admitted()
    pacer.throttled()
    low = pacer.rate
    admit_for(pacer, fake_clock, 1.0)
    middle = pacer.rate
    admit_for(pacer, fake_clock, 5.0)
    assert low < middle < 10 < pacer.rate


def test_the_rate_grows_to_at_most_twice_what_the_cloud_admitted_in_the_last_second(fake_clock):
    pacer = limiter(fake_clock)
    for _call in range(10):
        pacer.admitted()
    pacer.throttled()
    admit_for(pacer, fake_clock, 30.0, per_second=2.5)  # the cubic is far past 10 by now, but few calls came: 3 in the last second
    assert pacer.rate == pytest.approx(GROWTH * 3)


def test_repeated_throttles_never_go_below_the_floor(fake_clock):
    pacer = limiter(fake_clock)
    pacer.admitted()
    rates = []
    for _step in range(50):
        pacer.throttled()
        rates.append(pacer.rate)
        fake_clock.sleep(0.01)
    assert rates == sorted(rates, reverse=True) and rates[-1] == MIN_RATE


def test_the_cap_bounds_the_growth(fake_clock):
    pacer = limiter(fake_clock, cap=3)
    for _call in range(10):
        pacer.admitted()
    pacer.throttled()
    admit_for(pacer, fake_clock, 60.0)
    assert pacer.rate == 3


def test_a_burst_of_throttles_cuts_the_rate_once(fake_clock):
    """The throttled answers of calls paced before the cut were answered by that cut: they do not compound it."""
    pacer = limiter(fake_clock)
    for _call in range(10):
        pacer.acquire()
        pacer.admitted()
    pacer.acquire()  # paced (unpaced, in fact) before any cut, like the other calls of the burst
    fake_clock.sleep(0.01)
    pacer.throttled()
    assert pacer.rate == pytest.approx(10 * BETA)
    for _echo in range(9):  # the rest of the burst, all sent before the cut
        pacer.throttled()
    assert pacer.rate == pytest.approx(10 * BETA) and pacer.throttles == 10
    fake_clock.sleep(0.01)
    pacer.acquire()  # paced after the cut, at the new rate: its throttle is news, and cuts again
    pacer.throttled()
    assert pacer.rate < 10 * BETA


def test_a_call_paced_before_a_cut_takes_a_new_place_at_the_new_rate(fake_clock):
    pacer = limiter(fake_clock, cap=10)
    for _call in range(10):
        pacer.admitted()
    cuts = []

    def sleep(seconds):  # while this call waits for its place, another call's throttle cuts the rate to 7/s
        fake_clock.sleep(seconds)
        if not cuts:
            cuts.append(fake_clock.now)
            pacer.throttled()
    pacer._sleep = sleep  # pylint: disable=protected-access
    pacer.acquire()  # the bucket's one token
    pacer.acquire()  # 0.1 s at 10/s; the cut comes meanwhile: 1/7 s more, at 7/s
    assert pacer.rate == pytest.approx(7)
    assert fake_clock.sleeps == [pytest.approx(0.1), pytest.approx(1 / 7.0)]


def test_no_burst_after_a_throttle(fake_clock):
    """Calls saved up while idle would all meet a cloud bucket that the throttle showed empty: after a throttle the
    calls are spaced at the rate even after a quiet spell (before any, a second's worth may go at once)."""
    capped = limiter(fake_clock, cap=4)
    fake_clock.sleep(10)
    del fake_clock.sleeps[:]
    for _call in range(5):
        capped.acquire()
    assert fake_clock.sleeps == [pytest.approx(0.25)]  # never throttled: a second's worth at once, then the cap's pace
    pacer = limiter(fake_clock)
    for _call in range(10):
        pacer.admitted()
    pacer.throttled()
    fake_clock.sleep(10)
    del fake_clock.sleeps[:]
    for _call in range(4):
        pacer.acquire()
    assert fake_clock.sleeps == [pytest.approx(1 / pacer.rate)] * 3
