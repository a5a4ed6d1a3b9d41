#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ``ansible-test sanity``, ``units`` or ``integration`` on this collection, offline (only PyPI reachable).

Usage: VENV/bin/python tools/run_ansible_test.py COMMAND [ansible-test options]
       COMMAND: sanity | units | integration (e.g. ``sanity --test pep8``, ``units --python 3.11``)

The ansible-test that runs is the one beside the interpreter running this script, so a leg of the version matrix runs
it as ``.venv-2.21/bin/python tools/run_ansible_test.py sanity`` (see tools/matrix.py). What it does, and why:

1. ``HOME`` for ansible-test is ``.cache/ansible-test-home`` (git-ignored, shared by every ansible-core version), so
   its pip cache, bootstrap script and per-test virtual environments stay in the project and are reused by the next run.
2. ansible-test bootstraps pip in every venv it makes with ``get-pip.py`` downloaded from a CI host this machine
   cannot reach, unless ``~/.ansible/test/cache/get_pip_<version>.py`` exists. We write a stand-in there that uses
   the standard library's ``ensurepip`` and then upgrades pip from the package index.
3. ansible-test needs the collection at ``.../ansible_collections/<namespace>/<name>/`` and resolves the working
   directory, so a symlink does not work: the working tree (tracked files plus untracked, not ignored ones) is
   mirrored into ``.build/ansible-test/<ansible-core X.Y>/ansible_collections/<namespace>/<name>/`` (one mirror per
   ansible-core version, so legs can run side by side); its ``tests/output`` survives between runs.
4. ansible-test runs with ``--venv``. ``sanity`` without ``--python`` runs the multi-version tests (compile, import)
   on every Python the collection supports on managed nodes (SANITY_PYTHONS, tests/config.yml: 3.9+) that this
   ansible-test knows; a missing one is an error, not a skip. ``units`` and ``integration`` without ``--python`` run
   on the Python running this script. Interpreters are found by tools/pythons.py and linked into
   ``.cache/ansible-test-home/pythons`` (pyenv shims do not work inside ansible-test).

The exit status is ansible-test's: non-zero on any failure.
"""

from __future__ import annotations

import filecmp
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pythons  # noqa: E402  pylint: disable=wrong-import-position

REPO = Path(__file__).resolve().parents[1]
ANSIBLE_TEST_HOME = REPO / '.cache' / 'ansible-test-home'
MIRRORS_ROOT = REPO / '.build' / 'ansible-test'
PYTHONS_DIR = ANSIBLE_TEST_HOME / 'pythons'
# The managed-node Pythons the collection claims (tests/config.yml: >=3.9), up to the newest this machine's matrix
# covers. Sanity's compile and import tests run on each of them that the running ansible-test supports.
SANITY_PYTHONS = ('3.9', '3.10', '3.11', '3.12', '3.13')
COMMANDS = ('sanity', 'units', 'integration')
# Never mirrored when the checkout is not a git work tree (otherwise .gitignore decides).
UNVERSIONED_EXCLUDES = {'.git', '.venv', '.build', '.cache', '.pytest_cache', '__pycache__', 'htmlcov'}

GET_PIP_STAND_IN = '''\
"""Offline stand-in for get-pip.py, written by tools/run_ansible_test.py.

