# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Concurrent operations on one instance: ECS answers 409 OperationConflict; ZEC has no such code (accepts)."""

from __future__ import annotations

import threading

from ansible_collections.cloudnet.nic.tests.unit.emulator.emu_clients import REGION, Ecs, wait_for
from ansible_collections.cloudnet.nic.tests.unit.emulator.worlds import load


def attach(ecs, eni_id, instance='i-emu-running'):
    status, body = ecs.call('AttachNetworkInterface', {'RegionId': REGION, 'NetworkInterfaceId': eni_id, 'InstanceId': instance})
    return status, body.get('Code'), body.get('Message')


def detach(ecs, eni_id, instance='i-emu-running'):
    status, body = ecs.call('DetachNetworkInterface', {'RegionId': REGION, 'NetworkInterfaceId': eni_id, 'InstanceId': instance})
    return status, body.get('Code')


def status(emu, eni_id):
    return emu.state()['ecs']['network_interfaces'][eni_id]['status']


def test_a_second_eni_waits_for_the_instance_to_be_free(emu, ecs):
    load(emu, instance_busy_conflict=True, attach_delay=0.5, detach_delay=0.5)
    assert attach(ecs, 'eni-emu-1')[0] == 200
    assert attach(ecs, 'eni-emu-2') == (409, 'OperationConflict', 'Request was denied due to conflict with a previous request.')
    assert attach(ecs, 'eni-emu-2', 'i-emu-running2')[0] == 200  # another instance is not busy
    assert wait_for(lambda: status(emu, 'eni-emu-1') == 'InUse', timeout=5)
    assert attach(ecs, 'eni-emu-3')[0] == 200
    assert detach(ecs, 'eni-emu-1') == (409, 'OperationConflict')  # eni-emu-3 is attaching to the same instance
    assert status(emu, 'eni-emu-2') in ('Attaching', 'InUse') and status(emu, 'eni-emu-1') == 'InUse'


def test_two_attaches_at_the_same_moment_one_wins(emu):
    load(emu, instance_busy_conflict=True, attach_delay=1.0)
    results = {}
    barrier = threading.Barrier(2)

    def run(eni_id):
        client = Ecs(emu.url)
        barrier.wait()
        results[eni_id] = attach(client, eni_id)[:2]

    threads = [threading.Thread(target=run, args=(eni_id,)) for eni_id in ('eni-emu-1', 'eni-emu-2')]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(results.values()) == [(200, None), (409, 'OperationConflict')]
    assert sorted(status(emu, eni_id) for eni_id in results) == ['Attaching', 'Available']


def test_re_detaching_a_stuck_eni_is_not_a_conflict_with_itself(emu, ecs):
    load(emu, instance_busy_conflict=True, attach_delay=0)
    attach(ecs, 'eni-emu-1')
    emu.fault('ecs', 'DetachNetworkInterface', 'stuck')
    assert detach(ecs, 'eni-emu-1') == (200, None)
    assert detach(ecs, 'eni-emu-1') == (200, None)
    assert wait_for(lambda: status(emu, 'eni-emu-1') == 'Available', timeout=5)


def test_the_conflict_can_be_switched_off(emu, ecs):
    load(emu, instance_busy_conflict=False, attach_delay=0.5)
    assert [attach(ecs, eni_id)[0] for eni_id in ('eni-emu-1', 'eni-emu-2')] == [200, 200]


def test_zec_accepts_a_second_attach_while_one_is_in_progress(emu, zec):
    load(emu, instance_busy_conflict=True, attach_delay=0.5)
    answers = [zec.call('AttachNetworkInterface', {'nicId': nic_id, 'instanceId': 'ins-emu-running'})[0] for nic_id in ('nic-emu-1', 'nic-emu-2')]
    assert answers == [200, 200]
