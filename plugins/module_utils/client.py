# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The HTTP client shared by every cloud adapter of this collection.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.

The client knows nothing about any cloud. A cloud adapter hands it a *dialect*: an object that
signs a call (``prepare``) and turns a response into data or an ``ApiError`` (``parse``). The client
owns the transport concerns: one ``requests.Session``, timeouts, TLS verification, proxies from the
environment, and retry with full-jitter exponential backoff, bounded in attempts and in time.

Retry rules (DESIGN section 2):
- reads are retried on throttling, transient (5xx-like) errors, connection errors and read timeouts;
- writes are retried only on throttling and on connection errors where nothing reached the server;
  any other doubt is raised as an ``ApiError`` with ``outcome_unknown=True`` so that the caller
  re-reads the resource and decides from what is true.
"""

from __future__ import annotations

import json
import random
import time

from ansible_collections.cloudnet.nic.plugins.module_utils.pacing import RateLimiter

try:
    import requests
    from requests import exceptions as requests_exceptions
    from urllib3 import exceptions as urllib3_exceptions
except ImportError:  # pragma: no cover - exercised through missing_required_lib in the modules
    requests = None
    requests_exceptions = None
    urllib3_exceptions = None

# Error kinds shared by every adapter's error table.
NOT_FOUND = 'not_found'
CONFLICT = 'conflict'
INVALID_STATE = 'invalid_state'
BUSY = 'busy'  # another operation on the interface or the instance is in flight: it passes by itself
INSTANCE_STATE = 'instance_state'  # the instance's status refuses: passes if the instance is starting or stopping
QUOTA = 'quota'
PERMISSION = 'permission'
AUTH = 'auth'
THROTTLED = 'throttled'
TRANSIENT = 'transient'
INVALID_INPUT = 'invalid_input'
# Kinds the client itself assigns when no cloud answer could be read.
CONNECTION = 'connection'
TLS = 'tls'
MALFORMED = 'malformed_response'
# Kinds of failure a read is retried on, and that a wait for a transition outlasts: none says the request is wrong.
READ_RETRY_KINDS = (THROTTLED, TRANSIENT, CONNECTION, MALFORMED)
UNKNOWN = 'unknown'

USER_AGENT = 'cloudnet.nic/1.0.0 (+ansible collection)'
# The shortest read timeout a request gets when the task's deadline is near.
MIN_REQUEST_TIMEOUT = 0.5


class ApiError(Exception):
    """One failed API call, described by what a person needs to act on it.

    ``outcome_unknown`` is true when a mutating call may or may not have been applied by the
    cloud (the request was sent but no answer from the API could be read). ``may_land_later`` is true when, moreover,
    the API may not have finished with it: no answer came at all (a timeout, a lost connection) or a gateway answered
    instead of the API (an HTML 502 page); an error the API itself answered is final. ``from_api``: the API answered.
    """

    def __init__(self, code, message, http_status=None, request_id=None, action=None,
                 kind=UNKNOWN, hint=None, outcome_unknown=False, from_api=False):
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status
        self.request_id = request_id
        self.action = action
        self.kind = kind
        self.hint = hint
        self.outcome_unknown = outcome_unknown
        self.from_api = from_api
        self.retry_after = None

    @property
    def may_land_later(self):
        return self.outcome_unknown and not self.from_api

    def __str__(self):
        return '%s: %s' % (self.code, self.message)

    def as_dict(self):
        return {
            'code': self.code,
            'message': self.message,
            'http_status': self.http_status,
            'request_id': self.request_id,
            'action': self.action,
            'kind': self.kind,
        }


class PreparedCall:
    """A signed HTTP request, ready to send. Built afresh for every attempt (new nonce, new time)."""

    __slots__ = ('method', 'url', 'params', 'headers', 'body')

    def __init__(self, method, url, params=None, headers=None, body=b''):
        self.method = method
        self.url = url
        self.params = params
        self.headers = headers or {}
        self.body = body


class Response:
    """What the dialect needs to read an answer, without tying it to ``requests``."""

    __slots__ = ('status', 'headers', 'body')

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body


class RetryPolicy:
    """Full-jitter exponential backoff, bounded by attempts and by total time.

    ``delay(n, advised)`` returns the pause before attempt ``n + 1``: the server's advice when it
    gave one (capped), otherwise a uniform draw from ``[0, min(cap, base * 2**n)]``. Throttling
    says only "not so fast", so it earns more attempts (``throttled_attempts``) than a failure does.
    """

    def __init__(self, max_attempts=5, base=0.5, cap=8.0, max_elapsed=60.0, rand=random.uniform, throttled_attempts=20):
        self.max_attempts = max_attempts
        self.throttled_attempts = throttled_attempts
        self.base = base
        self.cap = cap
        self.max_elapsed = max_elapsed
        self._rand = rand

    def delay(self, attempt, advised=None):
        if advised is not None:
            return min(max(advised, 0.0), self.cap)
        return self._rand(0.0, min(self.cap, self.base * (2 ** attempt)))


def retry_after_seconds(headers):
    """The server's advised pause in seconds, from ``x-acs-retry-after`` (ms) or ``Retry-After`` (s)."""
    value = headers.get('x-acs-retry-after')
    if value:
        try:
            millis = int(value)
        except ValueError:
            millis = 0
        if millis > 0:
            return millis / 1000.0
    value = headers.get('Retry-After')
    if value:
        try:
            seconds = float(value)
        except ValueError:
            return None
        if seconds >= 0:
            return seconds
    return None


