# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The release tarball: built from the working tree, free of development files, complete, and working once installed.

The installed copy runs the README's demo (examples/demo.yml) against the emulator it ships (tests/emulator), with the
credentials and endpoints in the environment as ``make demo`` (tools/demo.py) passes them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

import release

REPO = release.REPO
# Path components and file names that are development state, caches or tooling, never content of a release.
DEV_DIRS = {
    '.venv', '.build', '.cache', '.git', '.github', '.ci', '.ansible', '__pycache__', '.pytest_cache', '.mypy_cache',
    '.ruff_cache', '.tox', '.nox', 'htmlcov', '.idea', '.vscode', 'tools', 'benchmarks',
}
DEV_FILES = {'Makefile', 'pytest.ini', 'pyproject.toml', '.gitignore', '.ansible-lint', '.coveragerc', 'coverage.xml'}
DEV_SUFFIXES = ('.pyc', '.pyo', '.tar.gz', '.swp', '~', '.orig', '.rej')


def demo_module():
    """tools/demo.py, for the environment ``make demo`` runs the demo with."""
    spec = importlib.util.spec_from_file_location('cloudnet_nic_demo', str(REPO / 'tools' / 'demo.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def emulator_class(installed):
    """``Emulator`` of the installed copy's tests/emulator/control.py (it starts the server.py beside it)."""
    spec = importlib.util.spec_from_file_location('cloudnet_nic_installed_control', str(installed / 'tests' / 'emulator' / 'control.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Emulator


def is_dev_file(name):
    parts = name.split('/')
    return bool(
        DEV_DIRS.intersection(parts)
        or any(part.startswith(('.venv-', '.coverage')) for part in parts)
        or parts[-1] in DEV_FILES
        or parts[-1].endswith(DEV_SUFFIXES)
        or name.startswith('tests/output')
        or name == 'docs/CONTRACT-dev.md'
    )


def git_ignored(names):
    """The names that .gitignore ignores, when this is a git work tree (an rsync'd copy with .git, a clone)."""
    if not (REPO / '.git').exists() or not shutil.which('git'):
        return []
    completed = subprocess.run(['git', 'check-ignore', '--no-index', '--stdin'], cwd=str(REPO), input='\n'.join(names),
                               capture_output=True, text=True, check=False)
    assert completed.returncode in (0, 1), completed.stderr
    return completed.stdout.split()


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    return release.build(tmp_path_factory.mktemp('dist'))


def test_the_tarball_holds_no_development_file(tarball):
    names = sorted(release.members(tarball))
    assert not [name for name in names if is_dev_file(name)]
    assert not git_ignored(names), 'git-ignored files in the release'
    links = [name for name, member in release.members(tarball).items() if member.issym() or member.islnk()]
    assert not links


def test_the_tarball_holds_the_whole_collection(tarball):
    names = set(release.members(tarball))
    plugins = set(path.relative_to(REPO).as_posix() for path in (REPO / 'plugins').rglob('*.py') if '__pycache__' not in path.parts)
    assert plugins and plugins <= names, sorted(plugins - names)
    ee = yaml.safe_load((REPO / 'meta' / 'execution-environment.yml').read_text(encoding='utf-8'))
    needed = {
        'MANIFEST.json', 'FILES.json', 'README.md', 'COPYING', 'requirements.txt', 'meta/runtime.yml', 'meta/execution-environment.yml',
        'changelogs/changelog.yaml', 'changelogs/config.yaml', 'examples/demo.yml', 'docs/awx.md',
        'tests/emulator/server.py', 'tests/emulator/control.py', 'tests/emulator/default_state.json',
    }
    needed.update(ee['dependencies'].values())
    assert needed <= names, sorted(needed - names)
    with tarfile.open(tarball) as archive:
        manifest = json.load(archive.extractfile('MANIFEST.json'))
    info = release.galaxy()
    assert (manifest['collection_info']['namespace'], manifest['collection_info']['name'], manifest['collection_info']['version']) == (
        info['namespace'], info['name'], info['version'])


def test_the_installed_collection_runs_the_demo_against_its_own_emulator(tarball, tmp_path):
    collections = tmp_path / 'collections'
    installed = release.install(tarball, collections, cwd=tmp_path)
    demo = demo_module()
    playbook = installed / 'examples' / 'demo.yml'
    assert playbook.is_file()

    with emulator_class(installed).start(attach_delay=0.2, detach_delay=0.2) as emulator:
        env = dict((key, value) for key, value in os.environ.items() if not key.startswith(demo.DROPPED_PREFIXES))
        env.update(demo.DEMO_ENVIRONMENT)
        env.update(
            ALIBABA_CLOUD_ENDPOINT_ECS=emulator.url,
            ZENLAYERCLOUD_ENDPOINT=emulator.url,
            ANSIBLE_COLLECTIONS_PATH=str(collections),  # the installed copy only, not the checkout
            ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
            ANSIBLE_HOME=str(tmp_path / 'ansible-home'),
            ANSIBLE_REMOTE_TMP=str(tmp_path / 'ansible-home' / 'tmp'),
            ANSIBLE_NOCOLOR='1',
            ANSIBLE_LOCALHOST_WARNING='false',
            ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
        )
        command = [
            str(Path(sys.executable).parent / 'ansible-playbook'), str(playbook), '-i', 'localhost,', '-c', 'local',
            '-e', 'ansible_python_interpreter=%s' % sys.executable, '-vvv',
        ]
        completed = subprocess.run(command, cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300,
                                   check=False, stdin=subprocess.DEVNULL)
        calls = emulator.calls()
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    assert 'failed=0' in output
    module_files = [line for line in output.splitlines() if line.startswith('Using module file ')]
    assert module_files and all(str(installed) in line for line in module_files), module_files
    assert set(call['cloud'] for call in calls) == {'ecs', 'zec'}
