# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The info modules against the emulator: more interfaces than one page, filters, and credentials from module_defaults groups."""

from __future__ import annotations

import copy
import json

from harness import CLOUD_ENV_PREFIXES, ECS_KEY_ID, ECS_SECRET, ZEC_KEY_ID, ZEC_PASSWORD, base_env

BULK = 230  # more than two pages of 100

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/cloudnet.nic.alicloud:
      access_key_id: {ecs_key}
      access_key_secret: {ecs_secret}
      region: cn-hangzhou
      endpoint: {url}
    group/cloudnet.nic.zenlayer:
      access_key_id: {zec_key}
      access_key_password: {zec_password}
      endpoint: {url}
  tasks:
    - name: All ENIs of the VPC, every page
      cloudnet.nic.alicloud_eni_info:
        vpc_id: vpc-emu
      register: ecs_all
    - name: The free secondary ENIs of the bulk
      cloudnet.nic.alicloud_eni_info:
        vpc_id: vpc-emu
        type: Secondary
        status: Available
      register: ecs_free
    - name: Attach one ENI (same module_defaults group)
      cloudnet.nic.alicloud_eni_attachment:
        eni_id: eni-emu-1
        instance_id: i-emu-running
      register: ecs_attach
    - name: The ENIs of the instance
      cloudnet.nic.alicloud_eni_info:
        instance_id: i-emu-running
      register: ecs_on_instance
    - name: Some ENIs by id, one of them unknown
      cloudnet.nic.alicloud_eni_info:
        eni_ids: [eni-emu-1, eni-emu-bulk-0007, eni-emu-unknown]
      register: ecs_by_id
      check_mode: true
    - name: All vNICs of the region, every page
      cloudnet.nic.zenlayer_vnic_info:
        region_id: asia-east-1
      register: zec_all
    - name: Attach one vNIC (same module_defaults group)
      cloudnet.nic.zenlayer_vnic_attachment:
        nic_id: nic-emu-1
        instance_id: ins-emu-running
      register: zec_attach
    - name: The vNICs in use
      cloudnet.nic.zenlayer_vnic_info:
        status: USED
      register: zec_used
    - name: Some vNICs by id
      cloudnet.nic.zenlayer_vnic_info:
        nic_ids: [nic-emu-1, nic-emu-bulk-0007, nic-emu-unknown]
      register: zec_by_id
    - name: Show what was found
      ansible.builtin.copy:
        dest: "{{{{ playbook_dir }}}}/found.json"
        content: "{{{{ dict(ecs_all=ecs_all, ecs_free=ecs_free, ecs_attach=ecs_attach, ecs_on_instance=ecs_on_instance,
                            ecs_by_id=ecs_by_id, zec_all=zec_all, zec_attach=zec_attach, zec_used=zec_used,
                            zec_by_id=zec_by_id) | to_json }}}}"
        mode: "0600"
