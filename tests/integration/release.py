# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build and install the collection as a release: ``ansible-galaxy collection build`` and ``install``, offline."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# ansible-galaxy keeps a cache in ANSIBLE_HOME (~/.ansible by default): the tests' own, as in harness.py
ANSIBLE_HOME = Path(tempfile.gettempdir()) / 'cloudnet-nic-ansible-home'


def galaxy():
    return yaml.safe_load((REPO / 'galaxy.yml').read_text(encoding='utf-8'))


def tarball_name():
    info = galaxy()
    return '%s-%s-%s.tar.gz' % (info['namespace'], info['name'], info['version'])


def galaxy_command(argv, cwd):
    env = dict(os.environ, ANSIBLE_HOME=str(ANSIBLE_HOME), ANSIBLE_NOCOLOR='1')
    completed = subprocess.run([str(BIN / 'ansible-galaxy')] + argv, cwd=str(cwd), env=env, capture_output=True, text=True,
                               timeout=300, check=False, stdin=subprocess.DEVNULL)
    assert completed.returncode == 0, 'ansible-galaxy %s failed:\n%s\n%s' % (' '.join(argv), completed.stdout, completed.stderr)
    return completed


def build(output_dir):
    """The release tarball of the working tree, built into ``output_dir``."""
    galaxy_command(['collection', 'build', '--force', '--output-path', str(output_dir)], cwd=REPO)
    tarball = Path(output_dir) / tarball_name()
    assert tarball.is_file(), sorted(path.name for path in Path(output_dir).iterdir())
    return tarball


def members(tarball):
    """``{name: TarInfo}`` of the tarball, names without a leading ``./`` or trailing ``/``."""
    with tarfile.open(tarball) as archive:
        return dict((member.name.lstrip('./').rstrip('/'), member) for member in archive.getmembers() if member.name not in ('.', './'))


def install(tarball_or_requirements, collections_path, cwd, requirements=False):
    """``ansible-galaxy collection install`` into ``collections_path`` without contacting any server."""
    source = ['-r', str(tarball_or_requirements)] if requirements else [str(tarball_or_requirements)]
    galaxy_command(['collection', 'install', '--offline', '--force', '-p', str(collections_path)] + source, cwd=cwd)
    info = galaxy()
    installed = Path(collections_path) / 'ansible_collections' / info['namespace'] / info['name']
    assert (installed / 'MANIFEST.json').is_file()
    return installed
