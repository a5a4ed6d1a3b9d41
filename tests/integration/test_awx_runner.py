# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/awx.md, run as AWX runs a job: through ansible-runner, with credentials injected as environment variables.

The credential types, the inventory's host variables and the playbook are read from docs/awx.md. Each credential's
injectors are rendered the way AWX renders them (a sandboxed Jinja2 environment, only non-empty inputs defined), and
the job runs with ``ansible_runner.run(private_data_dir=...)`` against the emulator of both clouds. The tests check
that the injectors set exactly the variables the modules read, that the job events show the attach ``changed`` and
then ``ok``, and that no secret is in any event or in any file ansible-runner writes under the private data dir.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import yaml

import docblocks
from harness import ECS_KEY_ID, ECS_SECRET, ZEC_KEY_ID, ZEC_PASSWORD

ansible_runner = pytest.importorskip('ansible_runner')
sandbox = pytest.importorskip('jinja2.sandbox')

from ansible_collections.cloudnet.nic.plugins.module_utils import alicloud, zenlayer  # noqa: E402  pylint: disable=wrong-import-position

DOC = 'docs/awx.md'
CLOUD_ENV_PREFIXES = ('ALIBABA_CLOUD_', 'ALICLOUD_', 'ZENLAYERCLOUD_')
STS_KEY_ID = 'STS.EMULATOR0001'
STS_SECRET = 'emulator-sts-secret-0001'
STS_TOKEN = 'emulator-sts-token-0001'
TASKS = {
    'alicloud': 'Alibaba Cloud ECS - attach or detach the ENI',
    'zenlayer': 'Zenlayer ZEC - attach or detach the vNIC',
}
EMULATOR_CLOUD = {'alicloud': 'ecs', 'zenlayer': 'zec'}


def credential_type(cloud):
    """``{'inputs': ..., 'injectors': ...}`` as pasted from docs/awx.md into AWX."""
    return {'inputs': docblocks.load(DOC, '%s inputs' % cloud), 'injectors': docblocks.load(DOC, '%s injectors' % cloud)}


def module_utils(cloud):
    return {'alicloud': alicloud, 'zenlayer': zenlayer}[cloud]


def render_injectors(cred_type, inputs):
    """The environment AWX injects for a credential with these ``inputs`` (awx CredentialType.inject_credential).

    AWX puts only the inputs that have a value into the template namespace, so an optional field left empty renders
    as an empty string, and it sets every variable of the ``env`` injector.
    """
    fields = dict((field['id'], field) for field in cred_type['inputs']['fields'])
    assert set(inputs) <= set(fields), sorted(set(inputs) - set(fields))
    missing = [name for name in cred_type['inputs'].get('required', []) if not inputs.get(name)]
    assert not missing, 'AWX would refuse this credential: required input(s) %s missing' % missing
    namespace = dict((name, value) for name, value in inputs.items() if value)
    environment = sandbox.ImmutableSandboxedEnvironment()
    return dict((name, environment.from_string(template).render(**namespace))
                for name, template in cred_type['injectors']['env'].items())


def credentials(emulator_url):
    """The AWX credentials of the jobs below: ``{name: (cloud, inputs, secrets)}``."""
    return {
        'alicloud-accesskey': ('alicloud', dict(access_key_id=ECS_KEY_ID, access_key_secret=ECS_SECRET, region='cn-hangzhou',
                                                endpoint=emulator_url), (ECS_SECRET,)),
        'alicloud-sts': ('alicloud', dict(access_key_id=STS_KEY_ID, access_key_secret=STS_SECRET, security_token=STS_TOKEN,
                                          region='cn-hangzhou', endpoint=emulator_url), (STS_SECRET, STS_TOKEN)),
        'zenlayer': ('zenlayer', dict(access_key_id=ZEC_KEY_ID, access_key_password=ZEC_PASSWORD, endpoint=emulator_url), (ZEC_PASSWORD,)),
    }


# --- the credential types against the modules -------------------------------------------------------------------


@pytest.mark.parametrize('cloud', ['alicloud', 'zenlayer'])
def test_injectors_set_exactly_the_variables_the_modules_read(cloud):
    utils = module_utils(cloud)
    injected = set(credential_type(cloud)['injectors']['env'])
    # One variable per connection option, the first (preferred) name of the option's env fallbacks.
    assert injected == set(names[0] for names in utils.ENV.values())


@pytest.mark.parametrize('cloud', ['alicloud', 'zenlayer'])
def test_each_injector_passes_one_input_and_secrets_are_secret(cloud):
    cred_type = credential_type(cloud)
    utils = module_utils(cloud)
    fields = dict((field['id'], field) for field in cred_type['inputs']['fields'])
    spec = utils.connection_argument_spec()
    for variable, template in cred_type['injectors']['env'].items():
        option = next(option for option, names in utils.ENV.items() if names[0] == variable)
        # the input feeding an option has the option's name, and it is the template's only content
        assert template == '{{ %s }}' % option, (variable, template)
        assert option in fields
        assert bool(fields[option].get('secret')) == bool(spec[option].get('no_log')), option
    assert set(fields) == set(utils.ENV), 'every input is injected, every connection option has an input'
    assert set(cred_type['inputs']['required']) == set(name for name in fields if name.startswith('access_key'))


