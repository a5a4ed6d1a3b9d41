# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared HTTP client: retries, backoff, transport errors, error tables, JSON decoding.

HTTP is mocked with ``responses`` (which can also raise transport exceptions); the cloud is a tiny fake dialect whose
secret is a marker string that must never appear in any error. Time is a fake clock: no test really sleeps.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os

import pytest
import requests
import responses
import yaml
from urllib3 import exceptions as urllib3_exceptions

from ansible_collections.cloudnet.nic.plugins.module_utils import client
from ansible_collections.cloudnet.nic.plugins.module_utils.client import (
    ApiError, Client, ErrorTable, PreparedCall, Response, RetryPolicy, decode_json, retry_after_seconds,
)

URL = 'https://api.fake.test/rpc'
SECRET = 'SECRET-MARKER-3f9c2b7e-never-print-me'
OK = {'ok': True}


class FakeDialect:
    """Signs with HMAC over the action (never sending the secret) and reads ``{"code", "message"}`` errors."""

    errors = ErrorTable({
        'Busy': (client.CONFLICT, 'Try later.'),
        'Oops': (client.TRANSIENT, 'Retried.'),
        'NoSuchThing': (client.NOT_FOUND, 'Check the id.'),
        'BadSignature': (client.AUTH, 'Check the secret.'),
    }, prefixes={'Throttling': (client.THROTTLED, 'Slow down.')})

    def __init__(self):
        self.prepared = 0

    def prepare(self, action, params):
        self.prepared += 1
        signature = hmac.new(SECRET.encode(), ('%s/%d' % (action, self.prepared)).encode(), hashlib.sha256).hexdigest()
        return PreparedCall('POST', URL, params=dict(params, Action=action), headers={'X-Signature': signature},
                            body=b'')

    def parse(self, action, response):
        data = decode_json(response, action)
        if response.status < 300:
            return data
        raise self.errors.error(data.get('code'), data.get('message', ''), response.status, data.get('requestId'), action)


def error_body(code, message='it failed', status=400, headers=None):
    return dict(status=status, json={'code': code, 'message': message, 'requestId': 'REQ-1'}, headers=headers or {})


def refused_connection():
    """What requests raises when the TCP connection is refused: nothing reached the server."""
    reason = urllib3_exceptions.NewConnectionError(None, 'Failed to establish a new connection: [Errno 111] refused')
    return requests.exceptions.ConnectionError(urllib3_exceptions.MaxRetryError(None, URL, reason))


def reset_connection():
    """What requests raises when the server resets the connection after the request was sent."""
    return requests.exceptions.ConnectionError(urllib3_exceptions.ProtocolError(
        'Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')))


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def make_client(fake_clock):
    def make(retry=None, **kwargs):
        return Client(FakeDialect(), retry=retry or RetryPolicy(rand=lambda low, high: high),
                      clock=fake_clock.monotonic, sleep=fake_clock.sleep, **kwargs)
    return make


def answers(http, *replies):
    """Each call gets the next reply: a dict of ``responses`` arguments, or an exception to raise."""
    for reply in replies:
        if isinstance(reply, BaseException):
            http.add(responses.POST, URL, body=reply)
        else:
            http.add(responses.POST, URL, **reply)


def assert_no_secret(err):
    for text in (str(err), repr(err), json.dumps(err.as_dict()), err.hint or '', err.message):
        assert SECRET not in text


# ---------------------------------------------------------------------------------------------------------------------
# RetryPolicy and retry-after


@pytest.mark.parametrize('attempt, bound', [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (30, 8.0)])
def test_full_jitter_draws_between_zero_and_the_capped_exponential(attempt, bound):
    drawn = []
    policy = RetryPolicy(base=0.5, cap=8.0, rand=lambda low, high: drawn.append((low, high)) or high / 2)
    assert policy.delay(attempt) == bound / 2
    assert drawn == [(0.0, bound)]


def test_real_jitter_stays_within_bounds():
    policy = RetryPolicy(base=0.5, cap=8.0)
    for attempt in range(8):
        for _draw in range(50):
            assert 0.0 <= policy.delay(attempt) <= min(8.0, 0.5 * 2 ** attempt)


