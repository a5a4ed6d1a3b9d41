# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/awx.md's job template, run as AWX runs it, inside the execution environment (EE) image ``make ee`` built.

``make test-ee`` (tools/ee.py) runs this file with CLOUDNET_EE_IMAGE (the image) and CLOUDNET_EE_TARBALL (the release
tarball built into it) set, and fails if any test is skipped; ``make test`` does not collect it. Every job runs through
``ansible_runner.run(process_isolation=True, ...)``, i.e. ``ansible-runner run --process-isolation``: podman runs
ansible-playbook (or ansible) in the image, with ``--network host`` so that the modules reach the emulator on this
host's 127.0.0.1. The private data dir is laid out as in tests/integration/test_awx_runner.py: the project holds the
doc's attach.yml, the inventory its localhost host variables, and the environment is what the doc's two credential
types inject. For each cloud: attach (changed), relaunch (ok, one API call: the read), detach (changed); then an ad-hoc
``ansible -m`` of an attachment module, twice. Every job event and every file ansible-runner writes is searched for the
secrets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

IMAGE = os.environ.get('CLOUDNET_EE_IMAGE')
TARBALL = os.environ.get('CLOUDNET_EE_TARBALL')
if not (IMAGE and TARBALL):
    pytest.skip('make test-ee runs these tests (it sets CLOUDNET_EE_IMAGE and CLOUDNET_EE_TARBALL)', allow_module_level=True)

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / 'tests' / 'integration'))

import test_awx_runner as awx  # noqa: E402  pylint: disable=wrong-import-position
from harness import SECRETS, start_emulator  # noqa: E402  pylint: disable=wrong-import-position

ansible_runner = pytest.importorskip('ansible_runner')

# AWX's container options for an EE, plus --network host (the emulator listens on this host's 127.0.0.1) and
# --user 0 (ansible-runner's artifact folder on the host is root's, mode 0700).
CONTAINER_OPTIONS = ['--network=host', '--user=0']
COLLECTION_IN_IMAGE = '/usr/share/ansible/collections/ansible_collections/cloudnet/nic'
JOB_CREDENTIALS = ('alicloud-accesskey', 'zenlayer')  # one credential of each type, as docs/awx.md's template takes
CLOUDS = {
    'alicloud': dict(nic_cloud='alicloud', nic_interface_id='eni-emu-1', nic_instance_id='i-emu-running'),
    'zenlayer': dict(nic_cloud='zenlayer', nic_interface_id='nic-emu-1', nic_instance_id='ins-emu-running'),
}


def pins():
    """``{name: version}`` of tests/constraints.txt."""
    found = {}
    for line in (REPO / 'tests' / 'constraints.txt').read_text(encoding='utf-8').splitlines():
        line = line.split('#', 1)[0].strip()
        if '==' in line:
            name, version = line.split('==', 1)
            found[name.strip().lower()] = version.strip()
    return found


def in_image(*argv):
    """A command's stdout, run in a throw-away container of the image (no network)."""
    completed = subprocess.run(['podman', 'run', '--rm', '--network=none', IMAGE] + list(argv), capture_output=True, text=True,
                               timeout=120, check=False, stdin=subprocess.DEVNULL)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


@pytest.fixture(scope='module')
def emulator():
    with start_emulator(attach_delay=0.3, detach_delay=0.3) as emu:
        yield emu


@pytest.fixture(name='emu')
def emu_fixture(emulator):
    emulator.reset()
    return emulator


def injected_environment(emulator_url):
    """The environment AWX injects for JOB_CREDENTIALS, and the secrets in it."""
    creds = awx.credentials(emulator_url)
    injected = {}
    for name in JOB_CREDENTIALS:
        cloud, inputs, _secrets = creds[name]
        injected.update(awx.render_injectors(awx.credential_type(cloud), inputs))
    return injected


class ContainerJob(awx.Job):
    """awx.Job's private data dir, run by ansible-runner in the EE image (process isolation)."""

    def _run(self, ident, verbosity=0, **kwargs):
        runner = ansible_runner.run(
            private_data_dir=str(self.path), ident=ident, envvars=self.env, verbosity=verbosity or None, suppress_env_files=True,
            quiet=True, process_isolation=True, process_isolation_executable='podman', container_image=IMAGE,
            container_options=CONTAINER_OPTIONS, settings={'job_timeout': 300}, **kwargs)
        self.runs.append(runner)
        events = list(runner.events)
        assert runner.status == 'successful' and runner.rc == 0, json.dumps([event.get('stdout') for event in events], indent=1)
        command = json.loads((self.path / 'artifacts' / ident / 'command').read_text(encoding='utf-8'))['command']
        assert command[:2] == ['podman', 'run'] and IMAGE in command, 'ansible-runner ran the job in the image'
        return events

    def launch(self, verbosity=0, **survey):
        """The job template, launched with these survey answers."""
        return self._run('job-%d' % (len(self.runs) + 1), verbosity=verbosity, playbook='attach.yml', extravars=survey)

    def ad_hoc(self, module, module_args):
        """``ansible localhost -m MODULE -a ARGS`` on the job's inventory."""
        return self._run('ad-hoc-%d' % (len(self.runs) + 1), module=module, module_args=module_args, host_pattern='localhost')