# --- a job, as AWX runs it ------------------------------------------------------------------------------------------


class Job:
    """One private data dir for a job template's runs, laid out as AWX lays it out for ansible-runner."""

    def __init__(self, path, env):
        self.path = path
        self.env = env
        self.runs = []
        (path / 'project').mkdir(parents=True)
        (path / 'inventory').mkdir()
        (path / 'project' / 'attach.yml').write_text(docblocks.texts(DOC)['attach.yml'], encoding='utf-8')
        host_vars = docblocks.load(DOC, 'localhost host variables')
        inventory = {'all': {'hosts': {'localhost': host_vars}}}
        (path / 'inventory' / 'hosts.yml').write_text(yaml.safe_dump(inventory), encoding='utf-8')

    def launch(self, verbosity=0, **survey):
        """Run the job template once; ``verbosity`` is its Verbosity field (3: -vvv, module arguments shown)."""
        ident = 'job-%d' % (len(self.runs) + 1)
        runner = ansible_runner.run(
            private_data_dir=str(self.path), ident=ident, playbook='attach.yml', inventory=str(self.path / 'inventory'),
            envvars=self.env, extravars=survey, verbosity=verbosity or None, suppress_env_files=True, quiet=True,
            settings={'job_timeout': 240},
        )
        self.runs.append(runner)
        events = list(runner.events)
        assert runner.status == 'successful' and runner.rc == 0, json.dumps([e.get('stdout') for e in events], indent=1)
        return runner, events


def task_results(events, task):
    """``[(event, res)]`` of the host events of ``task``."""
    return [(event['event'], event['event_data'].get('res', {})) for event in events
            if event['event'].startswith('runner_on_') and event['event'] != 'runner_on_start'
            and event.get('event_data', {}).get('task') == task]


def job_env(tmp_path, monkeypatch, collections_path, injected):
    """ansible-runner starts from this process's environment plus ``envvars``, as a job starts in the EE."""
    for name in list(os.environ):
        if name.startswith(CLOUD_ENV_PREFIXES):
            monkeypatch.delenv(name)
    env = {
        # the EE's ansible-playbook and the collection's path (in an EE: /usr/share/ansible/collections)
        'PATH': '%s:%s' % (Path(sys.executable).parent, os.environ.get('PATH', '')),
        'ANSIBLE_COLLECTIONS_PATH': str(collections_path),
        'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
        'ANSIBLE_REMOTE_TMP': str(tmp_path / 'ansible-home' / 'tmp'),
        'ANSIBLE_NOCOLOR': '1',
    }
    env.update(injected)
    return env


def scan_private_data_dir(path, secrets, injected):
    """Every file under ``path``: no secret, except the injected values in ``artifacts/*/command``'s ``env`` (and, with
    process isolation, in ``artifacts/*/env.list``).

    ``command`` is ansible-runner's record of the environment it ran with (AWX keeps a masked copy and removes the
    directory; docs/awx.md says so); its command line and working directory must not hold a secret either.
    """
    files = sorted(file for file in path.rglob('*') if file.is_file())
    assert files
    for file in files:
        text = file.read_text(encoding='utf-8', errors='replace')
        if file.name == 'command' and file.parent.parent.name == 'artifacts':
            record = json.loads(text)
            assert all(record['env'].get(name) == value for name, value in injected.items())
            record.pop('env')
            text = json.dumps(record)
        elif file.name == 'env.list' and file.parent.parent.name == 'artifacts':
            # with process isolation (tests/ee), the same environment as podman's --env-file, one NAME=value a line
            pairs = [tuple(line.split('=', 1)) for line in text.splitlines() if '=' in line]
            assert not [name for name, value in injected.items() if (name, value) not in pairs]
            text = '\n'.join('%s=%s' % pair for pair in pairs if pair not in injected.items())
        leaked = sum(secret in text for secret in secrets)  # a count: a failing assert must not print the secret
        assert not leaked, '%s holds a secret (%d hit(s))' % (file.relative_to(path), leaked)
    assert not [file for file in files if file.parent.name == 'env'], 'suppress_env_files: nothing is written to env/'
    return files