@pytest.mark.parametrize('advised, expected', [(1.5, 1.5), (8.0, 8.0), (60.0, 8.0), (-3.0, 0.0), (0.0, 0.0)])
def test_advised_delay_is_used_and_capped(advised, expected):
    policy = RetryPolicy(cap=8.0, rand=lambda low, high: pytest.fail('jitter drawn although the server advised'))
    assert policy.delay(3, advised) == expected


@pytest.mark.parametrize('headers, seconds', [
    ({'x-acs-retry-after': '1500'}, 1.5),
    ({'x-acs-retry-after': '1500', 'Retry-After': '9'}, 1.5),
    ({'x-acs-retry-after': '0', 'Retry-After': '9'}, 9.0),
    ({'x-acs-retry-after': 'soon', 'Retry-After': '2'}, 2.0),
    ({'Retry-After': '2.5'}, 2.5),
    ({'Retry-After': '0'}, 0.0),
    ({'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT'}, None),
    ({'Retry-After': '-1'}, None),
    ({}, None),
])
def test_retry_after_seconds(headers, seconds):
    assert retry_after_seconds(requests.structures.CaseInsensitiveDict(headers)) == seconds


def test_retry_after_header_names_are_case_insensitive():
    assert retry_after_seconds(requests.structures.CaseInsensitiveDict({'X-Acs-Retry-After': '250'})) == 0.25


# ---------------------------------------------------------------------------------------------------------------------
# Retries of reads


def test_success_returns_the_parsed_data_with_one_attempt(http, make_client, fake_clock):
    answers(http, dict(json=OK))
    api = make_client()
    assert api.call('Describe', {'Id': 'x'}) == OK
    assert (api.attempts, api.retries, fake_clock.sleeps, len(http.calls)) == (1, 0, [], 1)
    assert 'Action=Describe' in http.calls[0].request.url and 'Id=x' in http.calls[0].request.url


@pytest.mark.parametrize('failure', [
    error_body('Throttling.User'),
    error_body('Oops', status=500),
    dict(status=503, body='<html>Service Unavailable</html>', content_type='text/html'),
    dict(status=200, body='<html>captive portal</html>', content_type='text/html'),
    dict(status=200, body=''),
    error_body('SomethingNew', status=502),
    dict(status=429, json={'message': 'slow'}),
    refused_connection(),
    reset_connection(),
    requests.exceptions.ReadTimeout('read timed out'),
    requests.exceptions.ConnectTimeout('connect timed out'),
    requests.exceptions.ChunkedEncodingError('truncated'),
], ids=['throttled', 'transient-code', 'html-5xx', 'html-200', 'empty-200', 'unknown-5xx', 'http-429', 'refused',
        'reset', 'read-timeout', 'connect-timeout', 'chunked'])
def test_reads_are_retried(http, make_client, fake_clock, failure):
    answers(http, failure, failure, dict(json=OK))
    api = make_client()
    assert api.call('Describe', {}) == OK
    assert (api.attempts, api.retries, len(http.calls)) == (3, 2, 3)
    assert fake_clock.sleeps == [0.5, 1.0]


def test_every_attempt_is_prepared_afresh(http, make_client):
    answers(http, error_body('Throttling'), dict(json=OK))
    api = make_client()
    api.call('Describe', {})
    assert api.dialect.prepared == 2
    assert http.calls[0].request.headers['X-Signature'] != http.calls[1].request.headers['X-Signature']


@pytest.mark.parametrize('failure, code, kind', [
    (error_body('NoSuchThing', status=404), 'NoSuchThing', client.NOT_FOUND),
    (error_body('Busy', status=409), 'Busy', client.CONFLICT),
    (error_body('BadSignature', status=400), 'BadSignature', client.AUTH),
    (error_body('Whatever', status=403), 'Whatever', client.PERMISSION),
])
def test_reads_are_not_retried_on_a_definite_refusal(http, make_client, fake_clock, failure, code, kind):
    answers(http, failure, dict(json=OK))
    with pytest.raises(ApiError) as raised:
        make_client().call('Describe', {})
    assert (raised.value.code, raised.value.kind, raised.value.outcome_unknown) == (code, kind, False)
    assert (len(http.calls), fake_clock.sleeps) == (1, [])


