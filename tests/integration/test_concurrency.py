# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Four hosts race on one interface, two asking for instance A and two for instance B, all with ``force: true``.

Each run is one ``ansible-playbook`` with 4 hosts and forks 4, on its own emulator; 20 runs per cloud (several played at
once, each still 4 hosts with forks 4). Every host signs with its own access key, so the emulator's call log and
transition history say which host did what. After each run:

- the interface ends attached to A or to B;
- each task's ``changed`` is true exactly when one of its own calls took effect (the history shows a change it caused);
- each task's reported ``network_interface`` was true when the task last read it, and nothing the task itself sent
  changed the interface after that (no call of its own still in flight); whatever changed between that read and the
  task's return was another host's doing.

Reads do not lag here (``read_lag_seconds: 0``): with a lag, any read is a few seconds stale for every actor, and what
is checked is the task's own truthfulness, not the cloud's.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from harness import BIN, SECRETS, assert_no_secret, base_env
from scenarios import DEFAULT_STATE, TASK_TIMES_ENV, parse_results

RUNS = 20
AT_ONCE = 5  # runs played side by side, each its own emulator and ansible-playbook (4 hosts, forks 4)
HOSTS = 4
CLOUDS = {
    'ecs': dict(module='cloudnet.nic.alicloud_eni_attachment', id_option='eni_id', nic='eni-emu-1', a='i-emu-running', b='i-emu-running2',
                attached='InUse', secret_option='access_key_secret', section='network_interfaces',
                key=lambda number: ('LTAI5tRACER%04d' % number, 'racer-secret-ecs-%04d' % number), extra={'region': 'cn-hangzhou'}),
    'zec': dict(module='cloudnet.nic.zenlayer_vnic_attachment', id_option='nic_id', nic='nic-emu-1', a='ins-emu-running',
                b='ins-emu-running2', attached='USED', secret_option='access_key_password', section='nics',
                key=lambda number: ('ZLRACER%04d' % number, 'racer-secret-zec-%04d' % number), extra={}),
}
PLAYBOOK = '''
- name: Racers
  hosts: racers
  gather_facts: false
  tasks:
    - name: Race for the interface
      {module}: "{{{{ racer_args }}}}"
'''
SETTINGS = {'read_lag_seconds': 0, 'attach_delay': 0.5, 'detach_delay': 0.5, 'instance_busy_conflict': True}


def world(cloud):
    with open(DEFAULT_STATE, encoding='utf-8') as handle:
        state = json.load(handle)
    state['settings'].update(SETTINGS)
    field = 'access_key_secret' if cloud == 'ecs' else 'access_key_password'
    state[cloud]['credentials'] += [dict(zip(('access_key_id', field), CLOUDS[cloud]['key'](host))) for host in range(HOSTS)]
    return state


def inventory(cloud, url, directory):
    spec = CLOUDS[cloud]
    hosts = {}
    for host in range(HOSTS):
        key_id, secret = spec['key'](host)
        args = dict(spec['extra'], endpoint=url, force=True, access_key_id=key_id,
                    **{spec['id_option']: spec['nic'], spec['secret_option']: secret})
        args['instance_id'] = spec['a'] if host % 2 == 0 else spec['b']
        hosts['racer%d' % host] = {'ansible_connection': 'local', 'racer_args': args}
    path = directory / 'inventory.json'
    path.write_text(json.dumps({'racers': {'hosts': hosts}}))
    return path


def start_run(cloud, emulator, directory):
    directory.mkdir()
    (directory / 'play.yml').write_text(PLAYBOOK.format(module=CLOUDS[cloud]['module']))
    env = base_env(emulator.url, dict(TASK_TIMES_ENV, ANSIBLE_FORKS=str(HOSTS), CLOUDNET_TASK_TIMES=str(directory / 'times.json')))
    argv = [str(BIN / 'ansible-playbook'), '-v', '-i', str(inventory(cloud, emulator.url, directory)), str(directory / 'play.yml')]
    return subprocess.Popen(argv, env=env, cwd=str(directory), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def state_at(history, moment):
    """``(status, instance_id)`` of the interface at ``moment``, from its history (None when deleted)."""
    entries = [entry for entry in history if entry['epoch'] <= moment]
    last = entries[-1]
    return None if last.get('deleted') else (last['status'], last['instance_id'])


def check_run(cloud, emulator, directory, output):
    spec = CLOUDS[cloud]
    secrets = SECRETS + tuple(spec['key'](host)[1] for host in range(HOSTS))
    assert_no_secret(output, secrets)
    results = parse_results(output)
    times = json.loads((directory / 'times.json').read_text())
    calls = emulator.calls(cloud=cloud)
    history = emulator.history(cloud=cloud, record_id=spec['nic'])
    final = emulator.state()[cloud][spec['section']][spec['nic']]
    assert (final['status'], final['instance_id']) in ((spec['attached'], spec['a']), (spec['attached'], spec['b'])), final
    for host in range(HOSTS):
        name, key_id = 'racer%d' % host, spec['key'](host)[0]
        result = results[name]
        assert 'exception' not in result and 'module_stderr' not in result, result
        mine = [call for call in calls if call['access_key_id'] == key_id]
        accepted = set(call['seq'] for call in mine if call['action'] != 'DescribeNetworkInterfaces' and call['outcome'] == 'ok')
        took_effect = [entry for entry in history if (entry.get('cause') or {}).get('call') in accepted]
        assert result['changed'] == bool(took_effect), (name, result.get('msg'), mine, took_effect)
        reads = [call for call in mine if call['action'] == 'DescribeNetworkInterfaces' and call['outcome'] == 'ok']
        last_read = reads[-1]['as_of']
        reported = result['network_interface']
        assert (reported.get('status'), reported.get('instance_id')) == state_at(history, last_read), (name, reported, history)
        returned = times[name][-1]['end']
        after = [entry for entry in history if last_read < entry['epoch'] <= returned]
        assert not [entry for entry in after if (entry.get('cause') or {}).get('access_key_id') == key_id], (name, after)
        assert not [call for call in mine if call.get('arrived', call['epoch']) > last_read], (name, 'a call of its own after its last read')


@pytest.mark.parametrize('cloud', sorted(CLOUDS))
def test_four_hosts_racing_on_one_interface(cloud, tmp_path):
    from control import Emulator  # harness put tests/emulator on sys.path

    group = Emulator.start_group(RUNS)
    outcomes = []
    try:
        for first in range(0, RUNS, AT_ONCE):
            batch = []
            for number in range(first, min(first + AT_ONCE, RUNS)):
                group[number].put_state(world(cloud))
                directory = tmp_path / ('run%02d' % number)
                batch.append((number, directory, start_run(cloud, group[number], directory)))
            for number, directory, process in batch:
                output = process.communicate(timeout=600)[0]
                check_run(cloud, group[number], directory, output)
                outcomes.append(sum(result['changed'] for result in parse_results(output).values()))
    finally:
        group[0].stop()
    assert len(outcomes) == RUNS
    assert all(changed >= 1 for changed in outcomes)  # the interface starts free: someone attached it in every run
