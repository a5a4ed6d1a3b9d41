#!/usr/bin/env python
"""Run ``ansible-test sanity`` on this collection, offline (only PyPI reachable), with no ignore file.

Usage: tools/sanity.py [ansible-test sanity options, e.g. --test pep8 -v, or --python 3.11 for one Python only]

What it does, and why:

1. ``HOME`` for ansible-test is ``.cache/ansible-test-home`` (git-ignored), so its pip cache, bootstrap script and
   per-test virtual environments stay in the project and are reused by the next run.
2. ansible-test bootstraps pip in every venv it makes with ``get-pip.py`` downloaded from a CI host this machine
   cannot reach, unless ``~/.ansible/test/cache/get_pip_<version>.py`` exists. We write a stand-in there that uses
   the standard library's ``ensurepip`` and then upgrades pip from the package index.
3. ansible-test needs the collection at ``.../ansible_collections/<namespace>/<name>/`` and resolves the working
   directory, so a symlink does not work: the working tree (tracked files plus untracked, not ignored ones) is
   mirrored into ``.build/sanity/ansible_collections/<namespace>/<name>/``; its ``tests/output`` survives between runs.
4. ansible-test runs with ``--venv`` and no ``--python``, so the multi-version tests (compile, import) run on every
   supported Python found (tests/config.yml: 3.9+ for modules and module_utils); the rest run on this interpreter.
   Interpreters are found on PATH and in pyenv and linked into ``.cache/ansible-test-home/pythons`` (pyenv shims
   do not work inside ansible-test). Versions not found are skipped. ``--python X.Y`` runs on X.Y only.

The exit status is ansible-test's: non-zero on any failure.
"""

from __future__ import annotations

import filecmp
import glob
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ANSIBLE_TEST_HOME = REPO / '.cache' / 'ansible-test-home'
SANITY_ROOT = REPO / '.build' / 'sanity'
PYTHONS_DIR = ANSIBLE_TEST_HOME / 'pythons'
# The versions ansible-test 2.19 supports (tests/config.yml limits modules and module_utils to >=3.9).
CANDIDATE_PYTHONS = ('3.8', '3.9', '3.10', '3.11', '3.12', '3.13')
# Never mirrored when the checkout is not a git work tree (otherwise .gitignore decides).
UNVERSIONED_EXCLUDES = {'.git', '.venv', '.build', '.cache', '.pytest_cache', '__pycache__', 'htmlcov'}

GET_PIP_STAND_IN = '''\
"""Offline stand-in for get-pip.py, written by tools/sanity.py.

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
    print('sanity: %s' % message, flush=True)


def collection_name():
    """Namespace and name from galaxy.yml (read with a regex: this script runs before anything is installed)."""
    text = (REPO / 'galaxy.yml').read_text(encoding='utf-8')
    found = {}
    for key in ('namespace', 'name'):
        match = re.search(r'^%s:\s*["\']?([A-Za-z0-9_]+)' % key, text, re.MULTILINE)
        if not match:
            sys.exit('sanity: galaxy.yml has no %s' % key)
        found[key] = match.group(1)
    return found['namespace'], found['name']


def ansible_test_pip_version():
    """The pip version ansible-test bootstraps, which names its cached get_pip_<version>.py."""
    spec = importlib.util.find_spec('ansible_test')
    source = Path(spec.origin).parent / '_internal' / 'python_requirements.py' if spec and spec.origin else None
    match = re.search(r"\bpip='([0-9.]+)'", source.read_text(encoding='utf-8')) if source and source.exists() else None
    if match:
        return match.group(1)
    log('could not read the pip version from ansible-test; assuming 24.2')
    return '24.2'


def write_get_pip_stand_in(pip_version):
    path = ANSIBLE_TEST_HOME / '.ansible' / 'test' / 'cache' / ('get_pip_%s.py' % pip_version.replace('.', '_'))
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding='utf-8') != GET_PIP_STAND_IN:
        path.write_text(GET_PIP_STAND_IN, encoding='utf-8')
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


def find_interpreters():
    """Working interpreters for the candidate versions, as real paths (pyenv shims do not work under ansible-test,
    which runs tools with only HOME, PATH and LC_ALL in the environment)."""
    pyenv_root = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')
    found = {}
    for version in CANDIDATE_PYTHONS:
        name = 'python%s' % version
        candidates = [shutil.which(name)]
        candidates += sorted(glob.glob(os.path.join(pyenv_root, 'versions', version + '.*', 'bin', name)), reverse=True)
        candidates += ['/usr/local/bin/' + name, '/usr/bin/' + name]
        for candidate in candidates:
            if not candidate or not os.access(candidate, os.X_OK):
                continue
            probe = subprocess.run(
                [candidate, '-c', 'import ensurepip, venv, sys; print("%d.%d" % sys.version_info[:2]); print(sys.executable)'],
                capture_output=True, text=True, check=False,
            )
            lines = probe.stdout.split()
            if probe.returncode == 0 and len(lines) == 2 and lines[0] == version:
                found[version] = os.path.realpath(lines[1])
                break
    return found


def link_interpreters(interpreters):
    """A directory of ``pythonX.Y`` symlinks to real interpreters, to put first on ansible-test's PATH."""
    if PYTHONS_DIR.exists():
        shutil.rmtree(PYTHONS_DIR)
    PYTHONS_DIR.mkdir(parents=True)
    for version, path in interpreters.items():
        os.symlink(path, PYTHONS_DIR / ('python%s' % version))
    return PYTHONS_DIR


def main(argv):
    one_python = any(arg == '--python' or arg.startswith('--python=') for arg in argv)
    namespace, name = collection_name()
    ansible_test = Path(sys.executable).parent / 'ansible-test'
    if not ansible_test.exists():
        sys.exit('sanity: %s not found; run `make sanity` (it installs tests/requirements.txt into .venv)' % ansible_test)

    started = time.monotonic()
    write_get_pip_stand_in(ansible_test_pip_version())
    destination = SANITY_ROOT / 'ansible_collections' / namespace / name
    mirror(destination)

    env = dict(os.environ)
    for variable in ('ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS', 'PYTHONPATH'):
        env.pop(variable, None)
    env['HOME'] = str(ANSIBLE_TEST_HOME)
    # Without this, ansible-test looks for version control upwards from the working directory, finds this
    # checkout's .git, asks git for the files under the (ignored) mirror and gets none: "All targets skipped".
    env['ANSIBLE_TEST_CONTENT_ROOT'] = str(destination)
    interpreters = {} if one_python else find_interpreters()
    path = [str(Path(sys.executable).parent)] + env.get('PATH', os.defpath).split(os.pathsep)
    if interpreters:
        path.insert(0, str(link_interpreters(interpreters)))
        found = ['%s=%s' % (version, interpreters[version]) for version in CANDIDATE_PYTHONS if version in interpreters]
        log('interpreters: %s' % ', '.join(found))
    env['PATH'] = os.pathsep.join(path)

    command = [str(ansible_test), 'sanity', '--venv'] + argv
    log('running in %s: %s' % (destination, ' '.join(command)))
    rc = subprocess.call(command, cwd=destination, env=env, stdin=subprocess.DEVNULL)
    log('%s after %.0f s (exit status %d)' % ('passed' if rc == 0 else 'FAILED', time.monotonic() - started, rc))
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