def test_attempts_are_bounded(http, make_client, fake_clock):
    answers(http, error_body('Oops', status=500))
    api = make_client(RetryPolicy(max_attempts=4, max_elapsed=1000, rand=lambda low, high: high))
    with pytest.raises(ApiError) as raised:
        api.call('Describe', {})
    assert raised.value.kind == client.TRANSIENT
    assert (api.attempts, api.retries, len(http.calls)) == (4, 3, 4)
    assert fake_clock.sleeps == [0.5, 1.0, 2.0]


def test_throttling_earns_more_attempts_than_a_failure(http, make_client, fake_clock):
    answers(http, error_body('Throttling'))
    api = make_client(RetryPolicy(max_attempts=4, throttled_attempts=7, max_elapsed=1000, rand=lambda low, high: high))
    with pytest.raises(ApiError) as raised:
        api.call('Describe', {})
    assert raised.value.kind == client.THROTTLED
    assert (api.attempts, len(http.calls)) == (7, 7)
    assert fake_clock.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_total_time_is_bounded(http, make_client, fake_clock):
    answers(http, error_body('Oops', status=500))
    api = make_client(RetryPolicy(max_attempts=100, base=0.5, cap=8.0, max_elapsed=10.0, rand=lambda low, high: high))
    with pytest.raises(ApiError):
        api.call('Describe', {})
    assert fake_clock.sleeps == [0.5, 1.0, 2.0, 4.0]  # the next pause (8 s) would end past 10 s
    assert fake_clock.elapsed <= 10.0
    assert len(http.calls) == 5


