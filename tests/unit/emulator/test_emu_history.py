# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transition history (``GET /_emulator/history``): every change of every interface, when, and why."""

from __future__ import annotations

import pytest

from control import EmulatorError
from ansible_collections.cloudnet.nic.tests.unit.emulator.emu_clients import REGION, wait_for

PARAMS = {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'}


def rows(emu, **query):
    return [(row['status'], row['instance_id'], row['cause']['kind']) for row in emu.history(**query)]


def test_an_attach_detach_cycle_is_recorded_with_its_causes(emu, ecs):
    ecs.call('AttachNetworkInterface', PARAMS)
    assert wait_for(lambda: emu.state()['ecs']['network_interfaces']['eni-emu-1']['status'] == 'InUse')
    ecs.call('DetachNetworkInterface', PARAMS)
    assert wait_for(lambda: emu.state()['ecs']['network_interfaces']['eni-emu-1']['status'] == 'Available')
    assert rows(emu, cloud='ecs', record_id='eni-emu-1') == [
        ('Available', None, 'load'), ('Attaching', 'i-emu-running', 'api'), ('InUse', 'i-emu-running', 'transition'),
        ('Detaching', 'i-emu-running', 'api'), ('Available', None, 'transition')]
    history = emu.history(cloud='ecs', record_id='eni-emu-1')
    calls = dict((call['action'], call) for call in emu.calls())
    assert history[1]['cause'] == {'kind': 'api', 'action': 'AttachNetworkInterface', 'call': calls['AttachNetworkInterface']['seq'],
                                   'access_key_id': 'LTAI5tEMULATOR0001'}
    assert history[2]['epoch'] - history[1]['epoch'] >= 0.2 * 0.9  # when the cloud finished it, not when it was read
    assert [row['epoch'] for row in history] == sorted(row['epoch'] for row in history)


def test_a_change_fault_and_a_deletion_are_recorded(emu, zec):
    rule = emu.fault('zec', 'DescribeNetworkInterfaces', 'change', interfaces={'nic-emu-1': {'status': 'USED', 'instance_id': 'ins-emu-running2'}})
    zec.call('DescribeNetworkInterfaces', {})
    emu.fault('zec', 'DescribeNetworkInterfaces', 'change', interfaces={'nic-emu-1': None})
    zec.call('DescribeNetworkInterfaces', {})
    history = emu.history(cloud='zec', record_id='nic-emu-1')
    assert [(row['status'], row['deleted'], row['cause']['kind']) for row in history] == [
        ('AVAILABLE', False, 'load'), ('USED', False, 'change'), (None, True, 'change')]
    assert history[1]['cause']['rule'] == rule['id'] and history[1]['cause']['call'] == emu.calls()[0]['seq']


def test_filters_kinds_and_reset(emu, ecs):
    assert {row['cloud'] for row in emu.history()} == {'ecs', 'zec'}
    assert {row['id'] for row in emu.history(cloud='zec')} >= {'nic-emu-1', 'nic-emu-primary'}
    assert {row['kind'] for row in emu.history(kind='instance')} == {'instance'}
    assert rows(emu, cloud='ecs', record_id='i-emu-running', kind='instance') == [('Running', None, 'load')]
    ecs.call('AttachNetworkInterface', PARAMS)
    assert len(emu.history(cloud='ecs', record_id='eni-emu-1')) == 2
    emu.reset()
    assert rows(emu, cloud='ecs', record_id='eni-emu-1') == [('Available', None, 'load')]
    with pytest.raises(EmulatorError) as caught:
        emu.admin('GET', 'history', query={'kind': 'disk'})
    assert 'HTTP 400' in str(caught.value)


def test_a_detach_that_only_restarts_a_transition_is_recorded_as_its_cause(emu, ecs):
    emu.fault('ecs', 'DetachNetworkInterface', 'stuck')
    ecs.call('AttachNetworkInterface', PARAMS)
    assert wait_for(lambda: emu.state()['ecs']['network_interfaces']['eni-emu-1']['status'] == 'InUse')
    ecs.call('DetachNetworkInterface', PARAMS)  # stuck in Detaching
    ecs.call('DetachNetworkInterface', PARAMS)  # re-issued: no field changes, the transition restarts
    assert wait_for(lambda: emu.state()['ecs']['network_interfaces']['eni-emu-1']['status'] == 'Available')
    detaches = [call['seq'] for call in emu.calls() if call['action'] == 'DetachNetworkInterface']
    causes = [row['cause'].get('call') for row in emu.history(cloud='ecs', record_id='eni-emu-1') if row['status'] == 'Detaching']
    assert causes == detaches