def host_results(events):
    """``[(event, res)]`` of every host event."""
    return [(event['event'], event['event_data'].get('res', {})) for event in events
            if event['event'].startswith('runner_on_') and event['event'] != 'runner_on_start']


def check_secrets(job, injected):
    """No secret in any job event, nor in any file under the private data dir (awx.scan_private_data_dir's rules)."""
    for runner in job.runs:
        for event in runner.events:
            leaked = sum(secret in json.dumps(event) for secret in SECRETS)  # a count: never print a secret
            assert not leaked, 'a job event of %s holds a secret' % runner.config.ident
    files = awx.scan_private_data_dir(job.path, SECRETS, injected)
    names = set(file.relative_to(job.path).as_posix() for file in files)
    for runner in job.runs:
        ident = runner.config.ident
        # env.list: the environment ansible-runner hands to podman (--env-file), checked by scan_private_data_dir
        assert {'artifacts/%s/%s' % (ident, name) for name in ('stdout', 'status', 'rc', 'command', 'env.list')} <= names
        assert any(name.startswith('artifacts/%s/job_events/' % ident) for name in names)


def test_the_image_holds_this_release_and_the_tested_versions():
    script = ('import json, importlib.metadata as m; '
              'print(json.dumps(dict((name, m.version(name)) for name in ("ansible-core", "ansible-runner", "requests"))))')
    versions = json.loads(in_image('python3', '-c', script))
    expected = pins()
    assert versions == dict((name, expected[name]) for name in versions), 'the image has the pins of tests/constraints.txt'
    with tarfile.open(TARBALL) as archive:
        files_json = json.load(archive.extractfile('FILES.json'))
    assert json.loads(in_image('cat', COLLECTION_IN_IMAGE + '/FILES.json')) == files_json, 'the image holds this release'
    # the build's pip configuration (tools/ee.py mounts it at /etc/xdg/pip during the build) stays out of the image
    assert in_image('sh', '-c', 'ls -A /etc/xdg/pip /etc/pip.conf 2>/dev/null; true').split() == ['/etc/xdg/pip:']


@pytest.mark.parametrize('cloud', sorted(CLOUDS))
def test_job_attaches_is_ok_when_relaunched_and_detaches(emu, tmp_path, cloud):
    injected = injected_environment(emu.url)
    job = ContainerJob(tmp_path / 'private_data_dir', injected)
    survey = CLOUDS[cloud]
    task, other = awx.TASKS[cloud], next(awx.TASKS[name] for name in awx.TASKS if name != cloud)
    api = awx.EMULATOR_CLOUD[cloud]

    events = job.launch(**survey)
    results = awx.task_results(events, task)
    assert [event for event, _res in results] == ['runner_on_ok']
    assert results[0][1]['changed'] is True, 'the first launch attaches'
    assert results[0][1]['network_interface']['instance_id'] == survey['nic_instance_id']
    assert [event for event, _res in awx.task_results(events, other)] == ['runner_on_skipped']
    assert 'AttachNetworkInterface' in [call['action'] for call in emu.calls(cloud=api)]

    emu.clear_calls()
    events = job.launch(verbosity=3, **survey)
    results = awx.task_results(events, task)
    assert [event for event, _res in results] == ['runner_on_ok']
    assert results[0][1]['changed'] is False, 'a relaunch changes nothing'
    assert [call['action'] for call in emu.calls()] == ['DescribeNetworkInterfaces'], 'a relaunch makes exactly one API call'
    stdout = (job.path / 'artifacts' / 'job-2' / 'stdout').read_text(encoding='utf-8')
    assert '%s/plugins/modules/' % COLLECTION_IN_IMAGE in stdout, 'the module came from the collection in the image'

    emu.clear_calls()
    events = job.launch(**dict(survey, nic_state='absent', nic_instance_id=''))
    results = awx.task_results(events, task)
    assert [event for event, _res in results] == ['runner_on_ok']
    assert results[0][1]['changed'] is True, 'the detach launch detaches'
    assert not results[0][1]['network_interface']['instance_id']
    assert 'DetachNetworkInterface' in [call['action'] for call in emu.calls(cloud=api)]

    check_secrets(job, injected)


def test_ad_hoc_command_attaches_then_is_ok(emu, tmp_path):
    injected = injected_environment(emu.url)
    job = ContainerJob(tmp_path / 'private_data_dir', injected)
    module, module_args = 'cloudnet.nic.zenlayer_vnic_attachment', 'nic_id=nic-emu-2 instance_id=ins-emu-running'

    results = host_results(job.ad_hoc(module, module_args))
    assert [event for event, _res in results] == ['runner_on_ok']
    assert results[0][1]['changed'] is True
    assert results[0][1]['network_interface']['instance_id'] == 'ins-emu-running'

    emu.clear_calls()
    results = host_results(job.ad_hoc(module, module_args))
    assert [event for event, _res in results] == ['runner_on_ok']
    assert results[0][1]['changed'] is False
    assert [call['action'] for call in emu.calls()] == ['DescribeNetworkInterfaces']

    check_secrets(job, injected)
