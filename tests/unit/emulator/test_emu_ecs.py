# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECS ENI rules, transitions, describe filters and paging, against the running emulator."""

from __future__ import annotations

import time

import pytest

from ansible_collections.cloudnet.nic.tests.unit.emulator.emu_clients import DELAY, REGION, wait_for

SET_ITEM_KEYS = {'NetworkInterfaceId', 'NetworkInterfaceName', 'Description', 'Status', 'Type', 'InstanceId', 'VpcId', 'VSwitchId',
                 'ZoneId', 'MacAddress', 'PrivateIpAddress', 'CreationTime', 'SecurityGroupIds', 'PrivateIpSets', 'Tags'}


def attach(ecs, eni_id, instance, **extra):
    return ecs.call('AttachNetworkInterface', dict({'RegionId': REGION, 'NetworkInterfaceId': eni_id, 'InstanceId': instance}, **extra))


def detach(ecs, eni_id, instance):
    return ecs.call('DetachNetworkInterface', {'RegionId': REGION, 'NetworkInterfaceId': eni_id, 'InstanceId': instance})


def describe(ecs, **params):
    status, body = ecs.call('DescribeNetworkInterfaces', dict({'RegionId': REGION}, **params))
    assert status == 200, body
    return body


def eni(ecs, eni_id):
    return describe(ecs, **{'NetworkInterfaceId.1': eni_id})['NetworkInterfaceSets']['NetworkInterfaceSet'][0]


def refusal(result):
    status, body = result
    return status, body.get('Code')


def test_attach_goes_through_attaching_to_inuse_then_detach_to_available(ecs):
    status, body = attach(ecs, 'eni-emu-1', 'i-emu-running', NetworkCardIndex=0)
    assert status == 200 and set(body) == {'RequestId'}
    item = eni(ecs, 'eni-emu-1')
    assert (item['Status'], item['InstanceId']) == ('Attaching', 'i-emu-running')
    assert wait_for(lambda: eni(ecs, 'eni-emu-1')['Status'] == 'InUse', timeout=DELAY * 10)
    item = eni(ecs, 'eni-emu-1')
    assert item['Attachment'] == {'InstanceId': 'i-emu-running', 'DeviceIndex': 1, 'NetworkCardIndex': 0}
    assert detach(ecs, 'eni-emu-1', 'i-emu-running')[0] == 200
    assert eni(ecs, 'eni-emu-1')['Status'] == 'Detaching'
    assert wait_for(lambda: eni(ecs, 'eni-emu-1')['Status'] == 'Available', timeout=DELAY * 10)
    item = eni(ecs, 'eni-emu-1')
    assert item['InstanceId'] == '' and 'Attachment' not in item


def test_transition_takes_the_configured_delay(ecs):
    start = time.monotonic()
    attach(ecs, 'eni-emu-1', 'i-emu-running')
    assert wait_for(lambda: eni(ecs, 'eni-emu-1')['Status'] == 'InUse', interval=0.02)
    assert time.monotonic() - start >= DELAY * 0.9


def test_delay_is_a_state_setting(emu, ecs):
    emu.settings(attach_delay=0)
    attach(ecs, 'eni-emu-1', 'i-emu-running')
    assert eni(ecs, 'eni-emu-1')['Status'] == 'InUse'


def test_stopped_instance_accepts_attach(ecs):
    assert attach(ecs, 'eni-emu-2', 'i-emu-stopped')[0] == 200


@pytest.mark.parametrize('eni_id, instance, expected', [
    ('eni-emu-1', 'i-emu-starting', (400, 'InvalidOperation.InvalidEcsState')),
    ('eni-emu-1', 'i-emu-otherzone', (403, 'InvalidOperation.AvailabilityZoneMismatch')),
    ('eni-emu-1', 'i-emu-othervpc', (403, 'InvalidOperation.VpcMismatch')),
    ('eni-emu-primary', 'i-emu-running2', (403, 'InvalidOperation.InvalidEniType')),
    ('eni-emu-404', 'i-emu-running', (404, 'InvalidEniId.NotFound')),
    ('eni-emu-1', 'i-emu-404', (404, 'InvalidEcsId.NotFound')),
    ('nic-emu-1', 'i-emu-running', (400, 'InvalidEniId.Malformed')),
    ('eni-emu-1', 'ins-emu-running', (400, 'InvalidInstanceID.Malformed')),
])
def test_attach_preconditions(ecs, eni_id, instance, expected):
    assert refusal(attach(ecs, eni_id, instance)) == expected
    assert eni(ecs, 'eni-emu-1')['Status'] == 'Available'


