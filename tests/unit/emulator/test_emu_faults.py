# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every injectable fault, on both clouds, and how it shows in the call log."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from control import EmulatorError
from ansible_collections.cloudnet.nic.tests.unit.emulator.emu_clients import DELAY, REGION, Ecs, Zec, wait_for

ATTACH = {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'}
DETACH = dict(ATTACH)


def ecs_status(ecs, eni_id='eni-emu-1'):
    body = ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION, 'NetworkInterfaceId.1': eni_id})[1]
    return body['NetworkInterfaceSets']['NetworkInterfaceSet'][0]['Status']


def zec_status(zec, nic_id='nic-emu-1'):
    return zec.call('DescribeNetworkInterfaces', {'nicIds': [nic_id]})[1]['response']['dataSet'][0]['status']


def last_call(emu, cloud):
    return emu.calls(cloud=cloud)[-1]


def test_ecs_throttle_is_not_applied_and_is_counted(emu, ecs):
    emu.fault('ecs', 'AttachNetworkInterface', 'throttle', count=2, retry_after=3)
    for _attempt in range(2):
        response = ecs.raw('AttachNetworkInterface', ATTACH)
        assert (response.status_code, response.json()['Code']) == (400, 'Throttling')
        assert response.headers['x-acs-retry-after'] == '3'
    assert ecs_status(ecs) == 'Available'
    assert ecs.call('AttachNetworkInterface', ATTACH)[0] == 200
    outcomes = [(call['fault'], call['outcome'], call['http_status']) for call in emu.calls(action='AttachNetworkInterface')]
    assert outcomes == [('throttle', 'Throttling', 400)] * 2 + [(None, 'ok', 200)]
    assert emu.faults() == []


def test_ecs_throttle_user_code(emu, ecs):
    emu.fault('ecs', '*', 'throttle', code='Throttling.User')
    status, body = ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION})
    assert (status, body['Code'], body['Message']) == (400, 'Throttling.User', 'Request was denied due to user flow control.')


def test_zec_throttle_is_429_with_retry_after(emu, zec):
    emu.fault('zec', 'AttachNetworkInterface', 'throttle', retry_after=2)
    response = zec.raw('AttachNetworkInterface', {'nicId': 'nic-emu-1', 'instanceId': 'ins-emu-running'})
    assert (response.status_code, response.json()['code'], response.headers['Retry-After']) == (429, 'REQUEST_LIMIT_EXCEEDED', '2')
    assert zec_status(zec) == 'AVAILABLE'


@pytest.mark.parametrize('cloud, status, code', [
    ('ecs', 500, 'InternalError'), ('ecs', 503, 'ServiceUnavailable'),
    ('zec', 500, 'INTERNAL_SERVER_ERROR'), ('zec', 503, 'SERVICE_TEMPORARY_UNAVAILABLE'),
])
def test_http_errors_with_the_cloud_code(emu, cloud, status, code):
    emu.fault(cloud, 'DescribeNetworkInterfaces', 'http_error', status=status)
    client = Ecs(emu.url) if cloud == 'ecs' else Zec(emu.url)
    answer = client.call('DescribeNetworkInterfaces', {'RegionId': REGION} if cloud == 'ecs' else {})
    assert (answer[0], answer[1].get('Code') or answer[1].get('code')) == (status, code)


@pytest.mark.parametrize('cloud', ['ecs', 'zec'])
def test_bad_gateway_is_a_bare_html_page(emu, cloud):
    emu.fault(cloud, '*', 'http_error', status=502)
    client = Ecs(emu.url) if cloud == 'ecs' else Zec(emu.url)
    response = client.raw('DescribeNetworkInterfaces', {'RegionId': REGION} if cloud == 'ecs' else {})
    assert response.status_code == 502 and response.headers['Content-Type'].startswith('text/html')
    assert '502 Bad Gateway' in response.text


@pytest.mark.parametrize('cloud, status, title', [('ecs', 504, '504 Gateway Time-out'), ('zec', 504, '504 Gateway Time-out'),
                                                  ('ecs', 429, '429 Too Many Requests'), ('zec', 429, '429 Too Many Requests')])
def test_gateway_pages_for_429_and_504(emu, cloud, status, title):
    emu.fault(cloud, 'DescribeNetworkInterfaces', 'http_error', status=status)
    client = Ecs(emu.url) if cloud == 'ecs' else Zec(emu.url)
    response = client.raw('DescribeNetworkInterfaces', {'RegionId': REGION} if cloud == 'ecs' else {})
    assert response.status_code == status and response.headers['Content-Type'].startswith('text/html') and title in response.text
    assert last_call(emu, cloud)['outcome'] == 'http_%d' % status


