#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the benchmarks against the emulator and write benchmarks/results.md (and results.json).

    .venv/bin/python benchmarks/run.py [--only per_task,cpu,calls,wait,fleet,list,startup] [--quick] [--output FILE]

``make bench`` runs it with the defaults (about 12 to 15 minutes on 2 cores). ``--quick`` shrinks every bench
(a smoke test of the bench itself, not figures to quote). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable=wrong-import-position
import calls  # noqa: E402
import cpu  # noqa: E402
import fleet  # noqa: E402
import list_form  # noqa: E402
import per_task  # noqa: E402
import report  # noqa: E402
import startup  # noqa: E402
import wait  # noqa: E402
from common import HERE, log  # noqa: E402

BENCHES = ('per_task', 'cpu', 'calls', 'wait', 'fleet', 'list', 'startup')


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--only', default=','.join(BENCHES), help='comma-separated benches to run (default: all)')
    parser.add_argument('--quick', action='store_true', help='tiny sizes: check that the benches run, not figures to quote')
    parser.add_argument('--output', default=str(HERE / 'results.md'), help='the Markdown report (results.json goes beside it)')
    parser.add_argument('--tasks', type=int, default=30, help='per_task: tasks of each kind per repeat (30)')
    parser.add_argument('--repeats', type=int, default=3, help='per_task: repeats (3)')
    parser.add_argument('--delays', default='1,3,10', help='wait: attach delays with a target, seconds (1,3,10)')
    parser.add_argument('--off-grid', default='1.5', help='wait: extra delays off the 1 s grid, no target (1.5)')
    parser.add_argument('--fleet-rate', type=float, default=5.0, help='fleet: calls/s per access key the emulator allows (5)')
    parser.add_argument('--fleet-burst', type=int, default=10, help='fleet: token bucket size per access key (10)')
    parser.add_argument('--cpu-repeats', type=int, default=7, help='cpu: rounds of playbooks (7)')
    parser.add_argument('--cpu-tasks', type=int, default=12, help='cpu: tasks the large playbook has over the small one (12)')
    parser.add_argument('--list-count', type=int, default=200, help='list: interfaces per list task (200)')
    parser.add_argument('--list-big', type=int, default=2000, help='list: interfaces of the large re-converge (2000)')
    parser.add_argument('--list-repeats', type=int, default=7, help='list: converged single/list task pairs per cloud (7)')
    parser.add_argument('--list-clouds', default='ecs,zec', help='list: clouds (ecs,zec)')
    parser.add_argument('--render', metavar='RESULTS_JSON', help='only write the report again from a results.json')
    parser.add_argument('--update', action='store_true',
                        help='keep the other benches\' figures of the saved results.json, replace those of --only (each '
                             'bench\'s run time is in "updated")')
    parser.add_argument('--startup-repeats', type=int, default=15, help='startup: runs of each variant (15)')
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(',') if name.strip()]
    unknown = sorted(set(args.only) - set(BENCHES))
    if unknown:
        parser.error('unknown bench(es): %s; choose from %s' % (', '.join(unknown), ', '.join(BENCHES)))
    return args


def numbers(text):
    return [float(value) for value in text.split(',') if value.strip()]


def machine():
    """What the figures were measured on."""
    try:
        from ansible.release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
    except ImportError:
        ansible_version = 'not installed'
    info = {'python': sys.version.split()[0], 'ansible-core': ansible_version, 'CPUs': os.cpu_count(),
            'load average at start': '%.1f' % os.getloadavg()[0]}
    try:
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=str(HERE), capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--', 'plugins'], cwd=str(HERE.parent), capture_output=True, text=True,
                               check=True).stdout.strip()
        info['commit'] = commit + (' (plugins/ modified)' if dirty else '')
    except (OSError, subprocess.CalledProcessError):
        info['commit'] = 'unknown'
    return info


def write_report(results, output):
    with open(output, 'w', encoding='utf-8') as out:
        out.write(report.render(results))
    log('wrote %s' % output)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    if args.render:
        with open(args.render, encoding='utf-8') as handle:
            write_report(json.load(handle), args.output)
        return 0
    quick = args.quick
    plan = {
        'per_task': lambda: per_task.run(repeats=1 if quick else args.repeats, count=3 if quick else args.tasks),
        'cpu': lambda: cpu.run(repeats=1 if quick else args.cpu_repeats, large=1 + (2 if quick else args.cpu_tasks)),
        'calls': lambda: calls.run(delay=1.0),
        'wait': lambda: wait.run(delays=[1.0] if quick else numbers(args.delays), off_grid=[] if quick else numbers(args.off_grid),
                                 repeats=1 if quick else 3),
        'fleet': lambda: fleet.run(rate=args.fleet_rate, burst=args.fleet_burst),
        'list': lambda: list_form.run(count=20 if quick else args.list_count, big=40 if quick else args.list_big, rate=args.fleet_rate,
                                      burst=args.fleet_burst, repeats=1 if quick else args.list_repeats,
                                      clouds=[name.strip() for name in args.list_clouds.split(',') if name.strip()]),
        'startup': lambda: startup.run(repeats=2 if quick else args.startup_repeats),
    }
    if quick:
        plan['fleet'] = lambda: fleet.run(rate=args.fleet_rate, burst=args.fleet_burst, hosts=4, per_host=2)
    results = {'started': time.time(), 'quick': quick, 'durations': {}, 'load': {}, 'machine': machine()}
    saved = os.path.splitext(args.output)[0] + '.json'
    if args.update and os.path.exists(saved):
        with open(saved, encoding='utf-8') as handle:
            results = json.load(handle)
        if results.get('quick') != quick:
            raise SystemExit('bench: --update cannot mix quick and full figures')
    for name in args.only:
        began, load = time.time(), os.getloadavg()[0]
        results[name] = plan[name]()
        results.setdefault('updated', {})[name] = began
        results['durations'][name] = time.time() - began
        results['load'][name] = [load, os.getloadavg()[0]]
        log('%s done in %.0f s (load average %.1f -> %.1f)' % (name, results['durations'][name], load, os.getloadavg()[0]))
    results['finished'] = time.time()
    with open(os.path.splitext(args.output)[0] + '.json', 'w', encoding='utf-8') as out:
        json.dump(results, out, indent=1, sort_keys=True)
    log('all benches done in %.0f s' % sum(results['durations'][name] for name in args.only))
    write_report(results, args.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
