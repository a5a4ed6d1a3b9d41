# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Flow control per access key (ratelimit.py): the token bucket on a fake clock, and both clouds' answers."""

from __future__ import annotations

from ansible_collections.cloudnet.nic.tests.unit.emulator.emu_clients import DELAY, REGION, Ecs, wait_for
from ratelimit import ANONYMOUS, RateLimiter, access_key_of
from wire import Request

DESCRIBE = {'RegionId': REGION, 'NetworkInterfaceId.1': 'eni-emu-1'}
ON = {'rate_limit_per_second': 2, 'rate_limit_burst': 3}


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_bucket_allows_its_burst_then_refills_at_the_rate():
    clock = FakeClock()
    limiter = RateLimiter(clock)
    assert [limiter.allow('key', ON) for _call in range(4)] == [True, True, True, False]
    clock.now += 0.4  # 0.8 token: not enough
    assert not limiter.allow('key', ON)
    clock.now += 0.1
    assert limiter.allow('key', ON) and not limiter.allow('key', ON)
    clock.now += 60  # refills up to the burst only
    assert [limiter.allow('key', ON) for _call in range(4)] == [True, True, True, False]


def test_each_key_has_its_own_bucket_and_new_settings_start_a_full_one():
    clock = FakeClock()
    limiter = RateLimiter(clock)
    assert [limiter.allow('a', ON) for _call in range(4)] == [True, True, True, False]
    assert limiter.allow('b', ON)
    faster = {'rate_limit_per_second': 10, 'rate_limit_burst': 0}  # burst 0: one second's worth
    assert [limiter.allow('a', faster) for _call in range(11)] == [True] * 10 + [False]
    new_world = dict(faster)  # a reset or PUT state: a new settings document, every bucket full again
    assert [limiter.allow('a', new_world) for _call in range(11)] == [True] * 10 + [False]


def test_off_by_default():
    limiter = RateLimiter(FakeClock())
    assert all(limiter.allow('key', {}) for _call in range(1000))
    assert all(limiter.allow('key', {'rate_limit_per_second': 0, 'rate_limit_burst': 5}) for _call in range(1000))


def test_the_access_key_of_each_signature_scheme():
    v3 = Request('POST', '/', '', {'Authorization': 'ACS3-HMAC-SHA256 Credential=LTAIkey,SignedHeaders=host,Signature=ab'}, b'')
    v1 = Request('GET', '/', 'Action=X&AccessKeyId=LTAIv1', {}, b'')
    zc2 = Request('POST', '/api/v2/zec', '', {'Authorization': 'ZC2-HMAC-SHA256 Credential=ZLkey, SignedHeaders=content-type;host, Signature=ab'}, b'')
    assert (access_key_of('ecs', v3), access_key_of('ecs', v1), access_key_of('zec', zc2)) == ('LTAIkey', 'LTAIv1', 'ZLkey')
    assert access_key_of('ecs', Request('GET', '/', '', {}, b'')) == ANONYMOUS
    assert access_key_of('zec', Request('POST', '/', '', {'Authorization': 'Bearer x'}, b'')) == ANONYMOUS


def test_ecs_over_the_rate_answers_throttling_user_and_logs_rate_limit(emu, ecs):
    emu.settings(rate_limit_per_second=0.5, rate_limit_burst=2)
    statuses = [ecs.raw('DescribeNetworkInterfaces', DESCRIBE) for _call in range(3)]
    assert [response.status_code for response in statuses] == [200, 200, 400]
    assert statuses[2].json()['Code'] == 'Throttling.User'
    assert Ecs(emu.url, scheme='v1').raw('DescribeNetworkInterfaces', DESCRIBE).status_code == 400  # same key, other scheme
    logged = [(call['fault'], call['outcome'], call['http_status']) for call in emu.calls(cloud='ecs')]
    assert logged == [(None, 'ok', 200)] * 2 + [('rate_limit', 'Throttling.User', 400)] * 2


def test_zec_over_the_rate_answers_429_and_keys_do_not_share_a_bucket(emu, ecs, zec):
    emu.settings(rate_limit_per_second=0.5, rate_limit_burst=1)
    assert zec.raw('DescribeNetworkInterfaces', {'nicIds': ['nic-emu-1']}).status_code == 200
    refused = zec.raw('DescribeNetworkInterfaces', {'nicIds': ['nic-emu-1']})
    assert (refused.status_code, refused.json()['code']) == (429, 'REQUEST_LIMIT_EXCEEDED')
    assert ecs.raw('DescribeNetworkInterfaces', DESCRIBE).status_code == 200
    other_key = Ecs(emu.url, key=('LTAIunknown', 'x')).raw('DescribeNetworkInterfaces', DESCRIBE)
    assert other_key.json()['Code'] == 'InvalidAccessKeyId.NotFound'  # refused by the signature check, not the limit


def test_a_refused_call_uses_up_no_fault_and_changes_nothing(emu, ecs):
    emu.settings(rate_limit_per_second=0.5, rate_limit_burst=1)
    emu.fault('ecs', 'AttachNetworkInterface', 'http_error')
    attach = {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'}
    assert ecs.raw('DescribeNetworkInterfaces', DESCRIBE).status_code == 200
    assert ecs.raw('AttachNetworkInterface', attach).json()['Code'] == 'Throttling.User'
    assert len(emu.faults()) == 1
    emu.settings(rate_limit_per_second=0)
    assert ecs.raw('DescribeNetworkInterfaces', DESCRIBE).json()['NetworkInterfaceSets']['NetworkInterfaceSet'][0]['Status'] == 'Available'


def test_a_finished_transition_records_when_it_fell_due(emu, ecs):
    ecs.call('AttachNetworkInterface', {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'})
    attached_at = emu.calls(action='AttachNetworkInterface')[-1]['epoch']
    pending = emu.state()['ecs']['network_interfaces']['eni-emu-1']
    assert 'last_transition' not in pending
    due = pending['transition']['due']
    record = wait_for(lambda: emu.state()['ecs']['network_interfaces']['eni-emu-1'].get('last_transition') and
                      emu.state()['ecs']['network_interfaces']['eni-emu-1'])
    assert record['last_transition'] == {'at': due, 'outcome': 'complete', 'status': 'InUse'}
    assert 0 < due - attached_at < DELAY + 0.01  # the log rounds to the millisecond