"""


def add_bulk(emu):
    state = emu.state()
    ecs_template = state['ecs']['network_interfaces']['eni-emu-1']
    zec_template = state['zec']['nics']['nic-emu-1']
    for number in range(BULK):
        eni = copy.deepcopy(ecs_template)
        eni.update(name='bulk-%d' % number, mac_address='00:16:3e:01:%02x:%02x' % divmod(number, 256),
                   private_ip_address='192.168.%d.%d' % (10 + number // 250, number % 250 + 1))
        state['ecs']['network_interfaces']['eni-emu-bulk-%04d' % number] = eni
        nic = copy.deepcopy(zec_template)
        state['zec']['nics']['nic-emu-bulk-%04d' % number] = nic
    emu.put_state(state)
    return state


def test_info_modules_follow_every_page_and_module_defaults_groups_supply_credentials(ansible, emu, tmp_path):
    state = add_bulk(emu)
    ecs_in_vpc = sorted(eni_id for eni_id, eni in state['ecs']['network_interfaces'].items() if eni['vpc_id'] == 'vpc-emu')
    zec_in_region = sorted(nic_id for nic_id, nic in state['zec']['nics'].items() if nic['region_id'] == 'asia-east-1')
    assert len(ecs_in_vpc) > 2 * 100 and len(zec_in_region) > 2 * 100
    emu.clear_calls()
    # No credentials in the environment: they come from module_defaults only.
    env_drop = [name for name in base_env(emu.url) if name.startswith(CLOUD_ENV_PREFIXES)]
    run = ansible.playbook(PLAYBOOK.format(url=emu.url, ecs_key=ECS_KEY_ID, ecs_secret=ECS_SECRET, zec_key=ZEC_KEY_ID,
                                           zec_password=ZEC_PASSWORD), env_drop=env_drop)
    assert run.rc == 0, run.output
    found = json.loads((tmp_path / 'found.json').read_text())

    def ids(name):
        return sorted(nic['id'] for nic in found[name]['network_interfaces'])

    assert ids('ecs_all') == ecs_in_vpc
    assert ids('ecs_free') == sorted(eni_id for eni_id in ecs_in_vpc if state['ecs']['network_interfaces'][eni_id]['type'] == 'Secondary'
                                     and state['ecs']['network_interfaces'][eni_id]['status'] == 'Available')
    assert found['ecs_attach']['changed'] is True
    assert 'eni-emu-1' in ids('ecs_on_instance') and all(nic['instance_id'] == 'i-emu-running' for nic in found['ecs_on_instance']['network_interfaces'])
    assert ids('ecs_by_id') == ['eni-emu-1', 'eni-emu-bulk-0007'] and found['ecs_by_id']['changed'] is False
    assert ids('zec_all') == zec_in_region
    assert found['zec_attach']['changed'] is True
    assert 'nic-emu-1' in ids('zec_used') and all(nic['status'] == 'USED' for nic in found['zec_used']['network_interfaces'])
    assert ids('zec_by_id') == ['nic-emu-1', 'nic-emu-bulk-0007']
    first = found['ecs_by_id']['network_interfaces'][0]
    assert {'id', 'instance_id', 'status', 'vpc_id', 'vswitch_id', 'zone_id', 'type'} <= set(first)
    # Every page was read once: the "all" reads took ceil(n / 100) calls, their page markers advancing.
    ecs_all_pages = [call['params'] for call in emu.calls(cloud='ecs', action='DescribeNetworkInterfaces')
                     if call['params'].get('VpcId') == 'vpc-emu' and 'Type' not in call['params']]
    assert len(ecs_all_pages) == -(-len(ecs_in_vpc) // 100)
    assert [page.get('NextToken') is None for page in ecs_all_pages] == [True] + [False] * (len(ecs_all_pages) - 1)
    zec_all_pages = [call['params'] for call in emu.calls(cloud='zec', action='DescribeNetworkInterfaces')
                     if call['params'].get('regionId') == 'asia-east-1']
    assert [page['pageNum'] for page in zec_all_pages] == list(range(1, -(-len(zec_in_region) // 100) + 1))


def test_a_zec_listing_that_changes_between_pages_is_read_again_and_misses_nothing(ansible, emu):
    """Paging by number while someone deletes a vNIC of page 1 before page 2 is read: page 2 starts one vNIC later, so
    the first reading would skip one and return the deleted one; the module sees the pages do not add up and reads
    again (one more pass), returning exactly what is there."""
    emu.settings(read_lag_seconds=0)  # reads that lag would hide the deletion for a while: the paging is what is tested here
    state = add_bulk(emu)
    listed = [nic_id for nic_id, nic in state['zec']['nics'].items() if nic['region_id'] == 'asia-east-1']
    gone = listed[5]  # on page 1
    emu.fault('zec', 'DescribeNetworkInterfaces', 'change', skip=1, interfaces={gone: None})
    emu.clear_calls()
    run = ansible.adhoc('cloudnet.nic.zenlayer_vnic_info', {'region_id': 'asia-east-1'})
    result = run.result()
    assert run.rc == 0, run.output
    found = sorted(nic['id'] for nic in result['network_interfaces'])
    assert found == sorted(nic_id for nic_id in listed if nic_id != gone)
    pages = [call['params']['pageNum'] for call in emu.calls(cloud='zec', action='DescribeNetworkInterfaces')]
    assert pages == [1, 2, 3, 1, 2, 3]
