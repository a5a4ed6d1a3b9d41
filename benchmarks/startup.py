# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module start-up: a Python process that imports what a module imports, builds an AnsibleModule and exits.

Variants run interleaved (every round runs each once, in a rotating order); the figures are the medians of the
process's wall time and of its CPU time (user + system, which noisy neighbours inflate far less), and the fastest
wall time. The collection is imported from ``.build/collections`` (files on disk; under Ansible the same code is
imported from the AnsiballZ zip). ``-X importtime`` of our module gives the cumulative import time of its parts.
Also timed: our converged module run directly (no Ansible controller): start-up + one API call + exit.

The AnsiballZ way (``ansiballz``): what Ansible really runs. One playbook keeps the AnsiballZ files of a converged
ping, alicloud and zenlayer task (``ANSIBLE_KEEP_REMOTE_FILES``); they are then run directly, interleaved, with two
variants made by editing the zip inside: ping that also imports ``requests``, and alicloud whose ``main()`` only builds
a bare ``AnsibleModule`` (its imports, without its work). Inside AnsiballZ every ``module_utils`` file (Ansible's and
ours) is compiled from source in the zip at every run; ``requests`` comes from site-packages, compiled once. Also: the
CPU time each of our files adds when imported from the payload zip, in dependency order.
"""

from __future__ import annotations

import base64
import glob
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

from common import attach_in_state, base_env, default_state, env_for_python, log, median, play, run_playbook, start_emulator, task

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
            'parts': import_parts(env), 'direct_calls': direct_calls, 'ansiballz': run_ansiballz(repeats)}


# --- the AnsiballZ way ------------------------------------------------------------------------------------------------

AZ_TASKS = (('ping', {'name': 'ping', 'ansible.builtin.ping': {}}, 'AnsiballZ_ping.py'),
            ('alicloud', task('ecs', 'eni-emu-1', 'i-emu-running', name='alicloud'), 'AnsiballZ_alicloud_eni_attachment.py'),
            ('zenlayer', task('zec', 'nic-emu-1', 'ins-emu-running', name='zenlayer'), 'AnsiballZ_zenlayer_vnic_attachment.py'))
AZ_PING_REQUESTS = 'ping + import requests'
AZ_IMPORTS_ONLY = 'alicloud, imports only'
AZ_ORDER = ('ping', AZ_PING_REQUESTS, AZ_IMPORTS_ONLY, 'alicloud', 'zenlayer')
ALICLOUD_MODULE = 'ansible_collections/cloudnet/nic/plugins/modules/alicloud_eni_attachment.py'
# Our files in the order the alicloud module imports them (each one's CPU is what it adds over those before it).
OUR_FILES = ('module_utils.interface', 'module_utils.pacing', 'module_utils.client', 'module_utils.effects', 'module_utils.ledger',
             'module_utils.failures', 'module_utils.cloud_module', 'module_utils.options', 'module_utils.listing',
             'module_utils.reconciler', 'module_utils.attachment', 'ansible.module_utils.common.dict_transformations',
             'module_utils.alicloud', 'modules.alicloud_eni_attachment')
PER_FILE = """import importlib, sys, time
import ansible.module_utils.basic, requests, requests.adapters
out = []
for name in sys.argv[1:]:
    full = name if name.startswith('ansible.') else 'ansible_collections.cloudnet.nic.plugins.' + name
    started = time.process_time()
    importlib.import_module(full)
    out.append(time.process_time() - started)
