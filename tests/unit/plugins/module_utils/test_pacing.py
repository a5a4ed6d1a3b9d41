# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task's rate limiter: unpaced until the cloud throttles, then a token bucket whose rate follows CUBIC."""

from __future__ import annotations

import pytest

from ansible_collections.cloudnet.nic.plugins.module_utils.pacing import BETA, MIN_RATE, RateLimiter


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
    for _call in range(8):
        pacer.acquire()
    assert fake_clock.now - started == pytest.approx(1.0, abs=0.01)  # 7 per second


def test_a_throttle_with_nothing_admitted_leaves_the_pacing_to_the_retry(fake_clock):
    pacer = limiter(fake_clock)
    pacer.throttled()
    assert pacer.rate is None and pacer.throttles == 1


def test_the_rate_grows_back_along_the_cubic_and_past_the_old_peak(fake_clock):
    pacer = limiter(fake_clock)
    for _call in range(10):
        pacer.admitted()
    pacer.throttled()
    low = pacer.rate
    fake_clock.sleep(1.0)
    pacer.admitted()
    middle = pacer.rate
    fake_clock.sleep(5.0)
    pacer.admitted()
    assert low < middle < 10 < pacer.rate


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
    fake_clock.sleep(60)
    pacer.admitted()
    assert pacer.rate == 3