@pytest.mark.parametrize('cloud, code_key, unrelated', [('ecs', 'Code', 'UnknownError'), ('zec', 'code', 'INTERNAL_SERVER_ERROR')])
def test_a_429_may_carry_json_with_an_unrelated_code(emu, cloud, code_key, unrelated):
    emu.fault(cloud, 'DescribeNetworkInterfaces', 'http_error', status=429, variant='json')
    client = Ecs(emu.url) if cloud == 'ecs' else Zec(emu.url)
    status, body = client.call('DescribeNetworkInterfaces', {'RegionId': REGION} if cloud == 'ecs' else {})
    assert (status, body[code_key]) == (429, unrelated)
    assert last_call(emu, cloud)['outcome'] == 'http_429'


def test_http_error_with_apply_changes_the_world_anyway(emu, ecs):
    emu.fault('ecs', 'AttachNetworkInterface', 'http_error', status=500, apply=True)
    assert ecs.call('AttachNetworkInterface', ATTACH)[0] == 500
    assert ecs_status(ecs) in ('Attaching', 'InUse')
    assert emu.calls(action='AttachNetworkInterface')[0]['applied_outcome'] == 'ok'


def test_reset_before_drops_the_connection_without_applying(emu, ecs):
    emu.fault('ecs', 'AttachNetworkInterface', 'reset_before')
    with pytest.raises(requests.ConnectionError):
        ecs.raw('AttachNetworkInterface', ATTACH)
    assert ecs_status(ecs) == 'Available'
    call = emu.calls(action='AttachNetworkInterface')[0]
    assert (call['fault'], call['outcome'], call['http_status']) == ('reset_before', 'connection_reset', None)


def test_reset_after_applies_then_drops(emu, zec):
    emu.fault('zec', 'AttachNetworkInterface', 'reset_after')
    with pytest.raises(requests.ConnectionError):
        zec.raw('AttachNetworkInterface', {'nicId': 'nic-emu-1', 'instanceId': 'ins-emu-running'})
    assert zec_status(zec) in ('ATTACHING', 'USED')
    call = emu.calls(action='AttachNetworkInterface')[0]
    assert (call['fault'], call['outcome'], call['http_status']) == ('reset_after', 'ok', None)


def test_delay_answers_late_and_still_applies_after_a_read_timeout(emu):
    emu.fault('ecs', 'AttachNetworkInterface', 'delay', seconds=0.6)
    with pytest.raises(requests.ReadTimeout):
        Ecs(emu.url, timeout=0.2).raw('AttachNetworkInterface', ATTACH)
    ecs = Ecs(emu.url)
    deadline = time.monotonic() + 3
    while ecs_status(ecs) == 'Available' and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ecs_status(ecs) in ('Attaching', 'InUse')
    emu.fault('ecs', 'DescribeNetworkInterfaces', 'delay', seconds=0.3)
    start = time.monotonic()
    assert ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION})[0] == 200
    assert time.monotonic() - start >= 0.3


@pytest.mark.parametrize('variant, check', [
    ('html', lambda response: response.headers['Content-Type'].startswith('text/html') and '<html>' in response.text),
    ('empty', lambda response: response.content == b''),
    ('wrong_shape', lambda response: 'NetworkInterfaceSets' not in response.json()),
])
def test_malformed_bodies(emu, ecs, variant, check):
    emu.fault('ecs', 'DescribeNetworkInterfaces', 'malformed', variant=variant)
    response = ecs.raw('DescribeNetworkInterfaces', {'RegionId': REGION})
    assert response.status_code == 200 and check(response)
    assert last_call(emu, 'ecs')['outcome'] == 'malformed_' + variant


def test_zec_wrong_shape_has_no_response_member(emu, zec):
    emu.fault('zec', 'DescribeNetworkInterfaces', 'malformed', variant='wrong_shape')
    status, body = zec.call('DescribeNetworkInterfaces', {})
    assert status == 200 and 'response' not in body


def test_ecs_stuck_attach_never_completes_and_stuck_detach_can_be_reissued(emu, ecs):
    emu.fault('ecs', 'AttachNetworkInterface', 'stuck')
    assert ecs.call('AttachNetworkInterface', ATTACH)[0] == 200
    time.sleep(DELAY * 2)
    assert ecs_status(ecs) == 'Attaching'
    assert last_call(emu, 'ecs')['fault'] is None  # the describe was not affected
    assert emu.calls(action='AttachNetworkInterface')[0]['fault'] == 'stuck'
    assert ecs.call('AttachNetworkInterface', dict(ATTACH, NetworkInterfaceId='eni-emu-2'))[0] == 200
    time.sleep(DELAY * 2)
    assert ecs_status(ecs, 'eni-emu-2') == 'InUse'
    emu.fault('ecs', 'DetachNetworkInterface', 'stuck')
    assert ecs.call('DetachNetworkInterface', dict(DETACH, NetworkInterfaceId='eni-emu-2'))[0] == 200
    time.sleep(DELAY * 2)
    assert ecs_status(ecs, 'eni-emu-2') == 'Detaching'
    assert ecs.call('DetachNetworkInterface', dict(DETACH, NetworkInterfaceId='eni-emu-2'))[0] == 200
    time.sleep(DELAY * 2)
    assert ecs_status(ecs, 'eni-emu-2') == 'Available'


