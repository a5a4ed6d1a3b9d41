# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decision table, check mode, diff and idempotency of both attachment modules, through real ansible runs.

Each test runs once per cloud against the emulator and checks what the module reported, the API calls it
made (from the emulator's call log) and the interface's final state in the emulator.
"""

from __future__ import annotations

import pytest

from clouds import CLOUDS

MUTATING = {'AttachNetworkInterface', 'DetachNetworkInterface'}

pytestmark = pytest.mark.parametrize('cloud', CLOUDS, ids=str)


def actions(emu, cloud):
    return [call['action'] for call in emu.calls(cloud=cloud.name)]


def current(ansible, cloud, nic):
    """The interface as the cloud reports it now, read with the module itself in check mode."""
    result = ansible.adhoc(cloud.module, cloud.args(nic, state='absent', instance_id='i-nobody' if cloud.name == 'ecs' else 'ins-nobody'),
                           check=True).result()
    assert result['changed'] is False, result
    interface = result['network_interface']
    return interface.get('status'), interface.get('instance_id')


def test_attach_then_rerun_is_one_read(ansible, emu, cloud):
    args = cloud.args(cloud.nics[0], cloud.instance)
    first = ansible.adhoc(cloud.module, args)
    result = first.result()
    assert first.rc == 0, first.output
    assert result['changed'] is True
    assert result['network_interface']['status'] == cloud.attached
    assert result['network_interface']['instance_id'] == cloud.instance
    assert actions(emu, cloud).count('AttachNetworkInterface') == 1

    emu.clear_calls()
    again = ansible.adhoc(cloud.module, args)
    assert again.rc == 0, again.output
    assert again.result()['changed'] is False
    assert actions(emu, cloud) == ['DescribeNetworkInterfaces']
    assert current(ansible, cloud, cloud.nics[0]) == (cloud.attached, cloud.instance)


def test_check_mode_predicts_without_mutating(ansible, emu, cloud):
    run = ansible.adhoc(cloud.module, cloud.args(cloud.nics[1], cloud.instance), check=True)
    result = run.result()
    assert result['changed'] is True
    assert result['network_interface']['status'] == cloud.attached
    assert result['network_interface']['instance_id'] == cloud.instance
    assert not set(actions(emu, cloud)) & MUTATING
    assert current(ansible, cloud, cloud.nics[1]) == (cloud.available, None)


def test_check_mode_on_converged_state_is_unchanged(ansible, emu, cloud):
    ansible.adhoc(cloud.module, cloud.args(cloud.nics[1], cloud.instance))
    emu.clear_calls()
    assert ansible.adhoc(cloud.module, cloud.args(cloud.nics[1], cloud.instance), check=True).result()['changed'] is False
    assert ansible.adhoc(cloud.module, cloud.args(cloud.nics[2], state='absent'), check=True).result()['changed'] is False
    assert not set(actions(emu, cloud)) & MUTATING


PLAYBOOK = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Attach
      {module}:
        {id_option}: {nic}
        instance_id: {instance}
      register: attach
    - name: Attach again
      {module}:
        {id_option}: {nic}
        instance_id: {instance}
      register: again
    - name: Detach in check mode
      {module}:
        {id_option}: {nic}
        state: absent
      check_mode: true
      register: detach_check
    - name: Detach
      {module}:
        {id_option}: {nic}
        instance_id: {instance}
        state: absent
      register: detach
    - name: Detach again
      {module}:
        {id_option}: {nic}
        state: absent
      register: detach_again
    - name: Check what each task reported
      ansible.builtin.assert:
        that:
          - attach is changed
          - attach.network_interface.status == '{attached}'
          - "attach.diff.before == {{'instance_id': None, 'status': '{available}'}}"
          - "attach.diff.after == {{'instance_id': '{instance}', 'status': '{attached}'}}"
          - again is not changed
          - again.diff.before == again.diff.after
          - detach_check is changed
          - detach_check.network_interface.status == '{available}'
          - "detach_check.diff.after == {{'instance_id': None, 'status': '{available}'}}"
          - detach is changed
          - detach.network_interface.status == '{available}'
          - detach.network_interface.instance_id is none
          - detach_again is not changed
'''


def test_playbook_attach_idempotent_check_detach_with_diff(ansible, emu, cloud):
    nic = cloud.nics[2]
    run = ansible.playbook(PLAYBOOK.format(module=cloud.module, id_option=cloud.id_option, nic=nic, instance=cloud.instance,
                                           attached=cloud.attached, available=cloud.available), diff=True)
    assert run.rc == 0, run.output
    assert 'ok=6' in run.stdout and 'changed=3' in run.stdout and 'failed=0' in run.stdout
    assert actions(emu, cloud).count('AttachNetworkInterface') == 1
    assert actions(emu, cloud).count('DetachNetworkInterface') == 1
    assert current(ansible, cloud, nic) == (cloud.available, None)


def test_attached_elsewhere_fails_without_force_and_moves_with_force(ansible, emu, cloud):
    nic = cloud.nics[3]
    ansible.adhoc(cloud.module, cloud.args(nic, cloud.instance))
    refused = ansible.adhoc(cloud.module, cloud.args(nic, cloud.other_instance))
    result = refused.result()
    assert refused.rc != 0
    assert result['changed'] is False
    assert result['error']['code'] == 'AttachedElsewhere'
    assert cloud.instance in result['msg'] and 'force' in result['msg']

    moved = ansible.adhoc(cloud.module, cloud.args(nic, cloud.other_instance, force=True))
    assert moved.rc == 0, moved.output
    assert moved.result()['changed'] is True
    assert current(ansible, cloud, nic) == (cloud.attached, cloud.other_instance)


def test_wait_false_returns_transitional_status(ansible, emu, cloud):
    result = ansible.adhoc(cloud.module, cloud.args(cloud.nics[4], cloud.instance, wait=False)).result()
    assert result['changed'] is True
    assert result['network_interface']['status'] == cloud.attaching


def test_absent_detaches_from_any_instance_and_ignores_other_instances(ansible, emu, cloud):
    nic = cloud.nics[0]
    ansible.adhoc(cloud.module, cloud.args(nic, cloud.instance))
    other = ansible.adhoc(cloud.module, cloud.args(nic, cloud.other_instance, state='absent')).result()
    assert other['changed'] is False
    assert current(ansible, cloud, nic) == (cloud.attached, cloud.instance)
    detached = ansible.adhoc(cloud.module, cloud.args(nic, state='absent')).result()
    assert detached['changed'] is True
    assert current(ansible, cloud, nic) == (cloud.available, None)


def test_not_found_and_primary_fail_with_reason(ansible, emu, cloud):
    missing = ansible.adhoc(cloud.module, cloud.args(cloud.nics[0][:-1] + '404', cloud.instance)).result()
    assert missing['failed'] is True and missing['changed'] is False
    assert missing['error']['code'] == 'NotFound' and 'not found' in missing['msg']
    moved = ansible.adhoc(cloud.module, cloud.args(cloud.primary, cloud.other_instance, force=True)).result()
    assert moved['error']['code'] == 'PrimaryInterface' and 'primary' in moved['msg']
    detached = ansible.adhoc(cloud.module, cloud.args(cloud.primary, state='absent')).result()
    assert detached['error']['code'] == 'PrimaryInterface' and detached['changed'] is False
    on_target = ansible.adhoc(cloud.module, cloud.args(cloud.primary, cloud.instance)).result()
    assert on_target['changed'] is False and on_target['failed'] is False
    assert not set(actions(emu, cloud)) & MUTATING
