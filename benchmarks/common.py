# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every benchmark needs: the emulator, worlds to load into it, ansible-playbook runs with timed events, statistics."""

from __future__ import annotations

import copy
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for _path in (REPO / 'tests' / 'emulator', REPO / 'tests' / 'integration'):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# pylint: disable=wrong-import-position
from control import EXACT, Emulator  # noqa: E402
from harness import BIN, COLLECTIONS, base_env  # noqa: E402

DEFAULT_STATE = REPO / 'tests' / 'emulator' / 'default_state.json'
CALLBACKS = HERE / 'callback_plugins'
ECS_MODULE = 'cloudnet.nic.alicloud_eni_attachment'
ZEC_MODULE = 'cloudnet.nic.zenlayer_vnic_attachment'
# cloud -> (module, interface id option, status words: available, attaching, attached)
CLOUDS = {
    'ecs': (ECS_MODULE, 'eni_id', ('Available', 'Attaching', 'InUse')),
    'zec': (ZEC_MODULE, 'nic_id', ('AVAILABLE', 'ATTACHING', 'USED')),
}
INTERFACES = {'ecs': 'network_interfaces', 'zec': 'nics'}
READ = 'DescribeNetworkInterfaces'
THROTTLED = ('Throttling', 'Throttling.User', 'REQUEST_LIMIT_EXCEEDED')


def log(text):
    sys.stderr.write('[bench %s] %s\n' % (time.strftime('%H:%M:%S'), text))
    sys.stderr.flush()


def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def default_state():
    with open(DEFAULT_STATE, encoding='utf-8') as handle:
        return json.load(handle)


def attach_in_state(state, cloud, nic_id, instance_id):
    """Mark ``nic_id`` as attached (settled) to ``instance_id`` in a state document."""
    record = state[cloud][INTERFACES[cloud]][nic_id]
    record['instance_id'] = instance_id
    record['status'] = CLOUDS[cloud][2][2]
    if cloud == 'ecs':
        used = [eni.get('device_index') or 0 for eni in state['ecs']['network_interfaces'].values() if eni.get('instance_id') == instance_id]
        record['device_index'] = max(used + [0]) + 1
    return state


def interface_records(state, cloud):
    return state[cloud][INTERFACES[cloud]]


def clone(state):
    return copy.deepcopy(state)


def task(cloud, nic_id, instance_id=None, name=None, **extra):
    """A playbook task of one attachment module."""
    module, id_option, _words = CLOUDS[cloud]
    args = {id_option: nic_id}
    if instance_id:
        args['instance_id'] = instance_id
    args.update(extra)
    return {'name': name or '%s %s' % (cloud, nic_id), module: args}


def play(tasks, hosts='localhost', strategy='linear', **extra):
    entry = {'name': 'bench', 'hosts': hosts, 'gather_facts': False, 'strategy': strategy, 'tasks': tasks}
    entry.update(extra)
    return [entry]


def local_inventory(hosts):
    """An inventory (YAML as JSON) of ``{name: vars}`` hosts, all on the local connection with this Python."""
    return {'all': {'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable},
                    'hosts': dict((name, dict(host_vars)) for name, host_vars in hosts.items())}}


class Events:
    """The callback's JSON lines of one run."""

    def __init__(self, lines):
        self.lines = lines

    def of(self, *events, host=None):
        return [line for line in self.lines if line['event'] in events and (host is None or line['host'] == host)]

    def spans(self, host=None):
        """``[(start event, end event)]`` per task run on a host, in order: end is ok/failed/skipped/unreachable."""
        spans = []
        open_starts = {}
        for line in self.lines:
            if host is not None and line['host'] != host:
                continue
            key = (line['host'], line['task'])
            if line['event'] == 'start':
                open_starts[key] = line
            elif line['event'] in ('ok', 'failed', 'skipped', 'unreachable') and key in open_starts:
                spans.append((open_starts.pop(key), line))
        return spans


class PlaybookRun:
    def __init__(self, completed, events, wall, started, cpu=None, modules=None):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.events = events
        self.wall = wall
        self.started = started
        self.cpu = cpu  # CPU seconds (user + system) of the whole ansible-playbook process tree
        self.modules = modules or []  # with rusage=True: one record per module process (see RUSAGE_WRAPPER)


