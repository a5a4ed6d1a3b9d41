#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ansible-core version matrix: one virtual environment per leg, the suites each leg runs, and the plans that
``make test`` and ``make test-matrix`` run; standard library only.

Usage:
  tools/matrix.py setup LEG [LEG ...]       create or update the legs' venvs (side by side; pinned requirements; the 2.19
                                            leg's .venv through `make setup`)
  tools/matrix.py run SUITE [SUITE ...]     run suites one after another
  tools/matrix.py plan NAME                 run a plan (test, matrix): setup, then its lanes side by side
  tools/matrix.py list                      the legs and suites

A leg is an ansible-core minor version, pinned exactly by tests/requirements[-X.Y].txt and tests/constraints[-X.Y].txt,
installed into its own venv with the controller Python named in LEGS. A supported Python that is missing is an error
(tools/pythons.py), never a skip. The 2.19 leg is the development venv .venv, which the Makefile makes (with linters,
SDKs, ansible-builder); this tool makes the others.

Suites are NAME-LEG, e.g. ``sanity-2.21``, ``unit-2.16``, ``integration-2.21``, ``ansible-test-units-2.21``:

  sanity                      ansible-test sanity --venv (tools/run_ansible_test.py) on the leg's Python; on 2.21
                              also the compile test on every Python 3.9-3.13, on 2.19 compile and import on each
  unit, integration           pytest tests/unit, tests/integration (the unit run of 2.21 measures coverage, and
                              puts the collection on the import path with pytest-ansible's --ansible-unit-inject-only;
                              every other unit run with tests/conftest.py's own collection finder)
  ansible-test-units          ansible-test units --venv from a collection path
  ansible-test-integration    ansible-test integration --venv (tests/integration/targets) from a collection path
  lint, docsite               tools/lint.py, tools/docsite.py build (2.19 only: the linters live in .venv)

A plan is a list of lanes; lanes run side by side (this machine has 2 cores), each lane's suites one after another.
While lanes run side by side, each suite's output goes to .build/logs/SUITE.log and is printed when it ends, with its
time. Exit status: non-zero if any suite failed (every suite runs regardless).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pythons  # noqa: E402  pylint: disable=wrong-import-position

REPO = Path(__file__).resolve().parents[1]
LOCK = threading.Lock()
LOGS = REPO / '.build' / 'logs'
RUNTIME_REQUIREMENTS = 'requirements.txt'
COVERAGE_MIN = os.environ.get('COVERAGE_MIN', '90')


class Leg:
    def __init__(self, minor, core, python, venv, suffix, reference=False):
        self.minor = minor          # '2.21'
        self.core = core            # the exact ansible-core release its requirement file pins
        self.python = python        # controller Python X.Y of its venv
        self.venv = REPO / venv
        # The reference leg (the newest, in make test): sanity's compile test on every managed-node Python (3.9-3.13)
        # besides every test on its controller Python, and the unit tests measure coverage.
        self.reference = reference
        self.requirements = 'tests/requirements%s.txt' % suffix
        self.constraints = 'tests/constraints%s.txt' % suffix

    @property
    def bin(self):
        return self.venv / 'bin'

    @property
    def python_path(self):
        return str(self.bin / 'python')


# Every minor version from meta/runtime.yml's requires_ansible (>=2.16) to the newest on PyPI. Controller Pythons: 2.16
# and 2.17 accept 3.10-3.12, 2.18 3.11-3.13, 2.19 3.11-3.13, 2.20 and 2.21 3.12+ (3.13 for the newest).
LEGS = dict((leg.minor, leg) for leg in (
    Leg('2.16', '2.16.19', '3.11', '.venv-2.16', '-2.16'),
    Leg('2.17', '2.17.14', '3.12', '.venv-2.17', '-2.17'),
    Leg('2.18', '2.18.19', '3.13', '.venv-2.18', '-2.18'),
    Leg('2.19', '2.19.14', '3.11', '.venv', ''),  # make test-matrix: sanity with compile and import on 3.9-3.13
    Leg('2.20', '2.20.10', '3.12', '.venv-2.20', '-2.20'),
    Leg('2.21', '2.21.5', '3.13', '.venv-2.21', '-2.21', reference=True),
))
MAIN_LEG = '2.19'

# make test (about 20 minutes from a fresh clone on 2 shared cores): the newest ansible-core, every suite (sanity, with
# the compile test on every Python 3.9-3.13; the unit tests with coverage; the whole integration suite; ansible-test
# units and integration); the oldest, the unit tests and ansible-test integration; lint, the docsite and galaxy-importer
# on the built tarball (.venv; the importer in .venv-importer).
# Lane 1 holds the integration runs, which wait on ansible-playbook and the emulator more than they compute (less
# than one core); lane 2 the CPU-bound sanity, lint and ansible-test units, at a lower CPU
# priority (LANE_NICENESS): the integration suite's fault batch plays 80 rows at once and must finish within 120 s,
# which it missed (120.9 s) while sanity ran beside it at the same priority.
PLANS = {
    'test': [
        ['integration-2.21', 'unit-2.21', 'unit-2.16', 'ansible-test-integration-2.21', 'ansible-test-integration-2.16'],
        ['sanity-2.21', 'lint', 'docsite', 'importer', 'ansible-test-units-2.21'],
    ],
    # make test-matrix: what does not fit in make test. Sanity on every other version (on 2.19 with compile and import
    # on every Python 3.9-3.13), the integration suite on the oldest, every suite on the versions between.
    'matrix': [
        ['integration-2.16', 'integration-2.19', 'unit-2.19', 'integration-2.17', 'unit-2.17', 'integration-2.18',
         'unit-2.18', 'integration-2.20', 'unit-2.20', 'ansible-test-integration-2.19'],
        ['sanity-2.16', 'sanity-2.19', 'sanity-2.17', 'sanity-2.18', 'sanity-2.20', 'ansible-test-units-2.16',
         'ansible-test-units-2.19', 'ansible-test-units-2.17', 'ansible-test-integration-2.17', 'ansible-test-units-2.18',
         'ansible-test-integration-2.18', 'ansible-test-units-2.20', 'ansible-test-integration-2.20'],
    ],
}
# Niceness of each lane of a plan (lane 1, lane 2, ...): the second yields the CPU to the first.
LANE_NICENESS = (0, 10)
# The integration suite runs in one process. On two pytest-xdist workers (--dist loadfile) it took 7 minutes instead
# of 11, but the fault batch (80 rows at once, 120 s limit) then shares the CPU with the other worker: it took
# 120.9 s and 124.2 s in two fresh-clone runs, even with lane 2 niced.
INTEGRATION_WORKERS = []
KINDS = ('ansible-test-integration', 'ansible-test-units', 'integration', 'unit', 'sanity')


def log(message):
    with LOCK:
        print('matrix: %s' % message, flush=True)


def requirement_digest(leg):
    digest = hashlib.sha256()
    for name in (leg.requirements, leg.constraints, RUNTIME_REQUIREMENTS):
        digest.update(name.encode() + b'\0' + (REPO / name).read_bytes())
    return digest.hexdigest()


def setup(leg):
    """Create or update a leg's venv; returns an error message or None. Reinstalls when a requirement file changed."""
    stamp = leg.venv / '.installed'
    digest = requirement_digest(leg)
    if stamp.exists() and stamp.read_text(encoding='utf-8').strip() == digest and (leg.bin / 'ansible-test').exists():
        return None
    interpreter = pythons.find(leg.python)
    if not interpreter:
        return pythons.missing_message([leg.python], 'the ansible-core %s leg (%s)' % (leg.minor, leg.venv.name))
    started = time.monotonic()
    if not (leg.bin / 'python').exists():
        log('creating %s with Python %s (%s)' % (leg.venv.name, leg.python, interpreter))
        if subprocess.call([interpreter, '-m', 'venv', str(leg.venv)]) != 0:
            return "'%s -m venv %s' failed" % (interpreter, leg.venv)
    log('installing %s into %s' % (leg.requirements, leg.venv.name))
    rc = subprocess.call([leg.python_path, '-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-r', leg.requirements],
                         cwd=str(REPO), stdin=subprocess.DEVNULL)
    if rc != 0:
        return 'pip install -r %s failed (exit status %d)' % (leg.requirements, rc)
    stamp.write_text(digest + '\n', encoding='utf-8')
    log('%s ready in %.0f s' % (leg.venv.name, time.monotonic() - started))
    return None


def setup_main():
    """The development venv (.venv, the 2.19 leg), which the Makefile makes: ``make setup``."""
    make = os.environ.get('MAKE', 'make')
    rc = subprocess.call([make, '--no-print-directory', 'setup'], cwd=str(REPO), stdin=subprocess.DEVNULL)
    return None if rc == 0 else 'make setup failed (exit status %d)' % rc


def setup_legs(minors):
    """Set up the legs side by side (pip is mostly waiting on the network); exits on any failure."""
    errors = {}

    def one(minor):
        errors[minor] = setup_main() if minor == MAIN_LEG else setup(LEGS[minor])

    threads = [threading.Thread(target=one, args=(minor,)) for minor in minors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = ['%s: %s' % (minor, error) for minor, error in sorted(errors.items()) if error]
    if failed:
        sys.exit('matrix: setup failed:\n  ' + '\n  '.join(failed))


def parse_suite(name):
    for kind in KINDS + ('lint', 'docsite', 'importer'):
        if name == kind:
            return kind, LEGS[MAIN_LEG]
        if name.startswith(kind + '-') and name[len(kind) + 1:] in LEGS:
            return kind, LEGS[name[len(kind) + 1:]]
    raise SystemExit('matrix: unknown suite %r (see tools/matrix.py list)' % name)


def suite_commands(name):
    """The commands of a suite, run one after another."""
    kind, leg = parse_suite(name)
    python = leg.python_path
    if kind == 'sanity':
        if leg.reference:  # every test on the controller Python, then compile on every managed-node Python
            return [[python, 'tools/run_ansible_test.py', 'sanity', '--python', leg.python],
                    [python, 'tools/run_ansible_test.py', 'sanity', '--test', 'compile']]
        if leg.minor == MAIN_LEG:  # compile and import on every managed-node Python (the make sanity default)
            return [[python, 'tools/run_ansible_test.py', 'sanity']]
        return [[python, 'tools/run_ansible_test.py', 'sanity', '--python', leg.python]]
    return [suite_command(kind, leg)]


def suite_command(kind, leg):
    python = leg.python_path
    if kind == 'ansible-test-units':
        # The collection's unit tests. The emulator's own tests (tests/unit/emulator: a development tool, with 0.2 s
        # transitions they read while in progress) run in the pytest suites; under ansible-test, which forks each
        # test and so starts an emulator per test, on 2 loaded cores they took minutes and read too late.
        return [python, 'tools/run_ansible_test.py', 'units', 'tests/unit/plugins/']
    if kind == 'ansible-test-integration':
        return [python, 'tools/run_ansible_test.py', 'integration']
    pytest_args = os.environ.get('PYTEST_ARGS', '').split()
    if kind == 'unit':
        coverage = ['--cov=plugins', '--cov-report=term-missing', '--cov-fail-under=%s' % COVERAGE_MIN] if leg.reference else []
        return [python, '-m', 'pytest', 'tests/unit'] + coverage + pytest_ansible(leg, inject=True) + pytest_args
    if kind == 'integration':
        return [python, '-m', 'pytest', 'tests/integration'] + INTEGRATION_WORKERS + pytest_ansible(leg) + pytest_args
    if leg.minor != MAIN_LEG:
        raise SystemExit('matrix: %s runs in .venv only' % kind)
    if kind == 'lint':
        return [python, 'tools/lint.py']
    if kind == 'importer':  # galaxy-importer on the built tarball, in a venv of its own (.venv-importer)
        return [python, 'tools/importer.py']
    return [python, 'tools/docsite.py', 'build']


def pytest_ansible(leg, inject=False):
    """pytest options for a leg whose requirements install pytest-ansible (a plugin pytest loads by itself): the unit
    suite runs through its collection injection; elsewhere it is turned off, since without that option it builds a
    ./collections tree of symlinks in the checkout."""
    if 'pytest-ansible==' not in (REPO / leg.requirements).read_text(encoding='utf-8'):
        return []
    return ['--ansible-unit-inject-only'] if inject else ['-p', 'no:pytest-ansible']


def legs_of(suites):
    minors = []
    for name in suites:
        minor = parse_suite(name)[1].minor
        if minor not in minors:
            minors.append(minor)
    return minors


def run_suite(name, buffered, niceness=0):
    """Run one suite; returns (passed, seconds). Buffered: output to .build/logs/NAME.log, printed at the end."""
    commands = suite_commands(name)
    shown = ' && '.join(' '.join(command) for command in commands)
    env = dict(os.environ)
    env.pop('PYTEST_ADDOPTS', None)
    started = time.monotonic()
    rc = 0
    if buffered:
        LOGS.mkdir(parents=True, exist_ok=True)
        path = LOGS / ('%s.log' % name)
        log('%s: started' % name)
        with open(path, 'w', encoding='utf-8') as output:
            for command in commands:
                prefix = ['nice', '-n', str(niceness)] if niceness else []
                rc = rc or subprocess.call(prefix + command, cwd=str(REPO), env=env, stdout=output, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL)
        seconds = time.monotonic() - started
        with LOCK:
            print('===== %s (%s) =====' % (name, shown), flush=True)
            sys.stdout.write(path.read_text(encoding='utf-8', errors='replace'))
            print('===== %s: %s in %.0f s =====' % (name, 'passed' if rc == 0 else 'FAILED', seconds), flush=True)
    else:
        print('===== %s (%s) =====' % (name, shown), flush=True)
        for command in commands:
            rc = rc or subprocess.call(command, cwd=str(REPO), env=env, stdin=subprocess.DEVNULL)
        seconds = time.monotonic() - started
        print('===== %s: %s in %.0f s =====' % (name, 'passed' if rc == 0 else 'FAILED', seconds), flush=True)
    return rc == 0, seconds


def run_lanes(lanes):
    results = {}
    buffered = len(lanes) > 1

    def lane(suites, niceness):
        for name in suites:
            results[name] = run_suite(name, buffered, niceness)

    started = time.monotonic()
    threads = [threading.Thread(target=lane, args=(suites, LANE_NICENESS[index] if buffered else 0))
               for index, suites in enumerate(lanes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    order = [name for suites in lanes for name in suites]
    print('===== times =====')
    for number, suites in enumerate(lanes, 1):
        for name in suites:
            passed, seconds = results[name]
            print('  lane %d  %-32s %5.0f s  %s' % (number, name, seconds, 'passed' if passed else 'FAILED'), flush=True)
    print('  all lanes (wall time)  %.0f s' % (time.monotonic() - started))
    failed = [name for name in order if not results[name][0]]
    if failed:
        print('===== FAILED: %s =====' % ' '.join(failed), file=sys.stderr, flush=True)
        return 1
    print('===== passed: %s =====' % ' '.join(order), flush=True)
    return 0


def main(argv):
    if not argv or argv[0] not in ('setup', 'run', 'plan', 'list'):
        sys.exit(__doc__)
    command, names = argv[0], argv[1:]
    if command == 'list':
        for leg in LEGS.values():
            print('%s  ansible-core %-8s Python %-5s %-11s %s' % (leg.minor, leg.core, leg.python, leg.venv.name, leg.requirements))
        for plan, lanes in PLANS.items():
            print('plan %s: %s' % (plan, ' | '.join(' '.join(lane) for lane in lanes)))
        return 0
    if command == 'setup':
        setup_legs(names)
        return 0
    if command == 'run':
        setup_legs(legs_of(names))
        return run_lanes([names])
    if len(names) != 1 or names[0] not in PLANS:
        sys.exit('matrix: plan is one of: %s' % ', '.join(PLANS))
    lanes = PLANS[names[0]]
    started = time.monotonic()
    setup_legs(legs_of([name for suites in lanes for name in suites]))
    log('venvs ready after %.0f s' % (time.monotonic() - started))
    return run_lanes(lanes)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