def test_attach_needs_an_available_eni(ecs):
    attach(ecs, 'eni-emu-1', 'i-emu-running')
    assert refusal(attach(ecs, 'eni-emu-1', 'i-emu-running2')) == (400, 'InvalidOperation.InvalidEniState')
    assert refusal(attach(ecs, 'eni-emu-1', 'i-emu-running')) == (400, 'InvalidOperation.InvalidEniState')


def test_attach_bad_network_card_index(ecs):
    assert refusal(attach(ecs, 'eni-emu-1', 'i-emu-running', NetworkCardIndex='x')) == (400, 'InvalidParameter')


def test_per_instance_limit_counts_the_primary(ecs):
    for number in (1, 2, 3):
        assert attach(ecs, 'eni-emu-%d' % number, 'i-emu-running')[0] == 200
    assert refusal(attach(ecs, 'eni-emu-4', 'i-emu-running')) == (403, 'EniPerInstanceLimitExceeded')
    assert [eni(ecs, 'eni-emu-%d' % n)['Attachment']['DeviceIndex'] for n in (1, 2, 3)] == [1, 2, 3]


@pytest.mark.parametrize('params, expected', [
    ({'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'}, (400, 'MissingParameter')),
    ({'RegionId': REGION, 'InstanceId': 'i-emu-running'}, (400, 'MissingParameter')),
    ({'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-1'}, (400, 'MissingParameter')),
    ({'RegionId': 'cn-nowhere', 'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'}, (400, 'InvalidOperation.InvalidRegion')),
    ({'RegionId': 'cn-shanghai', 'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'}, (404, 'InvalidEniId.NotFound')),
])
def test_attach_parameters(ecs, params, expected):
    assert refusal(ecs.call('AttachNetworkInterface', params)) == expected


def test_detach_rules(emu, ecs):
    assert refusal(detach(ecs, 'eni-emu-primary', 'i-emu-running')) == (400, 'InvalidOperation.DetachPrimaryEniNotAllowed')
    assert refusal(detach(ecs, 'eni-emu-1', 'i-emu-running')) == (400, 'InvalidOperation.InvalidEniState')
    assert refusal(detach(ecs, 'eni-emu-404', 'i-emu-running')) == (404, 'InvalidEniId.NotFound')
    assert refusal(detach(ecs, 'eni-emu-1', 'i-emu-404')) == (403, 'InvalidInstanceId.NotFound')
    assert refusal(detach(ecs, 'eni-emu-1', 'x-1')) == (400, 'InvalidInstanceID.Malformed')
    attach(ecs, 'eni-emu-1', 'i-emu-running')
    assert refusal(detach(ecs, 'eni-emu-1', 'i-emu-running')) == (400, 'InvalidOperation.InvalidEniState')  # still Attaching
    wait_for(lambda: eni(ecs, 'eni-emu-1')['Status'] == 'InUse')
    assert refusal(detach(ecs, 'eni-emu-1', 'i-emu-running2')) == (400, 'InvalidOperation.InvalidEniState')
    state = emu.state()
    state['ecs']['instances']['i-emu-running']['status'] = 'Stopping'
    emu.put_state(state)
    assert refusal(detach(ecs, 'eni-emu-1', 'i-emu-running')) == (400, 'InvalidOperation.InvalidEcsState')


def test_describe_item_shape(ecs):
    body = describe(ecs, **{'NetworkInterfaceId.1': 'eni-emu-primary'})
    assert {'RequestId', 'TotalCount', 'NextToken', 'NetworkInterfaceSets'} <= set(body)
    item = body['NetworkInterfaceSets']['NetworkInterfaceSet'][0]
    assert SET_ITEM_KEYS <= set(item)
    assert (item['Type'], item['Status'], item['InstanceId'], item['ZoneId']) == ('Primary', 'InUse', 'i-emu-running', 'cn-hangzhou-h')
    assert item['SecurityGroupIds'] == {'SecurityGroupId': ['sg-emu']}
    assert item['PrivateIpSets']['PrivateIpSet'][0]['Primary'] is True
    assert item['MacAddress'].startswith('00:16:3e:')


