# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The list form (``attachments``) through ``ansible-playbook`` and ad-hoc ``ansible``, both clouds, on the emulator.

One list mixes every case: already attached, to attach, to move (``force``), to detach, not found, and one the cloud
refuses. Each item's ``changed``, ``failed`` and error code are exact, and so are the attaches and detaches the
emulator saw; the reads are batched (one call for the whole list, then one per round of polling).
"""

from __future__ import annotations

import json

import pytest

import docblocks
from clouds import CLOUDS, ECS

# The cloud refuses the last item for a reason that lies with its instance (a settled refusal).
REFUSED = {'ecs': ('i-emu-othervpc', 'InvalidOperation.VpcMismatch'), 'zec': ('ins-emu-otherregion', 'INVALID_NIC_INSTANCE_REGION_MISMATCH')}
MISSING = {'ecs': 'eni-emu-nosuch', 'zec': 'nic-emu-nosuch'}
EXACT_WORLD = {'read_lag_seconds': 0, 'attach_delay': 0, 'detach_delay': 0, 'instance_busy_conflict': False}
PLAYBOOK = '''
- name: The list form
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Converge the list
      {module}:
        attachments: "{{{{ items }}}}"
        instance_id: "{{{{ target }}}}"
      register: converged
      ignore_errors: true

    - name: Report
      ansible.builtin.debug:
        var: converged
'''


@pytest.fixture(params=CLOUDS, ids=str)
def cloud(request):
    return request.param


def set_up(emu, cloud):
    """The world: nics[0] on the target, nics[2] on the other instance, nics[3] on the target; nics[1] and nics[4] free."""
    emu.settings(**EXACT_WORLD)
    state = emu.state()
    section = state[cloud.name]['network_interfaces' if cloud is ECS else 'nics']
    for nic, instance in ((cloud.nics[0], cloud.instance), (cloud.nics[2], cloud.other_instance), (cloud.nics[3], cloud.instance)):
        section[nic].update(status=cloud.attached, instance_id=instance)
        if cloud is ECS:
            section[nic]['device_index'] = 1
    emu.put_state(state)
    emu.clear_calls()
    refused_instance = REFUSED[cloud.name][0]
    return [
        {cloud.id_option: cloud.nics[0]},
        {cloud.id_option: cloud.nics[1]},
        {cloud.id_option: cloud.nics[2], 'force': True},
        {cloud.id_option: cloud.nics[3], 'state': 'absent'},
        {cloud.id_option: MISSING[cloud.name]},
        {cloud.id_option: cloud.nics[4], 'instance_id': refused_instance},
    ]


def check(emu, cloud, result):
    assert result['failed'] is True and result['changed'] is True
    summary = [(item['id'], item['changed'], item['failed'], (item.get('error') or {}).get('code')) for item in result['attachments']]
    assert summary == [
        (cloud.nics[0], False, False, None),
        (cloud.nics[1], True, False, None),
        (cloud.nics[2], True, False, None),
        (cloud.nics[3], True, False, None),
        (MISSING[cloud.name], False, True, 'NotFound'),
        (cloud.nics[4], False, True, REFUSED[cloud.name][1]),
    ]
    assert result['msg'].startswith('2 of 6 attachments failed: %s: ' % MISSING[cloud.name])
    views = dict((item['id'], item['network_interface']) for item in result['attachments'])
    assert (views[cloud.nics[2]]['status'], views[cloud.nics[2]]['instance_id']) == (cloud.attached, cloud.instance)
    assert (views[cloud.nics[3]]['status'], views[cloud.nics[3]]['instance_id']) == (cloud.available, None)
    calls = emu.calls(cloud=cloud.name)
    attaches = sorted((call['params'].get('NetworkInterfaceId') or call['params'].get('nicId'), call['outcome'])
                      for call in calls if call['action'] == 'AttachNetworkInterface')
    assert attaches == sorted([(cloud.nics[1], 'ok'), (cloud.nics[2], 'ok'), (cloud.nics[4], REFUSED[cloud.name][1])])
    detaches = sorted((call['params'].get('NetworkInterfaceId') or call['params'].get('nicId'), call['outcome'])
                      for call in calls if call['action'] == 'DetachNetworkInterface')
    assert detaches == sorted([(cloud.nics[2], 'ok'), (cloud.nics[3], 'ok')])
    reads = [call for call in calls if call['action'] == 'DescribeNetworkInterfaces']
    # The first read asks for all six; then one poll round for the three writes, and one for the move's attach (a
    # write finishing a moment after the others may take a round of its own: at most one more).
    assert len(reads[0]['params'].get('nicIds') or [key for key in reads[0]['params'] if key.startswith('NetworkInterfaceId.')]) == 6
    assert 3 <= len(reads) <= 4, [call['params'] for call in reads]
    writes_and_reads = ('DescribeNetworkInterfaces', 'AttachNetworkInterface', 'DetachNetworkInterface')
    assert not [call for call in calls if call['action'] not in writes_and_reads]


def test_a_mixed_list_through_a_playbook(ansible, emu, cloud):
    items = set_up(emu, cloud)
    run = ansible.playbook(PLAYBOOK.format(module=cloud.module), extra_vars={'items': items, 'target': cloud.instance}, verbosity=1)
    assert run.rc == 0, run.output  # ignore_errors: the report task runs
    marker = '"converged": '
    result, _end = json.JSONDecoder().raw_decode(run.stdout[run.stdout.index(marker) + len(marker):])
    check(emu, cloud, result)


def test_a_mixed_list_ad_hoc(ansible, emu, cloud):
    items = set_up(emu, cloud)
    run = ansible.adhoc(cloud.module, {'attachments': items, 'instance_id': cloud.instance})
    assert run.rc != 0
    check(emu, cloud, run.result())


def test_the_same_list_again_finishes_the_rest_and_reads_once(ansible, emu, cloud):
    items = set_up(emu, cloud)
    ansible.adhoc(cloud.module, {'attachments': items, 'instance_id': cloud.instance})
    emu.clear_calls()
    fixed = [item for item in items if item[cloud.id_option] != MISSING[cloud.name] and 'instance_id' not in item]
    again = ansible.adhoc(cloud.module, {'attachments': fixed, 'instance_id': cloud.instance})
    result = again.result()
    assert (again.rc, result['changed']) == (0, False)
    assert [call['action'] for call in emu.calls(cloud=cloud.name)] == ['DescribeNetworkInterfaces']


def test_the_awx_fleet_playbook_converges_each_job_slice_in_one_task(ansible, emu):
    """docs/awx.md's job-slicing playbook, as AWX runs it: once per slice, each on the inventory cut down to its hosts.
    Each slice is one task: one batched read of its interfaces, then its attaches; a re-run of a slice is one read."""
    cloud = ECS
    emu.settings(**EXACT_WORLD)
    emu.clear_calls()
    playbook = docblocks.texts('docs/awx.md')['attach-fleet.yml']
    group_vars = docblocks.load('docs/awx.md', 'backends group variables')
    placed = list(zip(cloud.nics[:4], [cloud.instance, cloud.instance, cloud.other_instance, cloud.other_instance]))
    hosts = dict(('backend-%d' % number, {'storage_eni_id': nic, 'instance_id': instance})
                 for number, (nic, instance) in enumerate(placed, 1))
    names = sorted(hosts)
    slices = [names[:2], names[2:]]

    def play(names):
        inventory = {'backends': {'hosts': dict((name, hosts[name]) for name in names), 'vars': group_vars}}
        return ansible.playbook(playbook, extra_vars={'nic_slices': len(slices)}, inventory=inventory, verbosity=1)

    for part in slices:
        emu.clear_calls()
        run = play(part)
        assert run.rc == 0, run.output
        assert 'changed=1' in run.stdout, run.stdout
        calls = emu.calls(cloud='ecs')
        reads = [call for call in calls if call['action'] == 'DescribeNetworkInterfaces']
        asked = sorted(value for key, value in reads[0]['params'].items() if key.startswith('NetworkInterfaceId.'))
        assert asked == sorted(hosts[name]['storage_eni_id'] for name in part)
        attaches = sorted((call['params']['NetworkInterfaceId'], call['params']['InstanceId'], call['outcome'])
                          for call in calls if call['action'] == 'AttachNetworkInterface')
        assert attaches == sorted((hosts[name]['storage_eni_id'], hosts[name]['instance_id'], 'ok') for name in part)
    interfaces = emu.state()['ecs']['network_interfaces']
    assert [(interfaces[nic]['status'], interfaces[nic]['instance_id']) for nic, _instance in placed] == \
        [('InUse', instance) for _nic, instance in placed]
    emu.clear_calls()
    again = play(slices[0])
    assert again.rc == 0 and 'changed=0' in again.stdout, again.stdout
    assert [call['action'] for call in emu.calls(cloud='ecs')] == ['DescribeNetworkInterfaces']


def test_writes_that_wait_for_their_turn_are_each_reported_changed(ansible, emu):
    """A paced list: the last attaches reach the cloud long after their items asked for them, while reads lag writes by
    2 s (the rough world). An attach the cloud accepted is never taken for one that did nothing because the first read
    after it, well within the read lag, still shows the interface free: each is sent once, each item reports changed.
    (Found by the list-form bench: 16 of 200 items sent twice and reported unchanged.)"""
    cloud = ECS
    state = emu.state()
    section = state['ecs']['network_interfaces']
    template = state['ecs']['instances'][cloud.instance]
    items = []
    for number in range(24):
        instance_id, nic_id = 'i-queue-%02d' % number, 'eni-queue-%02d' % number
        state['ecs']['instances'][instance_id] = dict(template)
        section[nic_id] = dict(section[cloud.nics[1]], name=nic_id)
        items.append({'eni_id': nic_id, 'instance_id': instance_id})
    emu.put_state(state)
    emu.settings(read_lag_seconds=2)
    emu.clear_calls()
    run = ansible.adhoc(cloud.module, {'attachments': items, 'concurrency': 1, 'max_calls_per_second': 1.5})
    result = run.result()
    assert run.rc == 0, run.output
    assert [(item['id'], item['changed']) for item in result['attachments']] == [(item['eni_id'], True) for item in items]
    attaches = [(call['params']['NetworkInterfaceId'], call['outcome']) for call in emu.calls(cloud='ecs')
                if call['action'] == 'AttachNetworkInterface']
    assert sorted(attaches) == [(item['eni_id'], 'ok') for item in items]
