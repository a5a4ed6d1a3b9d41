# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CPU time per task: a converged attachment task against ``ansible.builtin.ping``, by difference of playbook sizes.

CPU time (user + system) is what a busy neighbour inflates least. For each kind (ping, alicloud, zenlayer) a playbook of
``small`` tasks and one of ``large`` tasks run on localhost; the CPU time of the whole ``ansible-playbook`` process tree
(``resource.getrusage(RUSAGE_CHILDREN)`` around it: the controller, its workers and every module process) gives

    per-task CPU = (CPU of the large run - CPU of the small run) / (large - small)

which cancels ansible-playbook's start-up. Every round runs the six playbooks in a rotating order; the figures are the
medians over rounds (of the per-task CPU of each kind, and of each round's ratio to ping).
"""

from __future__ import annotations

from common import log, median, play, run_playbook, start_emulator, task
from per_task import KINDS, TARGETS, converged_state  # the same converged tasks the wall-time bench runs


def playbook(kind, count):
    if kind == 'ping':
        return play([{'name': 'ping %d' % number, 'ansible.builtin.ping': {}} for number in range(count)])
    return play([task(kind, *TARGETS[kind], name='%s %d' % (kind, number)) for number in range(count)])


def run(repeats=7, small=1, large=13):
    runs = [(kind, count) for kind in KINDS for count in (small, large)]
    cpu = dict((key, []) for key in runs)
    with start_emulator(converged_state()) as emu:
        for number in range(repeats):
            log('cpu: round %d/%d (%s tasks of ping/alicloud/zenlayer, %d and %d each)' % (number + 1, repeats, 'playbooks of', small, large))
            for kind, count in runs[number % len(runs):] + runs[:number % len(runs)]:
                book = run_playbook(emu.url, playbook(kind, count))
                if book.rc != 0:
                    raise RuntimeError('cpu playbook %s x %d failed (rc %s):\n%s' % (kind, count, book.rc, book.stdout[-3000:]))
                cpu[(kind, count)].append(book.cpu)
    per_task = dict((kind, [(big - little) / float(large - small) for little, big in zip(cpu[(kind, small)], cpu[(kind, large)])])
                    for kind in KINDS)
    ratios = dict((kind, [mine / ping for mine, ping in zip(per_task[kind], per_task['ping'])]) for kind in ('ecs', 'zec'))
    return {'repeats': repeats, 'small': small, 'large': large,
            'per_task': per_task, 'per_task_median': dict((kind, median(values)) for kind, values in per_task.items()),
            'ratios': ratios, 'ratio': dict((kind, median(values)) for kind, values in ratios.items()),
            'ratio_of_medians': dict((kind, median(per_task[kind]) / median(per_task['ping'])) for kind in ('ecs', 'zec')),
            'playbook_cpu': dict(('%s x %d' % key, median(values)) for key, values in cpu.items())}