def test_time_spent_in_requests_counts_against_max_elapsed(http, fake_clock):
    def slow_answer(request):
        fake_clock.now += 4.0
        return 500, {}, json.dumps({'code': 'Oops'})

    http.add_callback(responses.POST, URL, callback=slow_answer)
    api = Client(FakeDialect(), retry=RetryPolicy(max_attempts=100, max_elapsed=10.0, rand=lambda low, high: high),
                 clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    with pytest.raises(ApiError):
        api.call('Describe', {})
    # t=4 +0.5 pause, t=8.5 +1.0 pause (9.5 <= 10), t=13.5: the next pause would end past 10 s
    assert len(http.calls) == 3
    assert fake_clock.sleeps == [0.5, 1.0]


def test_x_acs_retry_after_in_milliseconds_is_honoured(http, make_client, fake_clock):
    answers(http, error_body('Throttling', headers={'x-acs-retry-after': '2500'}), dict(json=OK))
    make_client().call('Describe', {})
    assert fake_clock.sleeps == [2.5]


def test_retry_after_in_seconds_is_honoured(http, make_client, fake_clock):
    answers(http, dict(status=429, json={'code': 'Throttling'}, headers={'Retry-After': '3'}), dict(json=OK))
    make_client().call('Describe', {})
    assert fake_clock.sleeps == [3.0]


def test_retry_after_is_capped(http, make_client, fake_clock):
    answers(http, error_body('Throttling', headers={'x-acs-retry-after': '600000'}), dict(json=OK))
    make_client(RetryPolicy(cap=8.0, max_elapsed=1000)).call('Describe', {})
    assert fake_clock.sleeps == [8.0]


def test_no_pause_may_end_past_the_task_deadline(http, make_client, fake_clock):
    answers(http, error_body('Throttling', headers={'x-acs-retry-after': '2000'}), dict(json=OK))
    client = make_client()
    client.deadline = fake_clock.now + 1.5
    with pytest.raises(ApiError) as raised:
        client.call('Describe', {})
    assert raised.value.code == 'Throttling'
    assert (fake_clock.sleeps, len(http.calls)) == ([], 1)


def test_a_pause_that_ends_before_the_deadline_is_taken(http, make_client, fake_clock):
    answers(http, error_body('Throttling', headers={'x-acs-retry-after': '1000'}), dict(json=OK))
    client = make_client()
    client.deadline = fake_clock.now + 1.5
    assert client.call('Describe', {}) == OK
    assert fake_clock.sleeps == [1.0]


def test_retry_after_beyond_max_elapsed_gives_up_at_once(http, make_client, fake_clock):
    answers(http, error_body('Throttling', headers={'Retry-After': '50'}), dict(json=OK))
    with pytest.raises(ApiError) as raised:
        make_client(RetryPolicy(cap=100.0, max_elapsed=30.0)).call('Describe', {})
    assert raised.value.retry_after == 50.0
    assert (fake_clock.sleeps, len(http.calls)) == ([], 1)


# ---------------------------------------------------------------------------------------------------------------------
# Retries of writes (mutating=True)


@pytest.mark.parametrize('failure', [
    error_body('Throttling'),
    error_body('Throttling.User', status=503),
    refused_connection(),
    requests.exceptions.ConnectTimeout('connect timed out'),
], ids=['throttled', 'throttled-503', 'refused', 'connect-timeout'])
def test_writes_are_retried_when_nothing_was_done(http, make_client, fake_clock, failure):
    answers(http, failure, dict(json=OK))
    api = make_client()
    assert api.call('Attach', {}, mutating=True) == OK
    assert (len(http.calls), api.retries) == (2, 1)


@pytest.mark.parametrize('failure, code, kind', [
    (error_body('Oops', status=500), 'Oops', client.TRANSIENT),
    (error_body('SomethingNew', status=503), 'SomethingNew', client.TRANSIENT),
    (dict(status=502, body='<html>Bad Gateway</html>', content_type='text/html'), 'MalformedResponse', client.TRANSIENT),
    (dict(status=200, body='not json'), 'MalformedResponse', client.MALFORMED),
    (requests.exceptions.ReadTimeout('read timed out'), 'ReadTimeout', client.CONNECTION),
    (reset_connection(), 'ConnectionLost', client.CONNECTION),
    (requests.exceptions.ChunkedEncodingError('truncated'), 'ConnectionLost', client.CONNECTION),
], ids=['transient-code', 'unknown-5xx', 'html-502', 'malformed-200', 'read-timeout', 'reset', 'chunked'])
def test_writes_are_not_retried_when_the_outcome_is_unknown(http, make_client, fake_clock, failure, code, kind):
    answers(http, failure, dict(json=OK))
    api = make_client()
    with pytest.raises(ApiError) as raised:
        api.call('Attach', {}, mutating=True)
    err = raised.value
    assert (err.code, err.kind, err.outcome_unknown, err.action) == (code, kind, True, 'Attach')
    assert (len(http.calls), fake_clock.sleeps, api.retries) == (1, [], 0)


def test_writes_refused_by_the_cloud_are_not_retried_and_not_unknown(http, make_client):
    answers(http, error_body('Busy', status=409), dict(json=OK))
    with pytest.raises(ApiError) as raised:
        make_client().call('Attach', {}, mutating=True)
    assert (raised.value.kind, raised.value.outcome_unknown, len(http.calls)) == (client.CONFLICT, False, 1)


def test_read_errors_never_claim_an_unknown_outcome(http, make_client):
    answers(http, reset_connection())
    with pytest.raises(ApiError) as raised:
        make_client(RetryPolicy(max_attempts=2, rand=lambda low, high: 0)).call('Describe', {})
    assert (raised.value.code, raised.value.outcome_unknown) == ('ConnectionLost', False)


# ---------------------------------------------------------------------------------------------------------------------
# Transport errors


def test_tls_error_is_tls_kind_and_not_retried(http, make_client):
    answers(http, requests.exceptions.SSLError('certificate verify failed'))
    with pytest.raises(ApiError) as raised:
        make_client().call('Describe', {})
    err = raised.value
    assert (err.code, err.kind, err.action) == ('TLSError', client.TLS, 'Describe')
    assert 'https://api.fake.test' in err.message and '/rpc' not in err.message
    assert 'ca_path' in err.hint
    assert len(http.calls) == 1


@pytest.mark.parametrize('failure, code', [
    (refused_connection(), 'ConnectionFailed'),
    (requests.exceptions.ConnectTimeout('connect timed out'), 'ConnectionFailed'),
    (reset_connection(), 'ConnectionLost'),
    (requests.exceptions.ReadTimeout('read timed out'), 'ReadTimeout'),
])
def test_connection_errors_name_the_origin_and_a_hint(http, make_client, failure, code):
    answers(http, failure)
    with pytest.raises(ApiError) as raised:
        make_client(RetryPolicy(max_attempts=1), timeout=12).call('Describe', {})
    err = raised.value
    assert (err.code, err.kind, err.http_status) == (code, client.CONNECTION, None)
    assert 'https://api.fake.test' in err.message
    assert 'proxy' in err.hint
    if code == 'ReadTimeout':
        assert 'within 12 seconds' in err.message


def test_connection_refused_found_through_the_exception_chain():
    try:
        try:
            raise urllib3_exceptions.NewConnectionError(None, 'refused')
        except urllib3_exceptions.NewConnectionError as inner:
            raise requests.exceptions.ConnectionError('wrapped') from inner
    except requests.exceptions.ConnectionError as outer:
        assert client._nothing_was_sent(outer) is True
    assert client._nothing_was_sent(reset_connection()) is False


def test_a_request_that_cannot_be_made_is_an_invalid_endpoint(http, make_client):
    answers(http, requests.exceptions.InvalidURL('bad url'))
    with pytest.raises(ApiError) as raised:
        make_client().call('Describe', {})
    assert (raised.value.code, raised.value.kind, len(http.calls)) == ('InvalidEndpoint', client.INVALID_INPUT, 1)
    assert 'InvalidURL' in raised.value.message and 'endpoint' in raised.value.hint


def test_request_options_timeout_verify_and_no_redirects(http, make_client):
    answers(http, dict(json=OK))
    make_client(timeout=7, validate_certs=True, ca_path='/etc/ca.pem').call('Describe', {})
    kwargs = http.calls[0].request.req_kwargs
    assert (kwargs['timeout'], kwargs['verify']) == (7, '/etc/ca.pem')
    assert http.calls[0].request.headers['User-Agent'] == client.USER_AGENT


@pytest.mark.parametrize('validate_certs, ca_path, verify', [(True, None, True), (False, '/etc/ca.pem', False),
                                                             (False, None, False), (True, '/ca', '/ca')])
def test_verify_setting(validate_certs, ca_path, verify):
    assert Client(FakeDialect(), validate_certs=validate_certs, ca_path=ca_path).verify == verify


def test_one_session_per_client():
    api = Client(FakeDialect())
    assert api.session is api.session
    assert isinstance(api.session, requests.Session)
    assert Client(FakeDialect()).session is not api.session


def test_a_given_session_is_used():
    session = requests.Session()
    assert Client(FakeDialect(), session=session).session is session


def test_redirect_is_not_followed(http, make_client):
    answers(http, dict(status=302, headers={'Location': 'https://elsewhere.test/'}, body=''))
    with pytest.raises(ApiError) as raised:
        make_client().call('Describe', {})
    assert (raised.value.code, raised.value.http_status, raised.value.kind) == ('MalformedResponse', 302, client.MALFORMED)


# ---------------------------------------------------------------------------------------------------------------------
# No secret anywhere


@pytest.mark.parametrize('failure', [
    error_body('BadSignature', message='signature mismatch'),
    error_body('Oops', status=500),
    dict(status=200, body='<html/>', content_type='text/html'),
    requests.exceptions.SSLError('certificate verify failed'),
    refused_connection(),
    reset_connection(),
    requests.exceptions.ReadTimeout('read timed out'),
    requests.exceptions.InvalidURL('bad'),
], ids=['auth', 'transient', 'malformed', 'tls', 'refused', 'reset', 'read-timeout', 'invalid-url'])
@pytest.mark.parametrize('mutating', [False, True], ids=['read', 'write'])
def test_no_secret_in_any_error(http, make_client, failure, mutating):
    answers(http, failure)
    with pytest.raises(ApiError) as raised:
        make_client(RetryPolicy(max_attempts=1)).call('Describe', {'Secretless': 'yes'}, mutating=mutating)
    assert_no_secret(raised.value)
    assert raised.value.action == 'Describe'


# ---------------------------------------------------------------------------------------------------------------------
# ApiError, ErrorTable, decode_json


def test_api_error_as_dict_and_text():
    err = ApiError('Code.X', 'went wrong', http_status=403, request_id='R-9', action='Attach', kind=client.PERMISSION,
                   hint='Grant it.', outcome_unknown=True)
    assert err.as_dict() == {'code': 'Code.X', 'message': 'went wrong', 'http_status': 403, 'request_id': 'R-9',
                             'action': 'Attach', 'kind': client.PERMISSION}
    assert str(err) == 'Code.X: went wrong'
    assert (err.hint, err.outcome_unknown, err.retry_after) == ('Grant it.', True, None)


def test_api_error_defaults():
    err = ApiError('C', 'm')
    assert (err.kind, err.outcome_unknown, err.hint, err.http_status) == (client.UNKNOWN, False, None, None)


TABLE = ErrorTable({'Exact.Code': ('conflict', 'exact hint'), 'Throttling.Special': ('quota', 'special')},
                   prefixes={'Throttling': ('throttled', 'prefix hint')})


@pytest.mark.parametrize('code, status, expected', [
    ('Exact.Code', 500, ('conflict', 'exact hint')),
    ('Throttling.Special', 400, ('quota', 'special')),
    ('Throttling.User', 400, ('throttled', 'prefix hint')),
    ('Throttling', 403, ('throttled', 'prefix hint')),
    ('Unlisted', 429, ('throttled', None)),
    ('Unlisted', 500, ('transient', None)),
    ('Unlisted', 503, ('transient', None)),
    ('Unlisted', 400, ('invalid_input', None)),
    ('Unlisted', 401, ('auth', None)),
    ('Unlisted', 403, ('permission', None)),
    ('Unlisted', 404, ('not_found', None)),
    ('Unlisted', 409, ('conflict', None)),
    ('Unlisted', 418, ('unknown', None)),
    (None, None, ('unknown', None)),
    (None, 404, ('not_found', None)),
])
def test_error_table_classify(code, status, expected):
    assert TABLE.classify(code, status) == expected


def test_error_table_builds_the_api_error():
    err = TABLE.error('Exact.Code', 'msg', 409, 'R-1', 'Attach')
    assert (err.code, err.message, err.http_status, err.request_id, err.action, err.kind, err.hint) == (
        'Exact.Code', 'msg', 409, 'R-1', 'Attach', 'conflict', 'exact hint')


def response(body, status=200, content_type=None):
    return Response(status, requests.structures.CaseInsensitiveDict({'Content-Type': content_type} if content_type else {}), body)


def test_decode_json_returns_the_object():
    assert decode_json(response(b'{"a": [1]}'), 'X') == {'a': [1]}


@pytest.mark.parametrize('body, status, content_type, words, kind', [
    (b'<html>hi</html>', 200, 'text/html', 'not a JSON object (text/html)', client.MALFORMED),
    (b'', 200, None, 'HTTP 200 with an empty body', client.MALFORMED),
    (b'[1, 2]', 200, 'application/json', 'not a JSON object (application/json)', client.MALFORMED),
    (b'"text"', 400, None, 'not a JSON object (no content type)', client.MALFORMED),
    (b'null', 200, None, 'not a JSON object', client.MALFORMED),
    (b'\xff\xfe', 200, None, 'not a JSON object', client.MALFORMED),
    (b'<html>down</html>', 503, 'text/html', 'HTTP 503', client.TRANSIENT),
])
def test_decode_json_refuses_what_is_not_an_object(body, status, content_type, words, kind):
    with pytest.raises(ApiError) as raised:
        decode_json(response(body, status, content_type), 'Describe')
    err = raised.value
    assert (err.code, err.kind, err.http_status, err.action) == ('MalformedResponse', kind, status, 'Describe')
    assert words in err.message
    assert 'proxy' in err.hint


def test_origin_drops_path_and_query():
    assert client._origin('https://h.test:8443/a/b?c=d') == 'https://h.test:8443'
    assert client._origin('http://h.test?x=1') == 'http://h.test'


def test_the_user_agent_names_the_collection_version_galaxy_yml_releases():
    """The cloud's logs show which release sent a call: the version in USER_AGENT is galaxy.yml's."""
    galaxy = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'galaxy.yml')
    with open(galaxy, encoding='utf-8') as handle:
        version = yaml.safe_load(handle)['version']
    assert client.USER_AGENT.startswith('cloudnet.nic/%s ' % version)
