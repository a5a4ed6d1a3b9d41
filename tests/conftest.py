# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Session-wide setup: make ``ansible_collections.cloudnet.nic`` importable from this checkout.

Ansible finds a collection only under ``<path>/ansible_collections/<namespace>/<name>``. When the checkout is not
already at such a path, ``.build/collections/ansible_collections/cloudnet/nic`` (git-ignored) is a symlink to it.
This module puts that path on ``ANSIBLE_COLLECTIONS_PATH`` (for the ``ansible`` processes the integration tests start)
and installs Ansible's own collection finder on it, as ``ansible-test units`` does, unless a finder is installed
already. So plain ``pytest`` needs no plugin (with pytest-ansible's ``--ansible-unit-inject-only``, as the 2.21 leg runs
the unit tests, its finder is used), and under ``ansible-test units`` (the
collection in a real ``ansible_collections`` tree) ansible-test's finder takes over. Tests and their shared helpers
import the collection as ``from ansible_collections.cloudnet.nic.plugins.module_utils import client`` and
``from ansible_collections.cloudnet.nic.tests.unit.plugins.modules import decision_table``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


def _collection_name():
    with open(REPO / 'galaxy.yml', encoding='utf-8') as galaxy:
        info = yaml.safe_load(galaxy)
    return info['namespace'], info['name']


def _collections_path():
    """The directory holding ``ansible_collections/`` for this checkout, creating the symlink when needed."""
    namespace, name = _collection_name()
    if REPO.parts[-3:] == ('ansible_collections', namespace, name):
        return REPO.parents[2]  # a real collection tree (ansible-test, a CI checkout)
    collections = REPO / '.build' / 'collections'
    link = collections / 'ansible_collections' / namespace / name
    if not os.path.lexists(link):
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.path.relpath(REPO, link.parent), link)
    return collections


COLLECTIONS_PATH = _collections_path()
_configured = os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep)
if str(COLLECTIONS_PATH) not in _configured:
    os.environ['ANSIBLE_COLLECTIONS_PATH'] = os.pathsep.join([str(COLLECTIONS_PATH)] + [p for p in _configured if p])


def _install_collection_finder():
    """Ansible's collection finder on COLLECTIONS_PATH, unless one is configured (ansible-test, pytest-ansible)."""
    # pylint: disable=import-outside-toplevel
    from ansible.utils.collection_loader import AnsibleCollectionConfig
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
    if AnsibleCollectionConfig.collection_finder is None:
        _AnsibleCollectionFinder(paths=[str(COLLECTIONS_PATH)])._install()  # pylint: disable=protected-access


_install_collection_finder()


@pytest.fixture(scope='session')
def collection_root():
    """The collection's source tree (this checkout)."""
    return REPO


@pytest.fixture(scope='session')
def collections_path():
    """The directory to use as ``ANSIBLE_COLLECTIONS_PATH`` for ``ansible``/``ansible-playbook`` runs."""
    return COLLECTIONS_PATH
