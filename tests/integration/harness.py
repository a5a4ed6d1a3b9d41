# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers that run the real modules through ``ansible`` and ``ansible-playbook`` against the emulator.

Every run's full output is searched for every secret in use; a hit fails the test that made the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / '.build' / 'collections'
sys.path.insert(0, str(REPO / 'tests' / 'emulator'))

from control import Emulator  # noqa: E402  pylint: disable=wrong-import-position

BIN = Path(sys.executable).parent
ECS_KEY_ID = 'LTAI5tEMULATOR0001'
ECS_SECRET = 'emulator-secret-0001'
ZEC_KEY_ID = 'ZLEMULATORKEY0001'
ZEC_PASSWORD = 'emulator-password-0001'
SECRETS = (ECS_SECRET, ZEC_PASSWORD, 'emulator-sts-secret-0001', 'emulator-sts-token-0001')
CLOUD_ENV_PREFIXES = ('ALIBABA_CLOUD_', 'ALICLOUD_', 'ZENLAYERCLOUD_')


def start_emulator(**settings):
    """A running emulator (a context manager); ``settings`` as for ``control.Emulator.start``."""
    return Emulator.start(**settings)


class Run:
    """One finished ``ansible``/``ansible-playbook`` process."""

    def __init__(self, completed):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.output = completed.stdout + completed.stderr

    def result(self, host='localhost'):
        """The module result of an ad-hoc run, parsed from the ``host | STATUS => {...}`` line."""
        marker = '%s | ' % host
        start = self.stdout.rfind(marker)
        assert start >= 0, 'no result for %s in:\n%s\n%s' % (host, self.stdout, self.stderr)
        arrow = self.stdout.index(' => ', start)
        status = self.stdout[start + len(marker):arrow].strip()
        result, _end = json.JSONDecoder().raw_decode(self.stdout[arrow + 4:])
        # ansible-core 2.19 drops ``failed`` from the printed result; the status word still says it.
        result.setdefault('failed', status.startswith(('FAILED', 'UNREACHABLE')))
        return result


def base_env(emulator_url, extra=None):
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith(CLOUD_ENV_PREFIXES))
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_FORCE_COLOR='0',
        ANSIBLE_RETRY_FILES_ENABLED='0',
        ANSIBLE_DEPRECATION_WARNINGS='0',
        ANSIBLE_LOCALHOST_WARNING='0',
        ANSIBLE_INVENTORY_UNPARSED_WARNING='0',
        ANSIBLE_HOME=str(Path(tempfile.gettempdir()) / 'cloudnet-nic-ansible-home'),
        ALIBABA_CLOUD_ACCESS_KEY_ID=ECS_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=ECS_SECRET,
        ALIBABA_CLOUD_REGION_ID='cn-hangzhou',
        ALIBABA_CLOUD_ENDPOINT_ECS=emulator_url,
        ZENLAYERCLOUD_ACCESS_KEY_ID=ZEC_KEY_ID,
        ZENLAYERCLOUD_ACCESS_KEY_PASSWORD=ZEC_PASSWORD,
        ZENLAYERCLOUD_ENDPOINT=emulator_url,
    )
    env.update(extra or {})
    return env


def assert_no_secret(text, secrets=SECRETS):
    leaked = [secret for secret in secrets if secret and secret in text]
    assert not leaked, 'secret(s) leaked into the output: %d hit(s)' % len(leaked)


class Ansible:
    """Runs ``ansible`` ad-hoc commands and playbooks on localhost against one emulator."""

    def __init__(self, emulator, tmp_path):
        self.emulator = emulator
        self.tmp_path = tmp_path
        self.extra_secrets = []

    def _run(self, argv, env_extra=None, env_drop=()):
        env = base_env(self.emulator.url, env_extra)
        for name in env_drop:
            env.pop(name, None)
        completed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False, cwd=str(self.tmp_path))
        run = Run(completed)
        assert_no_secret(run.output, SECRETS + tuple(self.extra_secrets))
        assert 'Traceback (most recent call last)' not in run.output, run.output
        return run

    def adhoc(self, module, args, check=False, diff=False, verbosity=0, env=None, env_drop=()):
        argv = [str(BIN / 'ansible'), 'localhost', '-c', 'local', '-i', 'localhost,', '-m', module, '-a', json.dumps(args)]
        argv += ['--check'] * check + ['--diff'] * diff + (['-' + 'v' * verbosity] if verbosity else [])
        return self._run(argv, env, env_drop)

    def playbook(self, text, extra_vars=None, check=False, diff=False, verbosity=0, env=None, env_drop=(), inventory=None):
        """``inventory``: an inventory as data (written as YAML), instead of localhost alone."""
        path = self.tmp_path / 'playbook.yml'
        path.write_text(text)
        hosts = 'localhost,'
        if inventory is not None:
            hosts = str(self.tmp_path / 'inventory.yml')
            Path(hosts).write_text(yaml.safe_dump(inventory))
        argv = [str(BIN / 'ansible-playbook'), '-c', 'local', '-i', hosts, str(path)]
        if extra_vars:
            argv += ['-e', json.dumps(extra_vars)]
        argv += ['--check'] * check + ['--diff'] * diff + (['-' + 'v' * verbosity] if verbosity else [])
        return self._run(argv, env, env_drop)
