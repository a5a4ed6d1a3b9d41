# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One rate limiter for every API call of a task, that adapts when the cloud throttles.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.

The model is botocore's adaptive retry mode (``botocore/retries/adaptive.py`` and ``standard.py``: a token bucket whose
rate follows CUBIC congestion control): no pacing until the cloud first throttles; then the rate drops to a fraction
of what the cloud was admitting, and grows back along a cubic curve, probing for the cloud's limit again, but never
past twice what the cloud admitted over the last second (botocore: twice the rate sent), so that a spell of few calls
does not let the rate grow unchecked. Differences from botocore, each for a cloud that limits calls with a token bucket
(as both clouds do):

- the rate after a throttle is taken from the calls the cloud *accepted* in the last second (botocore uses the rate
  sent), which finds a cloud's limit in one or two steps instead of many;
- a throttle cuts the rate once per burst, as TCP cuts its window once per round trip: the throttled answers of calls
  paced before the last cut count, but do not cut again (compounding them would take the rate from the cloud's limit
  to the floor in one burst); and calls still waiting for a place given at the old rate take new places at the new one;
- after a throttle the bucket saves no burst: the cloud's own bucket was just shown empty;
- the cubic's scale is a quarter of botocore's: it probes past the cloud's limit more slowly, and is throttled less.

``cap`` (the ``max_calls_per_second`` option) bounds the rate from the start. Thread-safe: the writes of a fleet share
it (each thread makes one call at a time; the limiter remembers when it paced each thread's call).
"""

from __future__ import annotations

import collections
import threading
import time

BETA = 0.7  # the rate after a throttle, as a share of what the cloud admitted (botocore: 0.7)
SCALE = 0.1  # the cubic's scale constant, calls/s per s^3 (botocore: 0.4)
MIN_RATE = 0.5  # calls per second: never slower than this
WINDOW = 1.0  # seconds over which the admitted rate is measured
GROWTH = 2.0  # the rate grows to at most this many times what the cloud admitted over the last WINDOW (botocore: 2x sent)


class RateLimiter:
    """``acquire()`` before each call; ``admitted()`` / ``throttled()`` after its answer."""

    def __init__(self, cap=None, clock=time.monotonic, sleep=time.sleep):
        self.cap = cap
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._rate = cap  # None: unpaced
        self._tokens = 1.0
        self._refilled = clock()
        self._accepted = collections.deque()
        self._peak = None  # CUBIC's W_max: the rate at the last throttle
        self._throttled_at = None  # when the rate was last cut
        self._paced = threading.local()  # per thread: when its current call was given its place (at the rate then)
        self.throttles = 0

    @property
    def rate(self):
        return self._rate

    def acquire(self):
        """Take a token, waiting (outside the lock) until it is due when none is left. A call that was given its place
        before the rate was cut takes a new place, at the new rate, when the old one comes."""
        while True:
            with self._lock:
                pause = self._reserve()
                self._paced.at = paced = self._clock()
            if pause <= 0:
                return
            self._sleep(pause)
            if not self.cut_since(paced):
                return

    def cut_since(self, moment):
        """Was the rate cut after ``moment``?"""
        with self._lock:
            return self._throttled_at is not None and self._throttled_at > moment

    def _reserve(self):
        """Take the next token (the count may go below zero: later callers queue behind); the wait until it is due."""
        if self._rate is None:
            return 0.0
        now = self._clock()
        saved = 1.0 if self._throttled_at is not None else max(1.0, self._rate)  # after a throttle, no burst
        self._tokens = min(saved, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now
        self._tokens -= 1.0
        return max(0.0, -self._tokens / self._rate)

    def admitted(self):
        """The cloud accepted a call (it answered without throttling): count it, and grow the rate back."""
        with self._lock:
            now = self._clock()
            self._accepted.append(now)
            self._forget(now)
            if self._throttled_at is not None:
                self._rate = self._bounded(min(self._cubic(now), GROWTH * max(len(self._accepted), 1) / WINDOW))

    def throttled(self):
        """The cloud throttled a call: drop to a share of what it admitted over the last second."""
        with self._lock:
            self.throttles += 1
            now = self._clock()
            self._forget(now)
            paced = getattr(self._paced, 'at', None)
            if self._throttled_at is not None and paced is not None and paced < self._throttled_at:
                return  # paced before the last cut, at the old rate: that cut was the answer to it
            admitted = len(self._accepted) / WINDOW
            if self._rate is None and not admitted:
                return  # nothing admitted to measure the cloud's rate by: the retry's own backoff paces this call
            current = admitted if self._rate is None else min(self._rate, max(admitted, MIN_RATE))
            self._peak = max(current, MIN_RATE)
            self._throttled_at = now
            self._rate = self._bounded(self._peak * BETA)
            self._tokens, self._refilled = 0.0, now  # the cloud's bucket is empty: the next call waits its turn at the new
            # rate, and the calls queued at the old rate take new places behind it (``acquire``)

    def _cubic(self, now):
        """CUBIC's window W(t) = C (t - K)^3 + W_max, K = cube root of W_max (1 - beta) / C."""
        k = (self._peak * (1 - BETA) / SCALE) ** (1.0 / 3)
        return SCALE * (now - self._throttled_at - k) ** 3 + self._peak

    def _bounded(self, rate):
        rate = max(rate, MIN_RATE)
        return min(rate, self.cap) if self.cap else rate

    def _forget(self, now):
        while self._accepted and self._accepted[0] < now - WINDOW:
            self._accepted.popleft()
