# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Flow control per access key, as the clouds apply it: a token bucket per key.

Settings (``PATCH /_emulator/settings``): ``rate_limit_per_second`` (0, the default, turns it off) and
``rate_limit_burst`` (the bucket's size; 0 means one second's worth, at least 1). Each API call takes one
token from its access key's bucket; a call that finds the bucket empty is refused before anything else
happens (no signature check, no fault rule used up, nothing applied): ECS answers 400 ``Throttling.User``,
ZEC 429 ``REQUEST_LIMIT_EXCEEDED``, and the call log shows ``fault: "rate_limit"``.
"""

from __future__ import annotations

import threading
import time

import signing

ANONYMOUS = ''
# The throttle answer each cloud gives when a key is over its rate (a fault rule for the cloud's ``fault_reply``).
REFUSALS = {
    'ecs': {'fault': 'throttle', 'code': 'Throttling.User', 'status': 400},
    'zec': {'fault': 'throttle'},
}


def access_key_of(cloud, request):
    """The access key id a request is signed with (ECS V3 or V1, ZEC ZC2), or ``ANONYMOUS``."""
    authorization = request.header('Authorization', '')
    if cloud == 'zec':
        parsed = signing.parse_zc2_authorization(authorization)
        return parsed[0] if parsed else ANONYMOUS
    parsed = signing.parse_acs3_authorization(authorization)
    if parsed:
        return parsed[0]
    pairs = dict(request.query_pairs + request.form_pairs())
    return pairs.get('AccessKeyId') or ANONYMOUS


class TokenBucket:
    """``burst`` tokens at most, refilled at ``rate`` per second."""

    def __init__(self, rate, burst, now):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated = now

    def take(self, now):
        """True and one token fewer when a token is there; False otherwise."""
        self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class RateLimiter:
    """One bucket per ``(cloud, access key)``. Thread-safe.

    A bucket whose settings changed starts full again, and so does every bucket of a new world (reset or
    PUT state): the world's settings document is then a new object.
    """

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.buckets = {}
        self.lock = threading.Lock()
        self._settings = None

    @staticmethod
    def limits(settings):
        """``(rate, burst)`` from the world's settings, or ``None`` when flow control is off."""
        rate = float(settings.get('rate_limit_per_second') or 0)
        if rate <= 0:
            return None
        burst = int(settings.get('rate_limit_burst') or 0) or max(1, int(rate))
        return rate, burst

    def allow(self, key, settings):
        """True when ``key`` (any hashable) may make one more call now."""
        limits = self.limits(settings)
        if limits is None:
            return True
        now = self.clock()
        with self.lock:
            if settings is not self._settings:
                self._settings = settings
                self.buckets.clear()
            bucket = self.buckets.get(key)
            if bucket is None or (bucket.rate, bucket.burst) != limits:
                bucket = self.buckets[key] = TokenBucket(limits[0], limits[1], now)
            return bucket.take(now)

    def refusal(self, cloud, request, settings):
        """The throttle rule to answer ``request`` with when its key is over the rate, else ``None``."""
        if self.limits(settings) is None or self.allow((cloud, access_key_of(cloud, request)), settings):
            return None
        return dict(REFUSALS[cloud])
