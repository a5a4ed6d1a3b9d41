# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module start-up: a Python process that imports what a module imports, builds an AnsibleModule and exits.

Variants run interleaved (every round runs each once, in a rotating order); the figures are the medians of the
process's wall time and of its CPU time (user + system, which noisy neighbours inflate far less), and the fastest
wall time. The collection is imported from ``.build/collections`` (files on disk; under Ansible the same code is
imported from the AnsiballZ zip). ``-X importtime`` of our module gives the cumulative import time of its parts.
Also timed: our converged module run directly (no Ansible controller): start-up + one API call + exit.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

from common import attach_in_state, default_state, env_for_python, log, median, start_emulator

ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': {}})
EXIT = "\nfrom ansible.module_utils.basic import AnsibleModule\nAnsibleModule({}).exit_json(changed=False)\n"
OURS = 'ansible_collections.cloudnet.nic.plugins.modules.%s'
VARIANTS = {
    'python -c pass (interpreter only)': 'pass',
    'bare AnsibleModule': EXIT,
    'bare + import requests': 'import requests' + EXIT,
    'bare + stdlib http.client, ssl': 'import http.client, ssl' + EXIT,
    'ours: alicloud_eni_attachment imports': 'import %s' % (OURS % 'alicloud_eni_attachment') + EXIT,
    'ours: zenlayer_vnic_attachment imports': 'import %s' % (OURS % 'zenlayer_vnic_attachment') + EXIT,
    'ours, requests made unimportable': "import sys\nsys.modules['requests'] = None\nimport %s" % (OURS % 'alicloud_eni_attachment') + EXIT,
    'official SDK: from alibabacloud_ecs20140526.client import Client': 'from alibabacloud_ecs20140526.client import Client' + EXIT,
}
DIRECT = 'ours, converged, run directly (1 API call)'
# Cumulative -X importtime of these names, from our module's import.
PARTS = ('ansible.module_utils.basic', 'requests', 'urllib3', 'ansible_collections.cloudnet.nic.plugins.module_utils.client',
         'ansible_collections.cloudnet.nic.plugins.module_utils.alicloud',
         'ansible_collections.cloudnet.nic.plugins.module_utils.attachment',
         'ansible_collections.cloudnet.nic.plugins.modules.alicloud_eni_attachment')


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv, env):
    """``(wall seconds, CPU seconds)`` of one process; CPU time is what noisy neighbours inflate least."""
    cpu = cpu_of_children()
    started = time.perf_counter()
    completed = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, timeout=120)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0 or '"failed": true' in completed.stdout:
        raise RuntimeError('%s failed: %s %s' % (argv[:3], completed.stdout[-2000:], completed.stderr[-2000:]))
    return elapsed, cpu_of_children() - cpu


def import_parts(env, repeats=5):
    """Median cumulative import time (seconds) of ``PARTS`` when our alicloud module is imported."""
    samples = dict((name, []) for name in PARTS)
    for _number in range(repeats):
        completed = subprocess.run([sys.executable, '-X', 'importtime', '-c', 'import %s' % (OURS % 'alicloud_eni_attachment')],
                                   env=env, capture_output=True, text=True, check=True, timeout=120)
        for line in completed.stderr.splitlines():
            fields = line.split('|')
            if len(fields) == 3 and fields[2].strip() in samples:
                samples[fields[2].strip()].append(int(fields[1]) / 1e6)
    return dict((name, median(values)) for name, values in samples.items())


def direct_argv(url):
    args = {'eni_id': 'eni-emu-1', 'instance_id': 'i-emu-running', 'endpoint': url, 'region': 'cn-hangzhou',
            'access_key_id': 'LTAI5tEMULATOR0001', 'access_key_secret': 'emulator-secret-0001'}
    return [sys.executable, '-m', OURS % 'alicloud_eni_attachment', json.dumps({'ANSIBLE_MODULE_ARGS': args})]


def run(repeats=15):
    env = env_for_python()
    samples = dict((name, []) for name in list(VARIANTS) + [DIRECT])
    cpu = dict((name, []) for name in samples)
    state = attach_in_state(default_state(), 'ecs', 'eni-emu-1', 'i-emu-running')
    names = list(samples)
    with start_emulator(state) as emu:
        log('startup: %d variants x %d, interleaved' % (len(names), repeats))
        for number in range(repeats):
            for name in names[number % len(names):] + names[:number % len(names)]:
                argv = direct_argv(emu.url) if name == DIRECT else [sys.executable, '-c', VARIANTS[name], ARGS]
                wall, cpu_time = timed(argv, env)
                samples[name].append(wall)
                cpu[name].append(cpu_time)
        direct_calls = len(emu.calls()) / float(repeats)
    log('startup: -X importtime of our module')
    return {'repeats': repeats, 'median': dict((name, median(values)) for name, values in samples.items()),
            'cpu': dict((name, median(values)) for name, values in cpu.items()),
            'fastest': dict((name, min(values)) for name, values in samples.items()),
            'parts': import_parts(env), 'direct_calls': direct_calls}
