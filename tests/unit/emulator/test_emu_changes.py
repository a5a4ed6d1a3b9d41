# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``change`` rules (another party acts on the world just before a call) and ``skip`` on any rule."""

from __future__ import annotations

import pytest

from control import Emulator, EmulatorError
from ansible_collections.cloudnet.nic.tests.unit.emulator.emu_clients import REGION, Ecs

ATTACH = {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'}


def eni(emu, eni_id='eni-emu-1'):
    return emu.state()['ecs']['network_interfaces'].get(eni_id)


def test_change_before_attach_makes_the_attach_lose_the_race(emu, ecs):
    emu.fault('ecs', 'AttachNetworkInterface', 'change', interfaces={'eni-emu-1': {'status': 'InUse', 'instance_id': 'i-emu-running2'}})
    status, body = ecs.call('AttachNetworkInterface', ATTACH)
    assert (status, body['Code']) == (400, 'InvalidOperation.InvalidEniState')
    assert (eni(emu)['status'], eni(emu)['instance_id']) == ('InUse', 'i-emu-running2')
    call = emu.calls(action='AttachNetworkInterface')[0]
    assert (call['fault'], call['outcome']) == ('change', 'InvalidOperation.InvalidEniState')
    assert emu.faults() == []


def test_skip_lets_calls_through_first_and_change_deletes_and_stops(emu, zec):
    emu.fault('zec', 'DescribeNetworkInterfaces', 'change', skip=1, interfaces={'nic-emu-1': None},
              instances={'ins-emu-running': {'status': 'STOPPED'}})
    first = zec.call('DescribeNetworkInterfaces', {'nicIds': ['nic-emu-1']})[1]['response']
    assert first['totalCount'] == 1
    assert emu.faults()[0]['skip'] == 0
    second = zec.call('DescribeNetworkInterfaces', {'nicIds': ['nic-emu-1']})[1]['response']
    assert second['totalCount'] == 0
    state = emu.state()['zec']
    assert 'nic-emu-1' not in state['nics'] and state['instances']['ins-emu-running']['status'] == 'STOPPED'
    assert [call['fault'] for call in emu.calls(cloud='zec')] == [None, 'change']


def test_a_patched_interface_loses_its_transition(emu, ecs):
    emu.fault('ecs', 'AttachNetworkInterface', 'stuck')
    assert ecs.call('AttachNetworkInterface', ATTACH)[0] == 200
    assert 'transition' in eni(emu)
    emu.fault('ecs', 'DescribeNetworkInterfaces', 'change', interfaces={'eni-emu-1': {'status': 'Available', 'instance_id': None}})
    ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION})
    assert eni(emu)['status'] == 'Available' and 'transition' not in eni(emu)


def test_skip_applies_to_answering_faults_and_other_rules_still_match(emu, ecs):
    emu.fault('ecs', 'DescribeNetworkInterfaces', 'throttle', skip=1)
    emu.fault('ecs', 'DescribeNetworkInterfaces', 'http_error', status=503)
    outcomes = [ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION})[1].get('Code') for _call in range(3)]
    assert outcomes == ['ServiceUnavailable', 'Throttling', None]


@pytest.mark.parametrize('rule', [
    {'cloud': '*', 'action': '*', 'fault': 'change', 'interfaces': {'eni-emu-1': None}},
    {'cloud': 'ecs', 'action': '*', 'fault': 'change'},
    {'cloud': 'ecs', 'action': '*', 'fault': 'change', 'interfaces': {'eni-emu-1': 'Available'}},
    {'cloud': 'ecs', 'action': '*', 'fault': 'change', 'instances': {'i-emu-running': None}},
    {'cloud': 'ecs', 'action': '*', 'fault': 'throttle', 'skip': -1},
    {'cloud': 'ecs', 'action': '*', 'fault': 'throttle', 'skip': True},
])
def test_invalid_change_and_skip_rules_are_refused(emu, rule):
    with pytest.raises(EmulatorError) as caught:
        emu.admin('POST', 'faults', rule)
    assert 'HTTP 400' in str(caught.value)


def test_a_group_of_independent_emulators_in_one_process():
    group = Emulator.start_group(3, attach_delay=0)
    try:
        assert len({emu.url for emu in group}) == 3 and len({emu.process.pid for emu in group}) == 1
        group[0].fault('ecs', '*', 'throttle')
        assert [len(emu.faults()) for emu in group] == [1, 0, 0]
        status, _body = Ecs(group[1].url).call('AttachNetworkInterface', ATTACH)
        assert status == 200
        assert [eni(emu)['status'] for emu in group] == ['Available', 'InUse', 'Available']
        assert [len(emu.calls()) for emu in group] == [0, 1, 0]
    finally:
        group[0].stop()
    assert group[2].process.wait(5) == 0


def test_skip_counts_calls_that_other_rules_took(emu, ecs):
    emu.fault('ecs', 'DescribeNetworkInterfaces', 'change', skip=1, instances={'i-emu-running': {'status': 'Stopped'}})
    emu.fault('ecs', 'DescribeNetworkInterfaces', 'change', skip=2, interfaces={'eni-emu-1': {'status': 'InUse', 'instance_id': 'i-emu-running'}})
    for _call in range(3):
        ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION})
    assert [call['fault'] for call in emu.calls()] == [None, 'change', 'change']
    assert emu.state()['ecs']['instances']['i-emu-running']['status'] == 'Stopped' and eni(emu)['status'] == 'InUse'
