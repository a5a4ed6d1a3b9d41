# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ZEC vNIC rules, transitions, describe filters and paging, against the running emulator."""

from __future__ import annotations

import pytest

from ansible_collections.cloudnet.nic.tests.unit.emulator.emu_clients import DELAY, wait_for

NIC_KEYS = {'nicId', 'name', 'status', 'nicType', 'regionId', 'nicSubnetType', 'publicIpList', 'privateIpList', 'primaryIpv4',
            'primaryIpv6', 'ipv6Cidr', 'secondaryIpv4s', 'macAddress', 'instanceId', 'vpcId', 'subnetId', 'createTime', 'updateTime',
            'resourceGroup', 'securityGroupId', 'tags'}


def attach(zec, nic_id, instance):
    return zec.call('AttachNetworkInterface', {'nicId': nic_id, 'instanceId': instance})


def detach(zec, nic_id):
    return zec.call('DetachNetworkInterface', {'nicId': nic_id})


def describe(zec, **body):
    status, answer = zec.call('DescribeNetworkInterfaces', body)
    assert status == 200, answer
    return answer['response']


def nic(zec, nic_id):
    return describe(zec, nicIds=[nic_id])['dataSet'][0]


def refusal(result):
    status, body = result
    return status, body.get('code')


def test_attach_then_detach_walks_the_statuses(zec):
    status, body = attach(zec, 'nic-emu-1', 'ins-emu-running')
    assert status == 200 and set(body['response']) == {'requestId'}
    assert (nic(zec, 'nic-emu-1')['status'], nic(zec, 'nic-emu-1')['instanceId']) == ('ATTACHING', 'ins-emu-running')
    assert wait_for(lambda: nic(zec, 'nic-emu-1')['status'] == 'USED', timeout=DELAY * 10)
    assert detach(zec, 'nic-emu-1')[0] == 200
    assert nic(zec, 'nic-emu-1')['status'] == 'DETACHING'
    assert wait_for(lambda: nic(zec, 'nic-emu-1')['status'] == 'AVAILABLE', timeout=DELAY * 10)
    assert nic(zec, 'nic-emu-1')['instanceId'] is None


@pytest.mark.parametrize('nic_id, instance, expected', [
    ('nic-emu-404', 'ins-emu-running', (404, 'INVALID_NIC_NOT_FOUND')),
    ('nic-emu-1', 'ins-emu-404', (404, 'INVALID_INSTANCE_NOT_FOUND')),
    ('nic-emu-primary', 'ins-emu-running2', (400, 'INVALID_NIC_ATTACHED')),
    ('nic-emu-1', 'ins-emu-stopped', (400, 'OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT')),
    ('nic-emu-1', 'ins-emu-otherregion', (409, 'INVALID_NIC_INSTANCE_REGION_MISMATCH')),
])
def test_attach_preconditions(zec, nic_id, instance, expected):
    assert refusal(attach(zec, nic_id, instance)) == expected
    assert nic(zec, 'nic-emu-1')['status'] == 'AVAILABLE'


def test_attach_needs_available(zec):
    attach(zec, 'nic-emu-1', 'ins-emu-running')
    assert refusal(attach(zec, 'nic-emu-1', 'ins-emu-running2')) == (400, 'INVALID_NIC_STATUS')  # ATTACHING
    wait_for(lambda: nic(zec, 'nic-emu-1')['status'] == 'USED')
    assert refusal(attach(zec, 'nic-emu-1', 'ins-emu-running2')) == (400, 'INVALID_NIC_ATTACHED')


def test_attach_parameters(zec):
    assert refusal(zec.call('AttachNetworkInterface', {'nicId': 'nic-emu-1'})) == (400, 'INVALID_PARAMETER')
    assert refusal(zec.call('AttachNetworkInterface', {'nicId': 5, 'instanceId': 'ins-emu-running'})) == (400, 'INVALID_PARAMETER')


def test_instance_limit_of_eight_counts_the_primary(emu, zec):
    state = emu.state()
    for number in range(6, 12):
        state['zec']['nics']['nic-emu-%d' % number] = dict(state['zec']['nics']['nic-emu-1'], name='extra-%d' % number)
    emu.put_state(state)
    results = [attach(zec, 'nic-emu-%d' % number, 'ins-emu-running')[0] for number in range(1, 8)]
    assert results == [200] * 7
    assert refusal(attach(zec, 'nic-emu-8', 'ins-emu-running')) == (400, 'INVALID_INSTANCE_NIC_LIMIT')


