# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-task cost of a converged attachment task against ansible.builtin.ping, interleaved in one playbook.

Each repeat is one ansible-playbook run on localhost of ``tasks`` x (ping, alicloud, zenlayer) tasks, interleaved
(the order rotates every triple). A task's cost is the time from its start to the next task's start on the controller
(the share of the playbook's wall time it takes); its run time (start to result) is reported beside it.
Per repeat: the median of each kind and the ratios of the medians; over repeats: the median of those.
"""

from __future__ import annotations

from common import attach_in_state, calls_between, default_state, log, median, play, run_playbook, start_emulator, task

KINDS = ('ping', 'ecs', 'zec')
TARGETS = {'ecs': ('eni-emu-1', 'i-emu-running'), 'zec': ('nic-emu-1', 'ins-emu-running')}


def converged_state():
    state = default_state()
    for cloud, (nic_id, instance_id) in TARGETS.items():
        attach_in_state(state, cloud, nic_id, instance_id)
    return state


def playbook(count):
    tasks = []
    for number in range(count):
        order = KINDS[number % 3:] + KINDS[:number % 3]
        for kind in order:
            if kind == 'ping':
                tasks.append({'name': 'ping %d' % number, 'ansible.builtin.ping': {}})
            else:
                tasks.append(task(kind, *TARGETS[kind], name='%s %d' % (kind, number)))
    return play(tasks)


def measure_repeat(emu, count):
    emu.clear_calls()
    book = run_playbook(emu.url, playbook(count))
    if book.rc != 0:
        raise RuntimeError('per-task playbook failed (rc %s):\n%s\n%s' % (book.rc, book.stdout[-3000:], book.stderr[-3000:]))
    calls = emu.calls()
    spans = book.events.spans()
    costs = dict((kind, []) for kind in KINDS)
    runs = dict((kind, []) for kind in KINDS)
    calls_per_task = dict((kind, []) for kind in KINDS)
    changed = 0
    for index, (start, end) in enumerate(spans):
        kind = start['task'].split()[0]
        following = spans[index + 1][0]['time'] if index + 1 < len(spans) else end['time']
        costs[kind].append(following - start['time'])
        runs[kind].append(end['time'] - start['time'])
        calls_per_task[kind].append(len(calls_between(calls, start['time'], end['time'])))
        changed += bool(end.get('changed')) and kind != 'ping'
    result = {
        'wall': book.wall,
        'cost': dict((kind, median(values)) for kind, values in costs.items()),
        'run': dict((kind, median(values)) for kind, values in runs.items()),
        'calls': dict((kind, sum(values) / float(len(values))) for kind, values in calls_per_task.items() if kind != 'ping'),
        'max_calls': dict((kind, max(values)) for kind, values in calls_per_task.items() if kind != 'ping'),
        'changed': changed,
        'tasks': dict((kind, len(values)) for kind, values in costs.items()),
    }
    result['ratio'] = dict((kind, result['cost'][kind] / result['cost']['ping']) for kind in ('ecs', 'zec'))
    result['run_ratio'] = dict((kind, result['run'][kind] / result['run']['ping']) for kind in ('ecs', 'zec'))
    return result


def run(repeats=3, count=50):
    repeats_out = []
    with start_emulator(converged_state()) as emu:
        for number in range(repeats):
            log('per-task: repeat %d/%d (%d x ping/alicloud/zenlayer)' % (number + 1, repeats, count))
            repeats_out.append(measure_repeat(emu, count))
    summary = {'repeats': repeats_out, 'count': count}
    for field in ('cost', 'run'):
        summary[field] = dict((kind, median([rep[field][kind] for rep in repeats_out])) for kind in KINDS)
    for field in ('ratio', 'run_ratio'):
        summary[field] = dict((kind, median([rep[field][kind] for rep in repeats_out])) for kind in ('ecs', 'zec'))
    summary['calls'] = dict((kind, max(rep['max_calls'][kind] for rep in repeats_out)) for kind in ('ecs', 'zec'))
    summary['mean_calls'] = dict((kind, median([rep['calls'][kind] for rep in repeats_out])) for kind in ('ecs', 'zec'))
    summary['changed'] = sum(rep['changed'] for rep in repeats_out)
    return summary
