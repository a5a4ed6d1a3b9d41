# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Statuses that settle by themselves: interfaces being created, instances starting and stopping."""

from __future__ import annotations

import time

from ansible_collections.cloudnet.nic.tests.unit.emulator.emu_clients import REGION, wait_for
from ansible_collections.cloudnet.nic.tests.unit.emulator.worlds import load


def ecs_attach(ecs, eni_id, instance):
    status, body = ecs.call('AttachNetworkInterface', {'RegionId': REGION, 'NetworkInterfaceId': eni_id, 'InstanceId': instance})
    return status, body.get('Code')


def zec_attach(zec, nic_id, instance):
    status, body = zec.call('AttachNetworkInterface', {'nicId': nic_id, 'instanceId': instance})
    return status, body.get('code')


def truth(emu, cloud, section, record_id):
    return emu.state()[cloud][section][record_id]['status']


def test_a_zec_vnic_being_created_refuses_attach_until_available(emu, zec):
    load(emu, create_delay=0.5)
    assert truth(emu, 'zec', 'nics', 'nic-emu-pending') == 'PENDING'
    assert zec_attach(zec, 'nic-emu-pending', 'ins-emu-running') == (400, 'INVALID_NIC_STATUS')
    assert wait_for(lambda: truth(emu, 'zec', 'nics', 'nic-emu-pending') == 'AVAILABLE', timeout=5)
    assert zec_attach(zec, 'nic-emu-pending', 'ins-emu-running') == (200, None)


def test_an_ecs_eni_being_created_refuses_attach_until_available(emu, ecs):
    load(emu, create_delay=0.5)
    started = time.monotonic()
    assert ecs_attach(ecs, 'eni-emu-creating', 'i-emu-running') == (400, 'InvalidOperation.InvalidEniState')
    assert wait_for(lambda: truth(emu, 'ecs', 'network_interfaces', 'eni-emu-creating') == 'Available', timeout=5)
    assert time.monotonic() - started >= 0.5 * 0.9
    assert ecs_attach(ecs, 'eni-emu-creating', 'i-emu-running') == (200, None)


def test_an_ecs_instance_starting_refuses_until_running(emu, ecs):
    load(emu, instance_start_delay=0.4)
    assert ecs_attach(ecs, 'eni-emu-1', 'i-emu-starting') == (400, 'InvalidOperation.InvalidEcsState')
    assert wait_for(lambda: truth(emu, 'ecs', 'instances', 'i-emu-starting') == 'Running', timeout=5)
    assert ecs_attach(ecs, 'eni-emu-1', 'i-emu-starting') == (200, None)


def test_an_ecs_instance_being_created_goes_pending_starting_running(emu, ecs):
    load(emu, instance_start_delay=0.3)
    emu.fault('ecs', '*', 'change', instances={'i-emu-starting': {'status': 'Pending'}})
    ecs.call('DescribeInstances', {'RegionId': REGION})
    assert wait_for(lambda: truth(emu, 'ecs', 'instances', 'i-emu-starting') == 'Running', timeout=5)
    statuses = [entry['status'] for entry in emu.history(cloud='ecs', record_id='i-emu-starting', kind='instance')]
    assert statuses == ['Starting', 'Pending', 'Starting', 'Running']


def test_zec_booting_becomes_running_and_another_party_stopping_it_ends_stopped(emu, zec):
    load(emu, instance_start_delay=0.3, instance_stop_delay=0.3)
    assert zec_attach(zec, 'nic-emu-1', 'ins-emu-booting') == (400, 'OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT')
    assert wait_for(lambda: truth(emu, 'zec', 'instances', 'ins-emu-booting') == 'RUNNING', timeout=5)
    assert zec_attach(zec, 'nic-emu-1', 'ins-emu-booting') == (200, None)
    assert wait_for(lambda: truth(emu, 'zec', 'nics', 'nic-emu-1') == 'USED', timeout=5)
    emu.fault('zec', 'DetachNetworkInterface', 'change', instances={'ins-emu-booting': {'status': 'STOPPING'}})
    status, body = zec.call('DetachNetworkInterface', {'nicId': 'nic-emu-1'})
    assert (status, body['code']) == (400, 'OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT')
    assert wait_for(lambda: truth(emu, 'zec', 'instances', 'ins-emu-booting') == 'STOPPED', timeout=5)


def test_a_null_delay_leaves_the_status_as_written(emu):
    load(emu, instance_start_delay=None, create_delay=None)
    state = emu.state()
    assert state['ecs']['instances']['i-emu-starting']['status'] == 'Starting' and 'transition' not in state['ecs']['instances']['i-emu-starting']
    assert state['zec']['nics']['nic-emu-pending']['status'] == 'PENDING' and 'transition' not in state['zec']['nics']['nic-emu-pending']