ansible-test runs it as ``python get_pip_X_Y.py --disable-pip-version-check pip==X.Y --no-setuptools --no-wheel``
to put pip into a new virtual environment. Bootstrap pip from the standard library, then install the requested pip
from the package index with the machine's pip configuration.
"""
import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')


def main():
    saved_environ = dict(os.environ)
    ensurepip.bootstrap()
    # ensurepip deletes PIP_* and sets PIP_CONFIG_FILE=/dev/null in this process; undo that, or pip ignores the
    # global configuration (which carries the CA bundle the index connection needs).
    os.environ.clear()
    os.environ.update(saved_environ)
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install', '--upgrade'] + args))


if __name__ == '__main__':
    main()
'''


def log(message):
    print('ansible-test: %s' % message, flush=True)


def collection_name():
    """Namespace and name from galaxy.yml (read with a regex: this script runs before anything is installed)."""
    text = (REPO / 'galaxy.yml').read_text(encoding='utf-8')
    found = {}
    for key in ('namespace', 'name'):
        match = re.search(r'^%s:\s*["\']?([A-Za-z0-9_]+)' % key, text, re.MULTILINE)
        if not match:
            sys.exit('ansible-test: galaxy.yml has no %s' % key)
        found[key] = match.group(1)
    return found['namespace'], found['name']


def ansible_test_pip_versions():
    """The pip versions ansible-test bootstraps (one per Python it supports), which name its cached get_pip_<version>.py."""
    spec = importlib.util.find_spec('ansible_test')
    source = Path(spec.origin).parent / '_internal' / 'python_requirements.py' if spec and spec.origin else None
    versions = sorted(set(re.findall(r"\bpip='([0-9.]+)'", source.read_text(encoding='utf-8')))) if source and source.exists() else []
    if not versions:
        sys.exit('ansible-test: could not read the pip version from %s' % source)
    return versions


def write_get_pip_stand_in(pip_version):
    path = ANSIBLE_TEST_HOME / '.ansible' / 'test' / 'cache' / ('get_pip_%s.py' % pip_version.replace('.', '_'))
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding='utf-8') != GET_PIP_STAND_IN:
        temporary = path.with_name('.%s.%d' % (path.name, os.getpid()))
        temporary.write_text(GET_PIP_STAND_IN, encoding='utf-8')
        os.replace(temporary, path)  # atomic: legs running side by side may write it at the same time
        log('wrote the get-pip stand-in: %s' % path)


def working_tree_files():
    """Relative paths of the files to check: tracked plus untracked-but-not-ignored, as they are on disk."""
    if (REPO / '.git').exists() and shutil.which('git'):
        listed = subprocess.run(
            ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
            cwd=REPO, capture_output=True, check=True,
        ).stdout.decode('utf-8', 'surrogateescape')
        paths = [path for path in listed.split('\0') if path]
    else:
        paths = []
        for root, dirs, files in os.walk(REPO):
            relative_root = os.path.relpath(root, REPO)
            dirs[:] = [d for d in dirs if d not in UNVERSIONED_EXCLUDES
                       and os.path.normpath(os.path.join(relative_root, d)) != os.path.join('tests', 'output')]
            for name in files:
                if not name.endswith(('.pyc', '.tar.gz')) and not name.startswith('.coverage'):
                    paths.append(os.path.normpath(os.path.join(relative_root, name)))
    return sorted(set(path for path in paths if os.path.lexists(REPO / path)))


def mirror(destination):
    """Make ``destination`` hold exactly the working tree files (leaving its tests/output alone)."""
    wanted = working_tree_files()
    wanted_set = set(wanted)
    destination.mkdir(parents=True, exist_ok=True)
    copied = 0
    for relative in wanted:
        source, target = REPO / relative, destination / relative
        if source.is_symlink():
            link = os.readlink(source)
            if target.is_symlink() and os.readlink(target) == link:
                continue
            if target.exists() or target.is_symlink():
                remove(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(link, target)
        else:
            if target.is_symlink() or target.is_dir():
                remove(target)
            if target.exists() and filecmp.cmp(source, target, shallow=False) \
                    and os.stat(source).st_mode == os.stat(target).st_mode:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        copied += 1
    removed = 0
    for root, dirs, files in os.walk(destination):
        relative_root = os.path.relpath(root, destination)
        if relative_root == 'tests' and 'output' in dirs:
            dirs.remove('output')  # ansible-test's own state: its delegation venv and results
        if '__pycache__' in dirs:
            dirs.remove('__pycache__')  # written by the tests themselves; ansible-test ignores them
        linked_dirs = [d for d in dirs if os.path.islink(os.path.join(root, d))]
        for entry in files + linked_dirs:
            relative = os.path.normpath(os.path.join(relative_root, entry))
            if relative not in wanted_set:
                remove(destination / relative)
                removed += 1
    for root, dirs, files in os.walk(destination, topdown=False):
        if Path(root) != destination and not os.listdir(root):
            os.rmdir(root)
    log('mirrored %d files into %s (%d updated, %d removed)' % (len(wanted), destination, copied, removed))


def remove(path):
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def ansible_test_pythons():
    """The Python versions the running ansible-test supports (controller and remote), newest last."""
    try:
        from ansible_test._util.target.common.constants import CONTROLLER_PYTHON_VERSIONS, REMOTE_ONLY_PYTHON_VERSIONS
    except ImportError:  # layout of another ansible-test: claim nothing beyond what we know
        return SANITY_PYTHONS
    return tuple(REMOTE_ONLY_PYTHON_VERSIONS) + tuple(CONTROLLER_PYTHON_VERSIONS)


def link_interpreters(interpreters):
    """A directory of ``pythonX.Y`` symlinks to real interpreters, to put first on ansible-test's PATH.

    Links are replaced one by one (never the directory), so legs running side by side do not disturb each other."""
    PYTHONS_DIR.mkdir(parents=True, exist_ok=True)
    for version, path in interpreters.items():
        link = PYTHONS_DIR / ('python%s' % version)
        if os.path.islink(link) and os.readlink(link) == path:
            continue
        temporary = PYTHONS_DIR / ('.python%s.%d' % (version, os.getpid()))
        os.symlink(path, temporary)
        os.replace(temporary, link)
    return PYTHONS_DIR


def has_option(argv, name):
    return any(arg == name or arg.startswith(name + '=') for arg in argv)


def main(argv):
    if not argv or argv[0] not in COMMANDS:
        sys.exit('usage: tools/run_ansible_test.py {%s} [ansible-test options]' % '|'.join(COMMANDS))
    command, options = argv[0], argv[1:]
    namespace, name = collection_name()
    ansible_test = Path(sys.executable).parent / 'ansible-test'
    if not ansible_test.exists():
        sys.exit('ansible-test: %s not found; run it through make (make sanity, make test-matrix: they install the '
                 'pinned requirements)' % ansible_test)
    from ansible import release  # pylint: disable=import-outside-toplevel
    core = '.'.join(release.__version__.split('.')[:2])

    started = time.monotonic()
    for pip_version in ansible_test_pip_versions():
        write_get_pip_stand_in(pip_version)
    destination = MIRRORS_ROOT / core / 'ansible_collections' / namespace / name
    mirror(destination)

    env = dict(os.environ)
    for variable in ('ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS', 'PYTHONPATH'):
        env.pop(variable, None)
    env['HOME'] = str(ANSIBLE_TEST_HOME)
    # Without this, ansible-test looks for version control upwards from the working directory, finds this
    # checkout's .git, asks git for the files under the (ignored) mirror and gets none: "All targets skipped".
    env['ANSIBLE_TEST_CONTENT_ROOT'] = str(destination)
    if has_option(options, '--python'):
        wanted = ()
    elif command == 'sanity':
        supported = ansible_test_pythons()
        wanted = tuple(version for version in SANITY_PYTHONS if version in supported)
    else:
        this = '%d.%d' % sys.version_info[:2]
        wanted = (this,)
        options = ['--python', this] + options
    interpreters = pythons.require(wanted, 'ansible-test %s %s' % (core, command)) if wanted else {}
    interpreters['%d.%d' % sys.version_info[:2]] = os.path.realpath(sys.executable)
    path = [str(link_interpreters(interpreters)), str(Path(sys.executable).parent)] + env.get('PATH', os.defpath).split(os.pathsep)
    env['PATH'] = os.pathsep.join(path)
    if wanted:
        log('interpreters: %s' % ', '.join('%s=%s' % (version, interpreters[version]) for version in wanted))

    argv = [str(ansible_test), command, '--venv'] + options
    log('ansible-core %s, running in %s: %s' % (release.__version__, destination, ' '.join(argv)))
    rc = subprocess.call(argv, cwd=destination, env=env, stdin=subprocess.DEVNULL)
    log('%s %s after %.0f s (exit status %d)' % (command, 'passed' if rc == 0 else 'FAILED', time.monotonic() - started, rc))
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
