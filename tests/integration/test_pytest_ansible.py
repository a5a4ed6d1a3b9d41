# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The attachment modules through pytest-ansible's ``ansible_adhoc`` fixture (ansible's own task executor, in process)."""

from __future__ import annotations

import sys

import pytest

from harness import ECS_KEY_ID, ECS_SECRET, ZEC_KEY_ID, ZEC_PASSWORD


@pytest.fixture
def localhost(ansible_adhoc, emu, tmp_path, monkeypatch):
    inventory = tmp_path / 'inventory.ini'
    inventory.write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    for name, value in {
        'ALIBABA_CLOUD_ACCESS_KEY_ID': ECS_KEY_ID, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': ECS_SECRET,
        'ALIBABA_CLOUD_REGION_ID': 'cn-hangzhou', 'ALIBABA_CLOUD_ENDPOINT_ECS': emu.url,
        'ZENLAYERCLOUD_ACCESS_KEY_ID': ZEC_KEY_ID, 'ZENLAYERCLOUD_ACCESS_KEY_PASSWORD': ZEC_PASSWORD,
        'ZENLAYERCLOUD_ENDPOINT': emu.url,
    }.items():
        monkeypatch.setenv(name, value)
    return ansible_adhoc(inventory=str(inventory), host_pattern='localhost')['localhost']


def run(host, module, **args):
    contacted = getattr(host, module)(**args)
    return contacted['localhost']


@pytest.mark.parametrize('module, args, attached', [
    ('cloudnet.nic.alicloud_eni_attachment', {'eni_id': 'eni-emu-2', 'instance_id': 'i-emu-running2'}, 'InUse'),
    ('cloudnet.nic.zenlayer_vnic_attachment', {'nic_id': 'nic-emu-2', 'instance_id': 'ins-emu-running2'}, 'USED'),
])
def test_attach_then_converged(localhost, emu, module, args, attached):
    first = run(localhost, module, **args)
    assert first['changed'] is True, first
    assert first['network_interface']['status'] == attached
    emu.clear_calls()
    second = run(localhost, module, **args)
    assert second['changed'] is False, second
    assert [call['action'] for call in emu.calls()] == ['DescribeNetworkInterfaces']
    detach = run(localhost, module, state='absent', **args)
    assert detach['changed'] is True, detach