JOBS = [
    # (job, credentials attached to the job template, survey)
    ('alicloud', ('alicloud-accesskey', 'zenlayer'), dict(nic_cloud='alicloud', nic_interface_id='eni-emu-1', nic_instance_id='i-emu-running')),
    ('alicloud-sts', ('alicloud-sts', 'zenlayer'), dict(nic_cloud='alicloud', nic_interface_id='eni-emu-1', nic_instance_id='i-emu-running')),
    ('zenlayer', ('alicloud-accesskey', 'zenlayer'), dict(nic_cloud='zenlayer', nic_interface_id='nic-emu-1', nic_instance_id='ins-emu-running')),
]


@pytest.mark.parametrize('attached, survey', [job[1:] for job in JOBS], ids=[job[0] for job in JOBS])
def test_job_attaches_then_is_ok_and_keeps_every_secret_out_of_its_files(emu, tmp_path, monkeypatch, collections_path, attached, survey):
    creds = credentials(emu.url)
    injected, secrets = {}, []
    for name in attached:
        cloud, inputs, cred_secrets = creds[name]
        injected.update(render_injectors(credential_type(cloud), inputs))
        secrets.extend(cred_secrets)
    job = Job(tmp_path / 'private_data_dir', job_env(tmp_path, monkeypatch, collections_path, injected))
    cloud = survey['nic_cloud']
    other = next(name for name in TASKS if name != cloud)

    _runner, first = job.launch(**survey)
    results = task_results(first, TASKS[cloud])
    assert [event for event, _res in results] == ['runner_on_ok']
    attach = results[0][1]
    assert attach['changed'] is True
    assert attach['network_interface']['instance_id'] == survey['nic_instance_id']
    assert [event for event, _res in task_results(first, TASKS[other])] == ['runner_on_skipped']
    assert emu.calls(cloud=EMULATOR_CLOUD[cloud]), 'the job called the emulator, which verified the signatures'

    emu.clear_calls()
    _runner, second = job.launch(verbosity=3, **survey)
    results = task_results(second, TASKS[cloud])
    assert [event for event, _res in results] == ['runner_on_ok']
    assert results[0][1]['changed'] is False
    assert [call['action'] for call in emu.calls(cloud=EMULATOR_CLOUD[cloud])] == ['DescribeNetworkInterfaces']

    for runner in job.runs:
        for event in runner.events:
            leaked = sum(secret in json.dumps(event) for secret in secrets)
            assert not leaked, 'a job event of %s holds a secret' % runner.config.ident
    files = scan_private_data_dir(job.path, secrets, injected)
    names = set(file.relative_to(job.path).as_posix() for file in files)
    assert 'ESTABLISH LOCAL CONNECTION' in (job.path / 'artifacts' / 'job-2' / 'stdout').read_text(encoding='utf-8')
    for ident in ('job-1', 'job-2'):
        assert {'artifacts/%s/stdout' % ident, 'artifacts/%s/status' % ident, 'artifacts/%s/rc' % ident} <= names
        assert any(name.startswith('artifacts/%s/job_events/' % ident) for name in names)


def test_optional_fields_left_empty_are_taken_as_unset(emu, tmp_path, monkeypatch, collections_path):
    """AWX injects an empty string for an optional input left empty: the modules must read that as not set.

    The task is refused before any API call (an id no cloud has), so the default endpoints are never contacted; what
    matters is that the message names only that id, not the empty endpoint or the empty STS token.
    """
    alicloud_env = render_injectors(credential_type('alicloud'), dict(access_key_id=ECS_KEY_ID, access_key_secret=ECS_SECRET, region='cn-hangzhou'))
    zenlayer_env = render_injectors(credential_type('zenlayer'), dict(access_key_id=ZEC_KEY_ID, access_key_password=ZEC_PASSWORD))
    assert alicloud_env['ALIBABA_CLOUD_ENDPOINT_ECS'] == alicloud_env['ALIBABA_CLOUD_SECURITY_TOKEN'] == ''
    assert zenlayer_env['ZENLAYERCLOUD_ENDPOINT'] == ''
    job = Job(tmp_path / 'private_data_dir', job_env(tmp_path, monkeypatch, collections_path, dict(alicloud_env, **zenlayer_env)))
    for survey, task in ((dict(nic_cloud='alicloud', nic_interface_id='not an id', nic_instance_id='i-emu-running'), TASKS['alicloud']),
                         (dict(nic_cloud='zenlayer', nic_interface_id='not an id', nic_instance_id='ins-emu-running'), TASKS['zenlayer'])):
        runner = ansible_runner.run(
            private_data_dir=str(job.path), ident='refused-%s' % survey['nic_cloud'], playbook='attach.yml',
            inventory=str(job.path / 'inventory'), envvars=job.env, extravars=survey, suppress_env_files=True, quiet=True,
        )
        results = task_results(list(runner.events), task)
        assert [event for event, _res in results] == ['runner_on_failed']
        message = results[0][1]['msg']
        assert 'not an id' in message
        assert 'endpoint' not in message and 'security_token' not in message, message
    assert emu.calls() == []