def test_detach_rules(emu, zec):
    assert refusal(detach(zec, 'nic-emu-404')) == (404, 'INVALID_NIC_NOT_FOUND')
    assert refusal(detach(zec, 'nic-emu-primary')) == (409, 'INVALID_NIC_PRIMARY_CANT_DETACH')
    assert refusal(detach(zec, 'nic-emu-1')) == (403, 'OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE')
    attach(zec, 'nic-emu-1', 'ins-emu-running')
    assert refusal(detach(zec, 'nic-emu-1')) == (400, 'INVALID_NIC_STATUS')  # ATTACHING
    wait_for(lambda: nic(zec, 'nic-emu-1')['status'] == 'USED')
    state = emu.state()
    state['zec']['instances']['ins-emu-running']['status'] = 'STOPPED'
    emu.put_state(state)
    assert refusal(detach(zec, 'nic-emu-1')) == (400, 'OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT')
    assert refusal(zec.call('DetachNetworkInterface', {})) == (400, 'INVALID_PARAMETER')


def test_describe_shape(zec):
    answer = describe(zec, nicIds=['nic-emu-primary', 'nic-emu-1', 'nic-unknown'])
    assert answer['totalCount'] == 2
    by_id = dict((item['nicId'], item) for item in answer['dataSet'])
    assert set(by_id['nic-emu-1']) == NIC_KEYS
    assert (by_id['nic-emu-1']['status'], by_id['nic-emu-1']['nicType'], by_id['nic-emu-1']['instanceId']) == ('AVAILABLE', 'Secondary', None)
    assert (by_id['nic-emu-primary']['status'], by_id['nic-emu-primary']['instanceId']) == ('USED', 'ins-emu-running')
    assert describe(zec, nicIds=['nic-nope'])['dataSet'] == []


def names(answer):
    return [item['nicId'] for item in answer['dataSet']]


@pytest.mark.parametrize('body, expected', [
    ({'instanceId': 'ins-emu-running'}, ['nic-emu-primary']),
    ({'status': 'AVAILABLE'}, ['nic-emu-%d' % n for n in range(1, 6)] + ['nic-emu-pending']),
    ({'nicType': 'Primary', 'regionId': 'asia-southeast-1'}, ['nic-emu-primary-otherregion']),
    ({'name': 'emu-nic-3'}, ['nic-emu-3']),
    ({'vpcId': 'vpc-zemu-asia-southeast-1'}, ['nic-emu-primary-otherregion']),
    ({'subnetId': 'subnet-zemu-asia-southeast-1'}, ['nic-emu-primary-otherregion']),
])
def test_describe_filters(zec, body, expected):
    assert names(describe(zec, **body)) == expected


def test_describe_paging_and_limits(zec):
    first = describe(zec, pageSize=3, pageNum=1)
    second = describe(zec, pageSize=3, pageNum=3)
    assert first['totalCount'] == 12 and len(first['dataSet']) == 3 and len(second['dataSet']) == 3
    assert len(describe(zec)['dataSet']) == 12
    assert refusal(zec.call('DescribeNetworkInterfaces', {'pageSize': 1001})) == (400, 'INVALID_PARAMETER')
    assert refusal(zec.call('DescribeNetworkInterfaces', {'nicIds': ['nic-x'] * 101})) == (400, 'INVALID_PARAMETER')
    assert refusal(zec.call('DescribeNetworkInterfaces', {'nicIds': 'nic-emu-1'})) == (400, 'INVALID_PARAMETER')


def test_describe_instances(zec):
    status, body = zec.call('DescribeInstances', {'instanceIds': ['ins-emu-running', 'ins-emu-stopped']})
    assert status == 200
    by_id = dict((item['instanceId'], item) for item in body['response']['dataSet'])
    assert (by_id['ins-emu-running']['status'], by_id['ins-emu-stopped']['status']) == ('RUNNING', 'STOPPED')
    assert [item['nicId'] for item in by_id['ins-emu-running']['nics']] == ['nic-emu-primary']
