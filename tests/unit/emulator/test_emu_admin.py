# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The admin API, the command line, start-up options, TLS and clean shutdown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
import requests

from control import SERVER, Emulator, EmulatorError
from ansible_collections.cloudnet.nic.tests.unit.emulator.emu_clients import REGION, Ecs

DEFAULT_STATE = os.path.join(os.path.dirname(SERVER), 'default_state.json')


def test_state_shows_computed_statuses(emu, ecs):
    ecs.call('AttachNetworkInterface', {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'})
    eni = emu.state()['ecs']['network_interfaces']['eni-emu-1']
    assert (eni['status'], eni['instance_id']) == ('Attaching', 'i-emu-running') and 'transition' in eni
    emu.settings(attach_delay=0)
    ecs.call('AttachNetworkInterface', {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-2', 'InstanceId': 'i-emu-running'})
    assert emu.state()['ecs']['network_interfaces']['eni-emu-2']['status'] == 'InUse'


def test_default_world(emu):
    state = emu.state()
    ecs, zec = state['ecs'], state['zec']
    assert ecs['credentials'][0] == {'access_key_id': 'LTAI5tEMULATOR0001', 'access_key_secret': 'emulator-secret-0001'}
    assert {name: item['status'] for name, item in ecs['instances'].items()} == {
        'i-emu-running': 'Running', 'i-emu-running2': 'Running', 'i-emu-stopped': 'Stopped', 'i-emu-starting': 'Starting',
        'i-emu-otherzone': 'Running', 'i-emu-othervpc': 'Running'}
    assert ecs['network_interfaces']['eni-emu-primary']['instance_id'] == 'i-emu-running'
    assert zec['credentials'][0]['access_key_id'] == 'ZLEMULATORKEY0001'
    assert zec['instances']['ins-emu-otherregion']['region_id'] == 'asia-southeast-1'
    assert zec['instances']['ins-emu-booting']['status'] == 'BOOTING'  # EXACT: instance statuses stay as written
    # EXACT: interfaces being created are ready at once
    assert [nic for nic, item in zec['nics'].items() if item['status'] == 'AVAILABLE'] == ['nic-emu-%d' % n for n in range(1, 6)] + ['nic-emu-pending']
    assert ecs['network_interfaces']['eni-emu-creating']['status'] == 'Available'


def test_default_state_file_holds_the_settling_records():
    with open(DEFAULT_STATE, encoding='utf-8') as handle:
        state = json.load(handle)
    assert state['ecs']['network_interfaces']['eni-emu-creating']['status'] == 'Creating'
    assert state['zec']['nics']['nic-emu-pending']['status'] == 'PENDING'
    assert state['settings']['read_lag_seconds'] == 2.0 and state['settings']['instance_busy_conflict'] is True
    limits = state['zec']['instance_types']
    assert {state['zec']['instances'][name]['instance_type'] for name in ('ins-emu-small', 'ins-emu-running')} == {'z2a.cpu.1', 'z2a.cpu.4'}
    assert (limits['z2a.cpu.1']['nic_limit'], limits['z2a.cpu.4']['nic_limit']) == (4, 8)


def test_put_state_replaces_and_reset_restores(emu, ecs):
    state = emu.state()
    del state['ecs']['network_interfaces']['eni-emu-1']
    assert emu.put_state(state) == {'ok': True}
    assert 'eni-emu-1' not in emu.state()['ecs']['network_interfaces']
    assert ecs.call('DetachNetworkInterface', {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'})[0] == 404
    emu.fault('ecs', '*', 'throttle')
    emu.reset()
    assert 'eni-emu-1' in emu.state()['ecs']['network_interfaces']
    assert emu.calls() == [] and emu.faults() == []


def test_put_state_refuses_garbage(emu):
    with pytest.raises(EmulatorError):
        emu.put_state(['not', 'a', 'world'])
    with pytest.raises(EmulatorError):
        emu.put_state({'ecs': {'instances': []}})


def test_calls_filters_and_clear(emu, ecs, zec):
    ecs.call('DescribeNetworkInterfaces', {'RegionId': REGION})
    zec.call('DescribeNetworkInterfaces', {})
    zec.call('DetachNetworkInterface', {'nicId': 'nic-emu-1'})
    calls = emu.calls()
    assert [(call['seq'], call['cloud'], call['action']) for call in calls] == [
        (1, 'ecs', 'DescribeNetworkInterfaces'), (2, 'zec', 'DescribeNetworkInterfaces'), (3, 'zec', 'DetachNetworkInterface')]
    assert calls[2]['outcome'] == 'OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE' and calls[2]['http_status'] == 403
    assert calls[2]['params'] == {'nicId': 'nic-emu-1'}
    assert [call['seq'] for call in emu.calls(cloud='zec', action='DetachNetworkInterface')] == [3]
    assert 'Signature' not in json.dumps(calls) and 'emulator-secret' not in json.dumps(calls)
    emu.clear_calls()
    assert emu.calls() == []


def test_settings_and_unknown_admin_paths(emu):
    assert emu.settings(detach_delay=0.5)['detach_delay'] == 0.5
    with pytest.raises(EmulatorError):
        emu.settings(nonsense=1)
    with pytest.raises(EmulatorError) as caught:
        emu.admin('GET', 'nothing')
    assert 'HTTP 404' in str(caught.value)
    with pytest.raises(EmulatorError) as caught:
        emu.admin('DELETE', 'state')
    assert 'HTTP 405' in str(caught.value)
    assert requests.get(emu.url + '/api/v3/other', timeout=5).status_code == 404


def test_state_file_and_its_settings(tmp_path):
    with open(DEFAULT_STATE, encoding='utf-8') as handle:
        state = json.load(handle)
    state['settings']['attach_delay'] = 0
    state['ecs']['instances']['i-emu-running']['eni_limit'] = 1
    path = tmp_path / 'state.json'
    path.write_text(json.dumps(state))
    with Emulator.start(state=str(path)) as emu:
        assert emu.state()['settings']['attach_delay'] == 0
        params = {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'}
        status, body = Ecs(emu.url).call('AttachNetworkInterface', params)
        assert (status, body['Code']) == (403, 'EniPerInstanceLimitExceeded')
    with Emulator.start(state=state, attach_delay=0.7) as emu:
        assert emu.state()['settings']['attach_delay'] == 0.7


def test_start_up_settings_survive_reset_and_the_defaults_are_rough(tmp_path):
    with Emulator.start(settings={'read_lag_seconds': 0.25, 'instance_start_delay': None}) as emu:
        assert (emu.settings()['read_lag_seconds'], emu.settings()['instance_start_delay']) == (0.25, None)
        emu.reset()
        assert emu.settings()['read_lag_seconds'] == 0.25
    with Emulator.start() as emu:
        assert emu.settings()['read_lag_seconds'] == 2.0 and emu.settings()['instance_busy_conflict'] is True
        params = {'RegionId': REGION, 'NetworkInterfaceId': 'eni-emu-1', 'InstanceId': 'i-emu-running'}
        client = Ecs(emu.url)
        assert client.call('AttachNetworkInterface', params)[0] == 200
        body = client.call('DescribeNetworkInterfaces', {'RegionId': REGION, 'NetworkInterfaceId.1': 'eni-emu-1'})[1]
        assert body['NetworkInterfaceSets']['NetworkInterfaceSet'][0]['Status'] == 'Available'
        assert emu.state()['ecs']['network_interfaces']['eni-emu-creating']['status'] == 'Creating'
    bad = subprocess.run([sys.executable, SERVER, '--set', 'no_such_setting=1'], capture_output=True, timeout=30, check=False)
    assert bad.returncode == 2 and b'no_such_setting' in bad.stderr


def test_sigterm_exits_cleanly():
    with subprocess.Popen([sys.executable, SERVER, '--port', '0'], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        url = process.stdout.readline().decode().strip()
        assert url.startswith('http://127.0.0.1:')
        assert requests.get(url + '/_emulator/health', timeout=5).json() == {'ok': True}
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
        assert b'Traceback' not in process.stderr.read()


def test_bad_command_line_fails_to_start():
    with pytest.raises(EmulatorError):
        Emulator.start(state='/nonexistent/state.json')


def test_tls(tmp_path):
    trustme = pytest.importorskip('trustme')
    authority = trustme.CA()
    cert = authority.issue_cert('127.0.0.1', 'localhost')
    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / 'server.pem'))
    cert.private_key_pem.write_to_path(str(tmp_path / 'server.key'))
    authority.cert_pem.write_to_path(str(tmp_path / 'ca.pem'))
    with Emulator.start(tls=(tmp_path / 'server.pem', tmp_path / 'server.key')) as emu:
        assert emu.url.startswith('https://127.0.0.1:')
        response = requests.get(emu.url + '/_emulator/health', verify=str(tmp_path / 'ca.pem'), timeout=5)
        assert response.json() == {'ok': True}
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(emu.url + '/_emulator/health', timeout=5)
        assert emu.calls() == []
