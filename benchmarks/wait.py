# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait overhead: how long after the cloud finished an attach the module returns.

For each attach delay, one ansible-playbook run with two hosts (``ecs``, ``zec``, strategy free) that each attach
``repeats`` interfaces one after the other. The emulator records when each transition fell due
(``last_transition.at`` of the interface in its state); the callback records when the controller got the task's
result. Overhead = result time - transition time, split into the poll's lateness (the first read after the
transition - the transition) and the tail (result - that read: the module's exit and Ansible's result handling).
On the exact emulator (``control.EXACT``): with reads lagging 2 s no poll could see a transition before 2 s had passed,
and the overhead would measure the cloud, not the module.
"""

from __future__ import annotations

from common import CLOUDS, INTERFACES, calls_between, default_state, exact, local_inventory, log, median, play, run_playbook, start_emulator, task

NICS = {'ecs': ('eni-emu-1', 'eni-emu-2', 'eni-emu-3'), 'zec': ('nic-emu-1', 'nic-emu-2', 'nic-emu-3')}
INSTANCES = {'ecs': 'i-emu-running', 'zec': 'ins-emu-running'}
READ = 'DescribeNetworkInterfaces'


def attach_tasks(cloud, repeats):
    when = {'when': "inventory_hostname == '%s'" % cloud}
    return [dict(task(cloud, nic_id, INSTANCES[cloud], name='%s %s' % (cloud, nic_id)), **when) for nic_id in NICS[cloud][:repeats]]


def measure_delay(emu, delay, repeats):
    state = exact(default_state())
    state['settings'].update(attach_delay=delay, detach_delay=delay)
    emu.put_state(state)
    emu.clear_calls()
    book = run_playbook(emu.url, play(attach_tasks('ecs', repeats) + attach_tasks('zec', repeats), hosts='all', strategy='free'),
                        local_inventory({'ecs': {}, 'zec': {}}))
    calls = emu.calls()
    world = emu.state()
    rows = []
    for cloud in ('ecs', 'zec'):
        for start, end in book.events.spans(host=cloud):
            if end['event'] == 'skipped':
                continue
            nic_id = start['task'].split()[1]
            mine = calls_between(calls, start['time'], end['time'], cloud)
            record = world[cloud][INTERFACES[cloud]][nic_id]
            row = {'cloud': cloud, 'nic': nic_id, 'calls': len(mine), 'ok': end['event'] == 'ok' and record['status'] == CLOUDS[cloud][2][2],
                   'msg': end.get('msg'), 'returned': end['time'], 'module_seconds': end['time'] - start['time']}
            transition = record.get('last_transition')
            if transition:
                due = transition['at']
                later_reads = [call['epoch'] for call in mine if call['action'] == READ and call['epoch'] >= due - 0.002]
                row.update(transition=due, overhead=end['time'] - due)
                attach = [call['epoch'] for call in mine if call['action'] == 'AttachNetworkInterface']
                if attach:
                    row['attach_to_transition'] = due - attach[0]
                if later_reads:
                    row.update(lateness=later_reads[0] - due, tail=end['time'] - later_reads[0])
            rows.append(row)
    return {'delay': delay, 'rows': rows, 'rc': book.rc}


def summarize(result):
    out = {}
    for cloud in ('ecs', 'zec'):
        rows = [row for row in result['rows'] if row['cloud'] == cloud]
        out[cloud] = {
            'overhead': median([row.get('overhead') for row in rows]),
            'max_overhead': max([row['overhead'] for row in rows if 'overhead' in row] or [None]),
            'lateness': median([row.get('lateness') for row in rows]),
            'tail': median([row.get('tail') for row in rows]),
            'calls': max([row['calls'] for row in rows] or [None]),
            'ok': all(row['ok'] for row in rows) and len(rows) > 0,
            'n': len(rows),
        }
    return out


def run(delays=(1, 3, 10), off_grid=(1.5, 3.5), repeats=3):
    results = []
    with start_emulator() as emu:
        for delay in list(delays) + list(off_grid):
            log('wait: attach delay %.1f s, %d attaches per cloud' % (delay, repeats))
            result = measure_delay(emu, delay, repeats)
            result['summary'] = summarize(result)
            result['target'] = delay in delays
            results.append(result)
    return {'delays': results, 'repeats': repeats}