def cpu_of_children():
    """CPU seconds (user + system) of every child process waited for so far, and of their waited descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# A Python interpreter for ``ansible_python_interpreter`` that runs the real one as its child and, when that exits,
# appends the child's own resource usage (os.wait4: peak RSS, CPU; of the module process alone, not of Ansible's
# processes nor of this wrapper) to the file named by CLOUDNET_BENCH_RUSAGE as one JSON line.
RUSAGE_WRAPPER = '''#!%(python)s
import json, os, sys, time
started = time.time()
child = os.fork()
if child == 0:
    os.execv(%(python)r, [%(python)r] + sys.argv[1:])
_pid, status, usage = os.wait4(child, 0)
path = os.environ.get('CLOUDNET_BENCH_RUSAGE')
if path:
    with open(path, 'a') as out:
        out.write(json.dumps({'script': os.path.basename(sys.argv[-1]), 'maxrss_kb': usage.ru_maxrss, 'wall': time.time() - started,
                              'cpu': usage.ru_utime + usage.ru_stime}) + '\\n')
sys.exit(os.waitstatus_to_exitcode(status))
'''


def run_playbook(url, playbook, inventory=None, forks=5, env=None, timeout=900, rusage=False):
    """Run ``ansible-playbook`` against the emulator at ``url``; the events the callback wrote, and the CPU time of the run.

    ``rusage``: modules run under ``RUSAGE_WRAPPER`` (localhost only: an inventory's ``ansible_python_interpreter`` wins);
    ``modules`` then holds the peak RSS and CPU time of each module process.
    """
    with tempfile.TemporaryDirectory(prefix='cloudnet-bench-') as tmp:
        tmp = Path(tmp)
        extra_env = dict(env or {})
        usage_file = tmp / 'rusage.jsonl'
        if rusage:
            wrapper = tmp / 'python-rusage'
            wrapper.write_text(RUSAGE_WRAPPER % {'python': sys.executable})
            wrapper.chmod(0o755)
            extra_env.update(ANSIBLE_PYTHON_INTERPRETER=str(wrapper), CLOUDNET_BENCH_RUSAGE=str(usage_file))
        book = tmp / 'playbook.yml'
        book.write_text(json.dumps(playbook, indent=1))  # JSON is YAML
        argv = [str(BIN / 'ansible-playbook'), '-f', str(forks), str(book)]
        if inventory is None:
            argv[1:1] = ['-c', 'local', '-i', 'localhost,']
        else:
            hosts = tmp / 'inventory.yml'
            hosts.write_text(json.dumps(inventory, indent=1))
            argv[1:1] = ['-i', str(hosts)]
        events_file = tmp / 'events.jsonl'
        run_env = base_env(url, dict(extra_env, CLOUDNET_BENCH_EVENTS=str(events_file), ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS),
                                     ANSIBLE_CALLBACKS_ENABLED='bench_events', ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS)))
        cpu = cpu_of_children()
        started = time.time()
        completed = subprocess.run(argv, env=run_env, capture_output=True, text=True, timeout=timeout, check=False, cwd=str(tmp))
        wall = time.time() - started
        cpu = cpu_of_children() - cpu
        lines = []
        if events_file.exists():
            lines = [json.loads(text) for text in events_file.read_text().splitlines() if text.strip()]
        modules = []
        if usage_file.exists():
            modules = [json.loads(text) for text in usage_file.read_text().splitlines() if text.strip()]
        return PlaybookRun(completed, Events(lines), wall, started, cpu, modules)


def calls_between(calls, start, end, cloud=None):
    """API calls logged in ``[start, end]`` (epoch seconds; the log rounds to the millisecond)."""
    return [call for call in calls if start - 0.002 <= call['epoch'] <= end + 0.002 and (cloud is None or call['cloud'] == cloud)]


def throttled(calls):
    return [call for call in calls if call['outcome'] in THROTTLED]


def venv_python():
    return sys.executable


def env_for_python():
    """Environment for running collection code directly with this Python (no Ansible controller)."""
    env = dict(os.environ)
    env['PYTHONPATH'] = str(COLLECTIONS)
    env.pop('PYTHONSTARTUP', None)
    return env


def start_emulator(state=None, **settings):
    return Emulator.start(state=state, **settings)


def exact(state):
    """``state`` on the exact emulator (``control.EXACT``: no read lag, nothing settling by itself, no ECS conflicts)."""
    state['settings'].update(EXACT)
    return state


ROUND_GAP = 0.25  # seconds: reads answered closer than this belong to one poll round (poll_rounds)


def poll_rounds(calls, gap=ROUND_GAP):
    """Split a run's reads into the initial ones (before its first write) and poll rounds.

    A round is a run of reads each answered less than ``gap`` seconds after the one before: the chunks of one batched
    read go back to back (milliseconds apart on the emulator), while the fleet driver starts a round when a poll is
    due and gathers those due within ``fleet.POLL_SLACK`` (0.5 s) of it, so the next round comes about 0.5 s or more
    later; answered times then differ by less than 0.5 s (the first round's last chunk ends after its start), hence
    half of it. Returns
    ``(initial reads, [[reads of a round], ...], writes)``.
    """
    calls = sorted(calls, key=lambda call: call['epoch'])
    writes = [call for call in calls if call['action'] != READ]
    first_write = writes[0]['epoch'] if writes else float('inf')
    reads = [call for call in calls if call['action'] == READ]
    initial = [call for call in reads if call['epoch'] < first_write]
    rounds = []
    for call in reads[len(initial):]:
        if rounds and call['epoch'] - rounds[-1][-1]['epoch'] < gap:
            rounds[-1].append(call)
        else:
            rounds.append([call])
    return initial, rounds, writes
