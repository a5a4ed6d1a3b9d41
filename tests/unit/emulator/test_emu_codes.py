# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Refusals users really meet (Forbidden.RAM, EniLinked), NetworkCardIndex, and where each cloud keeps its interface limit."""

from __future__ import annotations

import pytest

from ansible_collections.cloudnet.nic.tests.unit.emulator.emu_clients import REGION, Ecs, wait_for
from ansible_collections.cloudnet.nic.tests.unit.emulator.worlds import default_world, load

RAM_USER = ('LTAI5tRAMUSER0001', 'ram-user-secret-0001')


def attach(ecs, eni_id='eni-emu-1', instance='i-emu-running', **extra):
    return ecs.call('AttachNetworkInterface', dict({'RegionId': REGION, 'NetworkInterfaceId': eni_id, 'InstanceId': instance}, **extra))


def attachment(ecs, eni_id='eni-emu-1'):
    body = ecs.call('DescribeNetworkInterfaceAttribute', {'RegionId': REGION, 'NetworkInterfaceId': eni_id})[1]
    return body['Status'], body.get('Attachment')


def test_a_ram_user_without_the_permission_gets_forbidden_ram(emu):
    state = default_world()
    state['ecs']['credentials'].append({'access_key_id': RAM_USER[0], 'access_key_secret': RAM_USER[1],
                                        'denied_actions': ['AttachNetworkInterface']})
    emu.put_state(state)
    user = Ecs(emu.url, key=RAM_USER)
    status, body = attach(user)
    assert (status, body['Code']) == (403, 'Forbidden.RAM')
    assert body['Message'] == "User not authorized to operate on the specified resource, or this API doesn't support RAM."
    assert body['AccessDeniedDetail']['AuthAction'] == 'ecs:AttachNetworkInterface'
    assert user.call('DescribeNetworkInterfaces', {'RegionId': REGION})[0] == 200
    assert emu.state()['ecs']['network_interfaces']['eni-emu-1']['status'] == 'Available'
    assert attach(Ecs(emu.url))[0] == 200  # the account's own key is not affected


def test_detaching_a_linked_eni_is_refused(emu, ecs):
    state = default_world()
    state['ecs']['network_interfaces']['eni-emu-1'].update(status='InUse', instance_id='i-emu-running', device_index=1, linked=True)
    emu.put_state(state)
    status, body = ecs.call('DetachNetworkInterface', {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'})
    assert (status, body['Code']) == (403, 'InvalidOperation.EniLinked')


def test_network_card_index_is_reported_only_in_use_and_only_when_given(emu, ecs):
    load(emu, attach_delay=0.4)
    assert attach(ecs, NetworkCardIndex=0)[0] == 200
    assert attachment(ecs) == ('Attaching', {'InstanceId': 'i-emu-running', 'DeviceIndex': 1})
    assert wait_for(lambda: attachment(ecs)[0] == 'InUse', timeout=5)
    assert attachment(ecs)[1] == {'InstanceId': 'i-emu-running', 'DeviceIndex': 1, 'NetworkCardIndex': 0}
    assert attach(ecs, 'eni-emu-2', 'i-emu-running2')[0] == 200
    assert wait_for(lambda: attachment(ecs, 'eni-emu-2')[0] == 'InUse', timeout=5)
    assert 'NetworkCardIndex' not in attachment(ecs, 'eni-emu-2')[1]


def test_describe_instance_types_exposes_the_eni_limit(ecs):
    status, body = ecs.call('DescribeInstanceTypes', {'InstanceTypes.1': 'ecs.g6.large'})
    assert status == 200 and body['NextToken'] == ''
    (item,) = body['InstanceTypes']['InstanceType']
    assert (item['InstanceTypeId'], item['InstanceTypeFamily'], item['EniQuantity'], item['EniPrivateIpAddressQuantity']) == ('ecs.g6.large', 'ecs.g6', 2, 6)
    family = ecs.call('DescribeInstanceTypes', {'InstanceTypeFamily': 'ecs.g7'})[1]['InstanceTypes']['InstanceType']
    assert [(entry['InstanceTypeId'], entry['EniQuantity']) for entry in family] == [('ecs.g7.xlarge', 4)]
    assert len(ecs.call('DescribeInstanceTypes', {})[1]['InstanceTypes']['InstanceType']) == 2
    status, body = ecs.call('DescribeInstanceTypes', {'InstanceTypes.11': 'ecs.g6.large'})
    assert (status, body['Code']) == (400, 'InvalidParameter')


def test_an_ecs_instance_takes_its_types_eni_quantity(emu, ecs):
    state = default_world()
    state['ecs']['instances']['i-emu-running2']['instance_type'] = 'ecs.g6.large'  # EniQuantity 2: the primary and one more
    emu.put_state(state)
    assert attach(ecs, 'eni-emu-1', 'i-emu-running2')[0] == 200
    status, body = attach(ecs, 'eni-emu-2', 'i-emu-running2')
    assert (status, body['Code']) == (403, 'EniPerInstanceLimitExceeded')


@pytest.mark.parametrize('instance, limit', [('ins-emu-small', 4), ('ins-emu-running', 8)])
def test_a_zec_instance_takes_as_many_vnics_as_its_type_allows(emu, zec, instance, limit):
    state = default_world()
    for number in range(6, 12):
        state['zec']['nics']['nic-emu-%d' % number] = dict(state['zec']['nics']['nic-emu-1'], name='extra-%d' % number)
    emu.put_state(state)
    answers = [zec.call('AttachNetworkInterface', {'nicId': 'nic-emu-%d' % number, 'instanceId': instance}) for number in range(1, limit + 1)]
    assert [status for status, _body in answers] == [200] * (limit - 1) + [400]  # the primary counts
    assert answers[-1][1]['code'] == 'INVALID_INSTANCE_NIC_LIMIT'


def test_zec_describe_zones_maps_a_zone_to_its_region(zec):
    status, body = zec.call('DescribeZones', {'zoneIds': ['asia-east-1a']})
    assert status == 200
    assert [(zone['zoneId'], zone['regionId']) for zone in body['response']['zoneSet']] == [('asia-east-1a', 'asia-east-1')]
    assert len(zec.call('DescribeZones', {})[1]['response']['zoneSet']) == 2
