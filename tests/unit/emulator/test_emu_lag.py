# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads that lag writes (``read_lag_seconds``): reads serve the world as it was, writes check the world as it is."""

from __future__ import annotations

import time

from ansible_collections.cloudnet.nic.tests.unit.emulator.emu_clients import REGION, wait_for
from ansible_collections.cloudnet.nic.tests.unit.emulator.worlds import load

ATTACH = {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'}


def eni(ecs, eni_id='eni-emu-1'):
    body = ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION, 'NetworkInterfaceId.1': eni_id})[1]
    items = body['NetworkInterfaceSets']['NetworkInterfaceSet']
    return (items[0]['Status'], items[0]['InstanceId']) if items else None


def nic(zec, nic_id='nic-emu-1'):
    items = zec.call('DescribeNetworkInterfaces', {'nicIds': [nic_id]})[1]['response']['dataSet']
    return (items[0]['status'], items[0]['instanceId']) if items else None


def test_a_read_lags_an_accepted_write_while_writes_see_the_truth(emu, ecs):
    load(emu, read_lag_seconds=0.6, attach_delay=0)
    assert ecs.call('AttachNetworkInterface', ATTACH)[0] == 200
    assert eni(ecs) == ('Available', '')  # the read still shows the world before the write
    attribute = ecs.call('DescribeNetworkInterfaceAttribute', {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-1'})[1]
    assert attribute['Status'] == 'Available'
    status, body = ecs.call('AttachNetworkInterface', dict(ATTACH, InstanceId='i-emu-running2'))
    assert (status, body['Code']) == (400, 'InvalidOperation.InvalidEniState')  # the write sees it InUse
    assert emu.state()['ecs']['network_interfaces']['eni-emu-1']['status'] == 'InUse'  # the admin API is the truth
    assert wait_for(lambda: eni(ecs) == ('InUse', 'i-emu-running'), timeout=5)


def test_instances_lag_too_on_both_clouds(emu, ecs, zec):
    load(emu, read_lag_seconds=0.6, attach_delay=0)
    assert zec.call('AttachNetworkInterface', {'nicId': 'nic-emu-1', 'instanceId': 'ins-emu-running'})[0] == 200
    assert nic(zec) == ('AVAILABLE', None)
    instances = zec.call('DescribeInstances', {'instanceIds': ['ins-emu-running']})[1]['response']['dataSet']
    assert [item['nicId'] for item in instances[0]['nics']] == ['nic-emu-primary']
    ecs.call('AttachNetworkInterface', ATTACH)
    body = ecs.call('DescribeInstances', {'RegionId': REGION, 'InstanceIds': '["i-emu-running"]'})[1]
    assert [item['NetworkInterfaceId'] for item in body['Instances']['Instance'][0]['NetworkInterfaces']['NetworkInterface']] == ['eni-emu-primary']
    assert wait_for(lambda: nic(zec) == ('USED', 'ins-emu-running'), timeout=5)


def test_a_transition_shows_up_lag_seconds_after_it_happened(emu, ecs):
    load(emu, read_lag_seconds=0.8, attach_delay=0.3)
    start = time.monotonic()
    ecs.call('AttachNetworkInterface', ATTACH)
    seen = []
    while not seen or seen[-1][0] != 'InUse':
        status = eni(ecs)[0]
        if not seen or seen[-1][0] != status:
            seen.append((status, time.monotonic() - start))
        assert time.monotonic() - start < 10, seen
        time.sleep(0.02)
    assert [status for status, _at in seen] in (['Available', 'Attaching', 'InUse'], ['Available', 'InUse'])
    assert seen[-1][1] >= (0.8 + 0.3) * 0.9  # the attach completed after 0.3 s; reads saw it 0.8 s later


def test_the_loaded_world_is_visible_at_once(emu, ecs):
    state = emu.state()
    state['settings']['read_lag_seconds'] = 30
    state['ecs']['network_interfaces']['eni-emu-1'].update(status='InUse', instance_id='i-emu-running', device_index=1)
    emu.put_state(state)
    assert eni(ecs) == ('InUse', 'i-emu-running')


def test_another_partys_change_lags_as_well(emu, ecs):
    load(emu, read_lag_seconds=0.6)
    emu.fault('ecs', 'DescribeNetworkInterfaces', 'change', interfaces={'eni-emu-1': None})
    assert eni(ecs) == ('Available', '')  # the read that came with the deletion still saw the interface
    assert 'eni-emu-1' not in emu.state()['ecs']['network_interfaces']
    assert wait_for(lambda: eni(ecs) is None, timeout=5)


def test_the_call_log_says_what_a_read_reflects_and_who_signed(emu, ecs, zec):
    load(emu, read_lag_seconds=1.5)
    ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION})
    ecs.call('AttachNetworkInterface', ATTACH)
    zec.call('DescribeNetworkInterfaces', {})
    read, write, zec_read = emu.calls()
    assert abs(read['epoch'] - read['as_of'] - 1.5) < 0.5 and abs(zec_read['epoch'] - zec_read['as_of'] - 1.5) < 0.5
    assert 'as_of' not in write
    assert [call['access_key_id'] for call in (read, write, zec_read)] == ['LTAI5tEMULATOR0001', 'LTAI5tEMULATOR0001', 'ZLEMULATORKEY0001']


def test_without_lag_a_read_reflects_the_moment_it_was_answered(emu, ecs):
    ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION})
    call = emu.calls()[0]
    assert abs(call['epoch'] - call['as_of']) < 0.5


def test_a_zero_create_delay_settles_at_once_even_for_lagged_reads(emu, ecs, zec):
    load(emu, read_lag_seconds=30, create_delay=0)
    body = ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION, 'NetworkInterfaceId.1': 'eni-emu-creating'})[1]
    assert body['NetworkInterfaceSets']['NetworkInterfaceSet'][0]['Status'] == 'Available'
    assert nic(zec, 'nic-emu-pending') == ('AVAILABLE', None)