def ids(body):
    return [item['NetworkInterfaceId'] for item in body['NetworkInterfaceSets']['NetworkInterfaceSet']]


def test_describe_by_ids_unknown_ids_give_an_empty_set(ecs):
    assert ids(describe(ecs, **{'NetworkInterfaceId.1': 'eni-emu-2', 'NetworkInterfaceId.2': 'eni-emu-1'})) == ['eni-emu-1', 'eni-emu-2']
    assert ids(describe(ecs, **{'NetworkInterfaceId.1': 'eni-emu-nothere'})) == []
    assert refusal(ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION, 'NetworkInterfaceId.101': 'eni-emu-1'})) == (
        400, 'InvalidParameter')
    assert refusal(ecs.call('DescribeNetworkInterfaces', {})) == (400, 'MissingParameter')
    assert refusal(ecs.call('DescribeNetworkInterfaces', {'RegionId': 'cn-nowhere'})) == (400, 'InvalidOperation.InvalidRegion')


@pytest.mark.parametrize('params, expected', [
    ({'InstanceId': 'i-emu-running'}, ['eni-emu-primary']),
    ({'Status': 'Available', 'MaxResults': 50}, ['eni-emu-%d' % n for n in range(1, 6)] + ['eni-emu-creating']),
    ({'Type': 'Primary', 'VpcId': 'vpc-emu2'}, ['eni-emu-primary-othervpc']),
    ({'VSwitchId': 'vsw-emu-i'}, ['eni-emu-primary-otherzone']),
    ({'PrimaryIpAddress': '192.168.1.103'}, ['eni-emu-3']),
    ({'NetworkInterfaceName': 'emu-eni-4'}, ['eni-emu-4']),
])
def test_describe_filters(ecs, params, expected):
    assert ids(describe(ecs, **params)) == expected


def test_describe_paging_with_next_token(ecs):
    first = describe(ecs, MaxResults=1)  # clamped up to 10
    assert len(ids(first)) == 10 and first['NextToken'] and first['TotalCount'] == 12
    second = describe(ecs, MaxResults=1, NextToken=first['NextToken'])
    assert len(ids(second)) == 2 and second['NextToken'] == ''
    assert not set(ids(first)) & set(ids(second))
    assert len(ids(describe(ecs, MaxResults=1000))) == 12
    assert refusal(ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION, 'NextToken': 'garbage!'})) == (400, 'InvalidParameter')


def test_describe_deprecated_page_number(ecs):
    body = describe(ecs, PageNumber=2, PageSize=4)
    assert (body['PageNumber'], body['PageSize'], len(ids(body))) == (2, 4, 4)


def test_describe_attribute_and_instances(ecs):
    status, body = ecs.call('DescribeNetworkInterfaceAttribute', {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-3'})
    assert (status, body['NetworkInterfaceId'], body['Status']) == (200, 'eni-emu-3', 'Available')
    assert refusal(ecs.call('DescribeNetworkInterfaceAttribute', {'RegionId': REGION, 'NetworkInterfaceId': 'eni-x'})) == (
        404, 'InvalidEniId.NotFound')
    status, body = ecs.call('DescribeInstances', {'RegionId': REGION, 'InstanceIds': '["i-emu-stopped", "i-emu-starting"]'})
    instances = body['Instances']['Instance']
    assert status == 200
    assert sorted((i['InstanceId'], i['Status']) for i in instances) == [('i-emu-starting', 'Starting'), ('i-emu-stopped', 'Stopped')]
    assert instances[0]['NetworkInterfaces']['NetworkInterface'][0]['Type'] == 'Primary'
    assert refusal(ecs.call('DescribeInstances', {'RegionId': REGION, 'InstanceIds': 'i-emu-stopped'})) == (400, 'InvalidParameter')