print(' '.join(repr(value) for value in out))
"""


def payload_zip(wrapper_text):
    """The zip inside an AnsiballZ file (bytes), and where its base64 sits in the text."""
    found = re.search(r"zip_data='([^']*)'", wrapper_text)
    return base64.b64decode(found.group(1)), found.span(1)


def edited_payload(wrapper_text, member, old, new):
    """An AnsiballZ file whose zip has ``old`` replaced by ``new`` in ``member``."""
    data, (start, end) = payload_zip(wrapper_text)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == member:
                text = body.decode('utf-8')
                if old not in text:
                    raise RuntimeError('%s: %r not found' % (member, old))
                body = text.replace(old, new, 1).encode('utf-8')
            target.writestr(info, body)
    return wrapper_text[:start] + base64.b64encode(out.getvalue()).decode('ascii') + wrapper_text[end:]


def keep_ansiballz(emu, into):
    """Run one playbook of the three converged tasks keeping their AnsiballZ files; ``{name: path}`` in ``into``."""
    keep = tempfile.mkdtemp(prefix='cloudnet-bench-keep-')
    try:
        book = run_playbook(emu.url, play([entry for _name, entry, _file in AZ_TASKS]),
                            env={'ANSIBLE_KEEP_REMOTE_FILES': '1', 'ANSIBLE_REMOTE_TMP': keep})
        if book.rc != 0:
            raise RuntimeError('keeping AnsiballZ files failed:\n%s' % book.stdout[-3000:])
        files = {}
        for name, _entry, pattern in AZ_TASKS:
            found = glob.glob(os.path.join(keep, '*', pattern))
            if len(found) != 1:
                raise RuntimeError('expected one %s, found %r' % (pattern, found))
            files[name] = os.path.join(into, name + '.py')
            shutil.copy(found[0], files[name])
    finally:
        shutil.rmtree(keep, ignore_errors=True)
    with open(files['ping'], encoding='utf-8') as handle:
        ping = handle.read()
    with open(files['alicloud'], encoding='utf-8') as handle:
        alicloud = handle.read()
    files[AZ_PING_REQUESTS] = os.path.join(into, 'ping_requests.py')
    with open(files[AZ_PING_REQUESTS], 'w', encoding='utf-8') as out:
        out.write(edited_payload(ping, 'ansible/modules/ping.py', 'def main():', 'import requests  # noqa\n\n\ndef main():'))
    files[AZ_IMPORTS_ONLY] = os.path.join(into, 'alicloud_imports.py')
    with open(files[AZ_IMPORTS_ONLY], 'w', encoding='utf-8') as out:
        out.write(edited_payload(alicloud, ALICLOUD_MODULE, 'def main():\n',
                                 'def main():\n    from ansible.module_utils.basic import AnsibleModule\n'
                                 '    AnsibleModule(dict(eni_id={}, instance_id={})).exit_json(changed=False)\n\n\n'
                                 'def _main():\n'))
    return files


def per_file_costs(files, repeats):
    """Median CPU (seconds) each of ``OUR_FILES`` adds when imported from the alicloud payload zip, after basic and requests."""
    with open(files['alicloud'], encoding='utf-8') as handle:
        data, _span = payload_zip(handle.read())
    with tempfile.TemporaryDirectory(prefix='cloudnet-bench-zip-') as tmp:
        archive = os.path.join(tmp, 'payload.zip')
        with open(archive, 'wb') as out:
            out.write(data)
        env = dict(os.environ, PYTHONPATH=archive, PYTHONDONTWRITEBYTECODE='1')
        samples = []
        for _number in range(repeats):
            completed = subprocess.run([sys.executable, '-c', PER_FILE] + list(OUR_FILES), env=env, capture_output=True, text=True,
                                       check=True, timeout=120)
            samples.append([float(value) for value in completed.stdout.split()])
    return dict((name, median([sample[index] for sample in samples])) for index, name in enumerate(OUR_FILES))


def run_ansiballz(repeats=15):
    """CPU time of the module process as Ansible runs it, per variant (medians of interleaved runs), and where it goes."""
    state = attach_in_state(attach_in_state(default_state(), 'ecs', 'eni-emu-1', 'i-emu-running'), 'zec', 'nic-emu-1', 'ins-emu-running')
    with tempfile.TemporaryDirectory(prefix='cloudnet-bench-az-') as into, start_emulator(state) as emu:
        files = keep_ansiballz(emu, into)
        sizes = dict((name, os.path.getsize(files[name])) for name in ('ping', 'alicloud', 'zenlayer'))
        zipped = {}
        for name in ('ping', 'alicloud', 'zenlayer'):
            with open(files[name], encoding='utf-8') as handle:
                data, _span = payload_zip(handle.read())
            members = zipfile.ZipFile(io.BytesIO(data)).infolist()
            zipped[name] = {'files': len(members), 'source_bytes': sum(info.file_size for info in members), 'zip_bytes': len(data)}
        env = base_env(emu.url)
        cpu = dict((name, []) for name in AZ_ORDER)
        log('startup: the AnsiballZ way, %d variants x %d, interleaved' % (len(AZ_ORDER), repeats))
        for number in range(repeats):
            for name in AZ_ORDER[number % len(AZ_ORDER):] + AZ_ORDER[:number % len(AZ_ORDER)]:
                _wall, cpu_time = timed([sys.executable, files[name]], env)
                cpu[name].append(cpu_time)
        log('startup: our files imported from the payload zip')
        files_cost = per_file_costs(files, max(5, repeats // 2))
    return {'repeats': repeats, 'cpu': dict((name, median(values)) for name, values in cpu.items()),
            'fastest_cpu': dict((name, min(values)) for name, values in cpu.items()),
            'wrapper_bytes': sizes, 'payload': zipped, 'files': files_cost}