def _nothing_was_sent(exc):
    """True when a connection error happened before any byte of the request reached the server."""
    if isinstance(exc, requests_exceptions.ConnectTimeout):
        return True
    seen = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, (urllib3_exceptions.NewConnectionError, urllib3_exceptions.ConnectTimeoutError)):
            return True
        pending.extend(arg for arg in getattr(current, 'args', ()) if isinstance(arg, BaseException))
        pending.append(getattr(current, 'reason', None))
        pending.append(current.__cause__)
        pending.append(current.__context__)
    return False


class Client:
    """Sends dialect-prepared calls with retries. One instance (one Session) per module run."""

    def __init__(self, dialect, timeout=30, validate_certs=True, ca_path=None, retry=None,
                 sleep=time.sleep, clock=time.monotonic, session=None, max_rate=None, pool_size=10):
        self.dialect = dialect
        self.timeout = timeout
        self.verify = (ca_path or True) if validate_certs else False
        self.retry = retry or RetryPolicy()
        self.limiter = RateLimiter(cap=max_rate, clock=clock, sleep=sleep)  # one for every call of the task
        self.pool_size = pool_size  # connections kept to the endpoint: as many as calls may run side by side
        self._sleep = sleep
        self._clock = clock
        self._session = session
        self.deadline = None  # a clock() time no request and no retry pause may run past (the task's wait_timeout)
        self.attempts = 0
        self.retries = 0

    @property
    def session(self):
        if self._session is None:
            self._session = requests.Session()
            self._session.headers['User-Agent'] = USER_AGENT
            if self.pool_size > 10:  # requests keeps 10 connections per host by default
                for scheme in ('https://', 'http://'):
                    self._session.mount(scheme, requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=self.pool_size))
        return self._session

    def call(self, action, params, mutating=False):
        """Send one API action and return its parsed data, or raise ``ApiError``."""
        started = self._clock()
        attempt = 0
        while True:
            try:
                return self._attempt(action, params, mutating)
            except ApiError as err:
                advised = err.retry_after
                if not self._should_retry(err, mutating):
                    raise
                pause = self.retry.delay(attempt, advised)
                attempt += 1
                now = self._clock()
                allowed = self.retry.throttled_attempts if err.kind == THROTTLED else self.retry.max_attempts
                if attempt >= allowed or now - started + pause > self.retry.max_elapsed:
                    raise
                if self.deadline is not None and now + pause > self.deadline:
                    raise
                self.retries += 1
                self._sleep(pause)

    @staticmethod
    def _should_retry(err, mutating):
        if err.kind == THROTTLED:
            return True
        if err.kind == CONNECTION and not err.outcome_unknown:
            return True
        if mutating:
            return False
        return err.kind in READ_RETRY_KINDS

    def request_timeout(self):
        """The read timeout of the next request: ``timeout``, but never past the task's deadline."""
        if self.deadline is None:
            return self.timeout
        return max(min(self.timeout, self.deadline - self._clock()), MIN_REQUEST_TIMEOUT)

    def _attempt(self, action, params, mutating):
        self.limiter.acquire()
        prepared = self.dialect.prepare(action, params)
        self.attempts += 1
        timeout = self.request_timeout()
        try:
            raw = self.session.request(
                prepared.method, prepared.url, params=prepared.params, headers=prepared.headers,
                data=prepared.body, timeout=timeout, verify=self.verify, allow_redirects=False,
            )
        except requests_exceptions.SSLError as exc:
            raise _tls_error(exc, action, prepared.url)
        except (requests_exceptions.ConnectionError, requests_exceptions.Timeout, requests_exceptions.ChunkedEncodingError) as exc:
            raise self._transport_error(exc, action, prepared, mutating, timeout)
        except requests_exceptions.RequestException as exc:
            raise ApiError('InvalidEndpoint', 'the request to %s could not be made (%s)' % (_origin(prepared.url), type(exc).__name__),
                           action=action, kind=INVALID_INPUT, hint='Check the endpoint option: it must be an http(s) URL.')
        except (OSError, ValueError) as exc:  # e.g. a CA bundle requests cannot load; never a traceback
            raise ApiError('RequestNotMade', 'the request to %s could not be made (%s)' % (_origin(prepared.url), type(exc).__name__),
                           action=action, kind=INVALID_INPUT, hint='Check the ca_path and endpoint options.')
        response = Response(raw.status_code, raw.headers, raw.content)
        try:
            data = self.dialect.parse(action, response)
        except ApiError as err:
            err.action = err.action or action
            err.retry_after = retry_after_seconds(response.headers)
            if mutating and err.kind in (TRANSIENT, MALFORMED):
                err.outcome_unknown = True
            if err.kind == THROTTLED:
                self.limiter.throttled()
            else:
                self.limiter.admitted()
            raise
        self.limiter.admitted()
        return data

    def _transport_error(self, exc, action, prepared, mutating, timeout):
        unsent = _nothing_was_sent(exc)
        if isinstance(exc, requests_exceptions.ReadTimeout):
            code, text = 'ReadTimeout', 'no answer from %s within %s seconds' % (_origin(prepared.url), _seconds(timeout))
        elif unsent:
            code, text = 'ConnectionFailed', 'could not connect to %s' % _origin(prepared.url)
        else:
            code, text = 'ConnectionLost', 'the connection to %s was lost before an answer arrived' % _origin(prepared.url)
        return ApiError(code, text, action=action, kind=CONNECTION, outcome_unknown=mutating and not unsent,
                        hint='Check the endpoint, proxy settings and network path, or raise the timeout option.')


