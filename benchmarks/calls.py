# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API calls per scenario (converged, attach, detach, force move), counted in the emulator's call log.

One ansible-playbook run, two hosts (``ecs`` and ``zec``, strategy free, so the clouds run side by side); each task's
calls are the calls of its cloud logged between the task's start and its result. On the exact emulator
(``control.EXACT``: reads do not lag): the floors and budgets count the module's own calls, not the cloud's lag.
"""

from __future__ import annotations

import math

from common import attach_in_state, calls_between, default_state, exact, local_inventory, log, play, run_playbook, start_emulator, task

NICS = {'ecs': ('eni-emu-1', 'eni-emu-2'), 'zec': ('nic-emu-1', 'nic-emu-2')}
INSTANCES = {'ecs': ('i-emu-running', 'i-emu-running2'), 'zec': ('ins-emu-running', 'ins-emu-running2')}
SCENARIOS = ('converged', 'attach', 'detach', 'force move')
LETTERS = {'DescribeNetworkInterfaces': 'R', 'AttachNetworkInterface': 'A', 'DetachNetworkInterface': 'D'}


def floors(attach_delay, detach_delay):
    """``{scenario: (floor, budget)}``: the fewest calls possible, and what a 1 s poll may spend."""
    attach_polls, detach_polls = math.ceil(attach_delay / 1.0), math.ceil(detach_delay / 1.0)
    return {
        'converged': (1, 1),
        'attach': (3, 2 + attach_polls),
        'detach': (3, 2 + detach_polls),
        'force move': (5, 3 + attach_polls + detach_polls),
    }


def scenario_tasks(cloud):
    first, second = NICS[cloud]
    instance, other = INSTANCES[cloud]
    when = {'when': "inventory_hostname == '%s'" % cloud}
    return [
        dict(task(cloud, first, instance, name='%s converged' % cloud), **when),
        dict(task(cloud, second, instance, name='%s attach' % cloud), **when),
        dict(task(cloud, second, instance, name='%s detach' % cloud, state='absent'), **when),
        dict(task(cloud, first, other, name='%s force move' % cloud, force=True), **when),
    ]


def sequence(calls):
    return ' '.join(LETTERS.get(call['action'], '?') + ('(throttled)' if call['outcome'] not in ('ok',) and 'Throttl' in call['outcome'] else '')
                    for call in calls)


def run(delay=1.0):
    state = exact(default_state())
    state['settings'].update(attach_delay=delay, detach_delay=delay)
    for cloud in ('ecs', 'zec'):
        attach_in_state(state, cloud, NICS[cloud][0], INSTANCES[cloud][0])
    results = {'delay': delay, 'floors': floors(delay, delay), 'clouds': {}}
    with start_emulator(state) as emu:
        log('calls: converged / attach / detach / force move on both clouds (transitions %.1f s)' % delay)
        book = run_playbook(emu.url, play(scenario_tasks('ecs') + scenario_tasks('zec'), hosts='all', strategy='free'),
                            local_inventory({'ecs': {}, 'zec': {}}))
        calls = emu.calls()
    for cloud in ('ecs', 'zec'):
        rows = {}
        for start, end in book.events.spans(host=cloud):
            if end['event'] == 'skipped':
                continue
            scenario = start['task'][len(cloud) + 1:]
            mine = calls_between(calls, start['time'], end['time'], cloud)
            rows[scenario] = {'calls': len(mine), 'sequence': sequence(mine), 'changed': end.get('changed'),
                              'failed': end['event'] != 'ok', 'msg': end.get('msg') if end['event'] != 'ok' else None,
                              'seconds': end['time'] - start['time']}
        results['clouds'][cloud] = rows
    results['rc'] = book.rc
    return results
