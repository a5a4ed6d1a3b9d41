#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Find the Python interpreters the version matrix needs; standard library only.

Usage: tools/pythons.py X.Y [X.Y ...]   prints one real interpreter path per version, one a line; exits 1 (naming the
                                       missing versions and how to get them) when any is missing.

An interpreter counts when ``pythonX.Y`` on PATH, in pyenv (``$PYENV_ROOT/versions/X.Y.*``), /usr/local/bin or /usr/bin
runs, reports version X.Y and has ``venv`` and ``ensurepip`` (ansible-test and the Makefile make virtual environments
with it). pyenv shims are resolved to the real interpreter: a shim fails unless its version is selected, and
ansible-test runs tools with only HOME, PATH and LC_ALL in the environment.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys

PROBE = 'import ensurepip, venv, sys; print("%d.%d" % sys.version_info[:2]); print(sys.executable)'


def candidates(version):
    name = 'python%s' % version
    pyenv_root = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')
    found = [shutil.which(name)]
    found += sorted(glob.glob(os.path.join(pyenv_root, 'versions', version + '.*', 'bin', name)), reverse=True)
    found += ['/usr/local/bin/' + name, '/usr/bin/' + name]
    return [path for path in found if path and os.access(path, os.X_OK)]


def find(version):
    """The real path of a working Python ``version`` (``'3.12'``), or None."""
    for candidate in candidates(version):
        probe = subprocess.run([candidate, '-c', PROBE], capture_output=True, text=True, check=False)
        lines = probe.stdout.split()
        if probe.returncode == 0 and len(lines) == 2 and lines[0] == version:
            return os.path.realpath(lines[1])
    return None


def missing_message(versions, purpose):
    return (
        'Python %s %s needed for %s but not found (looked for pythonX.Y on PATH, in pyenv, /usr/local/bin and /usr/bin, '
        'with venv and ensurepip). Install it (e.g. `pyenv install %s`, or the distribution\'s pythonX.Y and '
        'pythonX.Y-venv packages): the version matrix claims it, so it is an error, not a skip.'
        % (', '.join(versions), 'is' if len(versions) == 1 else 'are', purpose, versions[0])
    )


def require(versions, purpose):
    """``{version: path}`` for every version; exits with a message naming the missing ones."""
    found = dict((version, find(version)) for version in versions)
    missing = [version for version, path in found.items() if not path]
    if missing:
        sys.exit('error: ' + missing_message(missing, purpose))
    return found


def main(argv):
    if not argv:
        sys.exit(__doc__)
    for path in require(argv, 'this run').values():
        print(path)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