# A TLS handshake that failed because the other end does not speak TLS at all (an https:// URL to a plain HTTP port).
_NOT_TLS = ('wrong version number', 'record layer failure', 'unknown protocol', 'packet length too long', 'http request')


def _tls_error(exc, action, url):
    if any(words in str(exc).lower() for words in _NOT_TLS):
        return ApiError('TLSHandshakeFailed', '%s did not answer in TLS' % _origin(url), action=action, kind=TLS,
                        hint='The endpoint seems to serve plain HTTP: use an http:// endpoint, or the port that serves HTTPS.')
    return ApiError('TLSError', 'the TLS certificate of %s could not be verified' % _origin(url), action=action, kind=TLS,
                    hint='Set ca_path to the CA bundle that signed the endpoint certificate, or fix the endpoint URL.')


def _seconds(value):
    return int(value) if float(value).is_integer() else round(value, 1)


def _origin(url):
    """``scheme://host:port`` of ``url``, without any user name or password it may carry."""
    scheme, _sep, rest = url.partition('://')
    return '%s://%s' % (scheme, rest.split('/', 1)[0].split('?', 1)[0].rpartition('@')[2])


class ErrorTable:
    """Maps a cloud's error codes to a kind and a hint for the person reading the failure.

    ``entries`` maps an exact code to ``(kind, hint)``; ``prefixes`` maps a code prefix (e.g.
    ``'Throttling'``) likewise. A code in neither falls back to a kind from the HTTP status.
    """

    def __init__(self, entries, prefixes=None, throttled_hint=None):
        self.entries = entries
        self.prefixes = prefixes or {}
        self.throttled_hint = throttled_hint or 'The cloud throttled the API calls and retries ran out; lower forks or run the task again later.'

    def classify(self, code, http_status):
        kind, hint = self._by_code(code, http_status)
        if http_status == 429 and kind != THROTTLED:  # throttling, whatever the body says (the clouds' Go SDKs retry any 429)
            return THROTTLED, self.throttled_hint
        return kind, hint

    def _by_code(self, code, http_status):
        if code in self.entries:
            return self.entries[code]
        for prefix, entry in self.prefixes.items():
            if code and code.startswith(prefix):
                return entry
        return _kind_from_status(http_status), None

    def error(self, code, message, http_status, request_id, action):
        kind, hint = self.classify(code, http_status)
        return ApiError(code, message, http_status=http_status, request_id=request_id, action=action, kind=kind, hint=hint, from_api=True)


def _kind_from_status(status):
    if status == 429:
        return THROTTLED
    if status is not None and status >= 500:
        return TRANSIENT
    return {400: INVALID_INPUT, 401: AUTH, 403: PERMISSION, 404: NOT_FOUND, 409: CONFLICT}.get(status, UNKNOWN)


def malformed(action, what, request_id=None, api='the API'):
    """An ``ApiError`` for an answer that parsed as JSON but does not have the shape ``api`` documents."""
    return ApiError('MalformedResponse', '%s %s' % (action, what), request_id=request_id, action=action, kind=MALFORMED,
                    hint='A proxy or gateway may be answering instead of %s; check the endpoint option.' % api)


def decode_json(response, action):
    """The JSON object in a response body, or an ApiError saying what came instead."""
    try:
        data = json.loads(response.body.decode('utf-8'))
    except (ValueError, UnicodeDecodeError):
        data = None
    if isinstance(data, dict):
        return data
    kind_of_body = 'an empty body' if not response.body else 'a body that is not a JSON object (%s)' % (
        response.headers.get('Content-Type') or 'no content type')
    if response.status == 429:
        raise ApiError('TooManyRequests', 'HTTP 429 with %s' % kind_of_body, http_status=429, action=action, kind=THROTTLED,
                       hint='The cloud (or a gateway in front of it) throttled the API calls and retries ran out; lower forks or '
                            'run the task again later.')
    raise ApiError('MalformedResponse', 'HTTP %s with %s' % (response.status, kind_of_body), http_status=response.status,
                   action=action, kind=TRANSIENT if response.status >= 500 else MALFORMED,
                   hint='A proxy or gateway may be answering instead of the API; check the endpoint and proxy settings.')
