# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The execution environment of docs/awx.md: ``ansible-builder create`` makes a valid build context for it.

No container runtime is needed: the test creates the context, then runs the two build stages that concern the
collection the way the generated Containerfile runs them. The galaxy stage installs the collections of the context's
requirements.yml, and the builder stage runs the context's introspect.py over them: it must name the collection's
requirements, requests (requirements.txt) and its system packages (meta/ee-bindep.txt: none).

The definition pins the ansible-core and ansible-runner of tests/constraints.txt, and ``make ee`` (tools/ee.py) builds
exactly this definition: only the base image differs, plus two options on its Debian base. ``make test-ee``
(tests/ee/test_ee.py) runs the job template inside the image it builds.
"""

from __future__ import annotations

import copy
import filecmp
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import docblocks
import release

pytest.importorskip('ansible_builder')

REPO = release.REPO
DOC = 'docs/awx.md'


def requirement_lines(path):
    return [line.strip() for line in path.read_text(encoding='utf-8').splitlines() if line.strip() and not line.lstrip().startswith('#')]


@pytest.fixture(scope='module')
def context(tmp_path_factory):
    """The build context that ``ansible-builder create`` makes from docs/awx.md's EE definition and the tarball."""
    work = tmp_path_factory.mktemp('ee')
    tarball = release.build(work / 'dist')
    (work / 'execution-environment.yml').write_text(docblocks.texts(DOC)['execution-environment.yml'], encoding='utf-8')
    shutil.copy(tarball, work / tarball.name)
    completed = subprocess.run(
        [str(Path(sys.executable).parent / 'ansible-builder'), 'create', '--file', 'execution-environment.yml', '--context', 'context', '-v', '3'],
        cwd=str(work), capture_output=True, text=True, timeout=300, check=False, stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return work / 'context', tarball


def test_the_ee_definition_takes_this_release(context):
    _context, tarball = context
    definition = docblocks.load(DOC, 'execution-environment.yml')
    assert definition['version'] == 3
    sources = [entry['src'] for entry in definition['additional_build_files']]
    collections = [entry['name'] for entry in definition['dependencies']['galaxy']['collections']]
    # docs/awx.md names the tarball of galaxy.yml's version: bump both together
    assert sources == [tarball.name] and collections == ['collections/%s' % tarball.name]


def test_the_context_builds_an_image_with_the_collection(context):
    directory, tarball = context
    containerfile = next((directory / name for name in ('Containerfile', 'Dockerfile') if (directory / name).exists()), None)
    assert containerfile is not None, sorted(path.name for path in directory.iterdir())
    text = containerfile.read_text(encoding='utf-8')
    assert re.search(r'^COPY _build /build$', text, re.MULTILINE)
    assert re.search(r'ansible-galaxy collection install .*-r requirements.yml', text)
    assert re.search(r'introspect\.py introspect .*--write-pip=', text)
    assert filecmp.cmp(directory / '_build' / 'collections' / tarball.name, tarball, shallow=False)
    requirements = yaml.safe_load((directory / '_build' / 'requirements.yml').read_text(encoding='utf-8'))
    assert requirements['collections'] == [{'name': 'collections/%s' % tarball.name, 'type': 'file'}]


def test_the_builder_stage_finds_the_collections_requirements(context, tmp_path):
    directory, _tarball = context
    # galaxy stage: WORKDIR /build (the context's _build), install requirements.yml
    collections = tmp_path / 'usr-share-ansible-collections'
    installed = release.install(directory / '_build' / 'requirements.yml', collections, cwd=directory / '_build', requirements=True)
    # builder stage: the context's own introspect.py over the installed collections
    written_pip, written_bindep = tmp_path / 'src' / 'requirements.txt', tmp_path / 'src' / 'bindep.txt'
    completed = subprocess.run(
        [sys.executable, str(directory / '_build' / 'scripts' / 'introspect.py'), 'introspect', str(collections),
         '--write-pip=%s' % written_pip, '--write-bindep=%s' % written_bindep],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    found = yaml.safe_load(completed.stdout.split('---', 1)[1])

    meta = yaml.safe_load((installed / 'meta' / 'execution-environment.yml').read_text(encoding='utf-8'))
    python_file, system_file = installed / meta['dependencies']['python'], installed / meta['dependencies']['system']
    expected_python = requirement_lines(python_file)
    assert 'requests' in ' '.join(expected_python)
    assert [line.split('#')[0].strip() for line in found['python']] == expected_python
    assert all(line.endswith('# from collection cloudnet.nic') for line in found['python'])
    assert requirement_lines(written_pip) == found['python']
    # no system package: bindep has nothing to install, and the stage writes no bindep.txt
    assert requirement_lines(system_file) == []
    assert found['system'] == []
    assert not written_bindep.exists()


def test_the_ee_definition_installs_the_tested_ansible():
    """docs/awx.md's EE gets the ansible-core and ansible-runner the tests run with (tests/constraints.txt)."""
    dependencies = docblocks.load(DOC, 'execution-environment.yml')['dependencies']
    pins = dict(line.split('==', 1) for line in requirement_lines(REPO / 'tests' / 'constraints.txt') if '==' in line)
    for key, name in (('ansible_core', 'ansible-core'), ('ansible_runner', 'ansible-runner')):
        assert dependencies[key]['package_pip'] == '%s==%s' % (name, pins[name])


def ee_tool():
    """tools/ee.py (``make ee``), or a skip where tools/ is not shipped (the release tarball)."""
    path = REPO / 'tools' / 'ee.py'
    if not path.exists():
        pytest.skip('tools/ (a development folder) is not shipped in the release tarball')
    spec = importlib.util.spec_from_file_location('cloudnet_nic_ee_tool', str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_ee_builds_the_documented_definition():
    """``make ee`` builds docs/awx.md's definition: only the base image differs, plus DEBIAN_OPTIONS on the local base."""
    tool = ee_tool()
    documented = docblocks.load(DOC, 'execution-environment.yml')
    other = copy.deepcopy(documented)
    other['images']['base_image']['name'] = 'registry.example.com/ee-base:1'
    assert tool.definition('registry.example.com/ee-base:1') == other

    local = tool.definition(tool.LOCAL_BASE)
    assert local['images']['base_image']['name'] == tool.LOCAL_BASE
    assert local.pop('options') == dict(documented.get('options', {}), **tool.DEBIAN_OPTIONS)
    assert set(tool.DEBIAN_OPTIONS) == {'package_manager_path', 'skip_pip_install'}
    documented.pop('options', None)
    local['images']['base_image']['name'] = documented['images']['base_image']['name']
    assert local == documented
