#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""galaxy-importer on the collection tarball, as Galaxy and Automation Hub run it on upload.

1. Makes .venv-importer (Python 3.12, tests/requirements-importer.txt; reinstalled when that file or its constraints
   change) and builds the tarball into .build/dist with ansible-galaxy collection build (the development venv's).
2. Runs ``python -m galaxy_importer.main TARBALL`` with tests/galaxy-importer.cfg (ansible-test off,
   REQUIRE_V1_OR_GREATER on), the importer venv's ansible-doc and ansible-lint on PATH (without them the importer
   skips both with a warning), HOME and temporary files under .build/importer.
3. Fails if the importer fails or prints any WARNING or ERROR line: a reviewer expects 0 warnings.

Usage: tools/importer.py   (make test runs it; standard library only)
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pythons  # noqa: E402  pylint: disable=wrong-import-position

REPO = Path(__file__).resolve().parents[1]
VENV = REPO / '.venv-importer'
PYTHON = '3.12'  # what Red Hat's partner certification checker runs galaxy-importer on
REQUIREMENTS = 'tests/requirements-importer.txt'
CONSTRAINTS = 'tests/constraints-importer.txt'
CONFIG = REPO / 'tests' / 'galaxy-importer.cfg'
WORK = REPO / '.build' / 'importer'
DIST = REPO / '.build' / 'dist'
PROBLEM = re.compile(r'^(WARNING|ERROR)\b')


def log(message):
    print('importer: %s' % message, flush=True)


def setup():
    """Create or update .venv-importer; returns an error message or None."""
    digest = hashlib.sha256(b''.join((REPO / name).read_bytes() for name in (REQUIREMENTS, CONSTRAINTS))).hexdigest()
    stamp = VENV / '.installed'
    if stamp.exists() and stamp.read_text(encoding='utf-8').strip() == digest:
        return None
    interpreter = pythons.find(PYTHON)
    if not interpreter:
        return pythons.missing_message([PYTHON], 'galaxy-importer (%s)' % VENV.name)
    if not (VENV / 'bin' / 'python').exists() and subprocess.call([interpreter, '-m', 'venv', str(VENV)]) != 0:
        return "'%s -m venv %s' failed" % (interpreter, VENV)
    log('installing %s into %s' % (REQUIREMENTS, VENV.name))
    rc = subprocess.call([str(VENV / 'bin' / 'python'), '-m', 'pip', 'install', '--disable-pip-version-check', '--quiet',
                          '-r', REQUIREMENTS], cwd=str(REPO), stdin=subprocess.DEVNULL)
    if rc != 0:
        return 'pip install -r %s failed (exit status %d)' % (REQUIREMENTS, rc)
    stamp.write_text(digest + '\n', encoding='utf-8')
    return None


def build():
    """The tarball of the collection as galaxy.yml describes it; returns its path."""
    galaxy = Path(sys.executable).parent / 'ansible-galaxy'
    output = subprocess.run([str(galaxy), 'collection', 'build', '--force', '--output-path', str(DIST)], cwd=str(REPO),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    print(output.stdout, end='', flush=True)
    match = re.search(r'^Created collection for \S+ at (\S+\.tar\.gz)$', output.stdout, re.MULTILINE)
    if output.returncode != 0 or not match:
        raise SystemExit('importer: ansible-galaxy collection build failed (exit status %d)' % output.returncode)
    return match.group(1)


def main():
    started = time.monotonic()
    error = setup()
    if error:
        raise SystemExit('importer: %s' % error)
    tarball = build()
    (WORK / 'home').mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GALAXY_IMPORTER_CONFIG=str(CONFIG), HOME=str(WORK / 'home'), TMPDIR=str(WORK),
               PATH='%s%s%s' % (VENV / 'bin', os.pathsep, os.environ.get('PATH', '')))
    env = dict((key, value) for key, value in env.items() if not key.startswith('GALAXY_IMPORTER_') or key == 'GALAXY_IMPORTER_CONFIG')
    log('$ %s -m galaxy_importer.main %s  (config %s)' % (VENV / 'bin' / 'python', tarball, CONFIG.relative_to(REPO)))
    run = subprocess.run([str(VENV / 'bin' / 'python'), '-m', 'galaxy_importer.main', tarball], cwd=str(WORK), env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    print(run.stdout, end='', flush=True)
    problems = [line for line in run.stdout.splitlines() if PROBLEM.match(line)]
    if run.returncode != 0 or problems or 'Importer processing completed successfully' not in run.stdout:
        raise SystemExit('importer: FAILED (exit status %d, %d warning or error line(s)) in %.0f s' % (
            run.returncode, len(problems), time.monotonic() - started))
    log('passed: %s, 0 warnings, in %.0f s' % (os.path.basename(tarball), time.monotonic() - started))
    return 0


if __name__ == '__main__':
    sys.exit(main())