def test_transition_faults_wait_for_a_call_that_starts_a_transition(emu, ecs):
    emu.fault('ecs', 'AttachNetworkInterface', 'fail_transition')
    assert ecs.call('AttachNetworkInterface', dict(ATTACH, InstanceId='i-emu-starting'))[0] == 400
    assert len(emu.faults()) == 1
    assert ecs.call('AttachNetworkInterface', ATTACH)[0] == 200
    assert ecs_status(ecs) == 'Attaching'
    time.sleep(DELAY * 2)
    assert ecs_status(ecs) == 'Available'
    assert emu.faults() == []


def test_zec_fail_transition_and_stuck(emu, zec):
    emu.fault('zec', 'AttachNetworkInterface', 'fail_transition')
    emu.fault('zec', 'AttachNetworkInterface', 'stuck')
    zec.call('AttachNetworkInterface', {'nicId': 'nic-emu-1', 'instanceId': 'ins-emu-running'})
    zec.call('AttachNetworkInterface', {'nicId': 'nic-emu-2', 'instanceId': 'ins-emu-running'})
    assert (zec_status(zec, 'nic-emu-1'), zec_status(zec, 'nic-emu-2')) == ('ATTACHING', 'ATTACHING')
    time.sleep(DELAY * 2)
    assert (zec_status(zec, 'nic-emu-1'), zec_status(zec, 'nic-emu-2')) == ('AVAILABLE', 'ATTACHING')


def test_zec_challenge_and_blocked(emu, zec):
    emu.fault('zec', '*', 'challenge')
    emu.fault('zec', '*', 'blocked')
    response = zec.raw('DescribeNetworkInterfaces', {})
    assert (response.status_code, response.headers['cf-mitigated']) == (403, 'challenge')
    assert response.headers['Content-Type'].startswith('text/html')
    response = zec.raw('DescribeNetworkInterfaces', {})
    assert response.status_code == 451
    assert [call['outcome'] for call in emu.calls(cloud='zec')] == ['challenge', 'blocked']


def test_wildcards_and_matching(emu, ecs, zec):
    emu.fault('*', '*', 'throttle', count=2)
    assert ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION})[0] == 400
    assert zec.call('DescribeNetworkInterfaces', {})[0] == 429
    assert ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION})[0] == 200
    emu.fault('zec', 'DetachNetworkInterface', 'throttle')
    assert zec.call('DescribeNetworkInterfaces', {})[0] == 200
    assert [rule['remaining'] for rule in emu.faults()] == [1]
    emu.clear_faults()
    assert emu.faults() == []


@pytest.mark.parametrize('rule', [
    {'cloud': 'aws', 'action': '*', 'fault': 'throttle'},
    {'cloud': 'ecs', 'action': '*', 'fault': 'explode'},
    {'cloud': 'ecs', 'action': '*', 'fault': 'throttle', 'count': 0},
    {'cloud': 'ecs', 'action': '*', 'fault': 'http_error', 'status': 404},
    {'cloud': 'ecs', 'action': '*', 'fault': 'malformed', 'variant': 'xml'},
    {'cloud': 'ecs', 'action': '*', 'fault': 'throttle', 'code': 'SlowDown'},
    {'cloud': 'ecs', 'action': '*', 'fault': 'throttle', 'status': 'soon'},
    {'cloud': 'ecs', 'action': '*', 'fault': 'delay', 'seconds': -1},
    {'cloud': 'zec', 'action': '*', 'fault': 'blocked', 'apply': 'yes'},
    {'cloud': 'ecs', 'action': '*', 'fault': 'http_error', 'status': 504, 'variant': 'json'},
    {'cloud': 'zec', 'action': '*', 'fault': 'http_error', 'status': 429, 'variant': 'xml'},
])
def test_invalid_rules_are_refused(emu, rule):
    with pytest.raises(EmulatorError) as caught:
        emu.admin('POST', 'faults', rule)
    assert 'HTTP 400' in str(caught.value)


def test_a_call_answered_late_is_listed_after_the_calls_answered_meanwhile_and_keeps_its_arrival_number(emu, ecs):
    emu.fault('ecs', 'DescribeNetworkInterfaces', 'delay', seconds=0.6)
    late = threading.Thread(target=ecs.call, args=('DescribeNetworkInterfaces', {'RegionId': REGION}))
    late.start()
    assert wait_for(lambda: emu.calls() == [] and emu.faults() == [], timeout=5)  # the delayed call has arrived
    Ecs(emu.url).call('DescribeInstances', {'RegionId': REGION})
    late.join(10)
    assert [(call['action'], call['seq']) for call in emu.calls()] == [('DescribeInstances', 2), ('DescribeNetworkInterfaces', 1)]
