# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The list form (``attachments``): many interfaces converged by one task, on the rough emulator (reads lag 2 s).

Worlds: ``count`` instances of a cloud, each with ``per_instance`` secondary interfaces of its own (one, by default:
a secondary interface on each of a fleet's servers; ECS refuses concurrent attaches to one instance with 409
``OperationConflict``, which the ``conflict`` scenario shows). Every list task runs on localhost after a warm-up task
(a converged single task of the same module), so that its span does not carry the controller's first-task costs.
Module processes run under ``common.RUSAGE_WRAPPER``, which records each one's peak RSS.

Scenarios, per cloud:

- ``reconverge``: one playbook interleaving a converged single task and a converged list task of ``count`` interfaces,
  ``repeats`` times (both clouds in the same run, no wrapper); cost of a task = its start to the next task's start; the
  ratio is the median over pairs of (list task / the single task just before it);
- ``scratch``: from scratch, transitions ``delay`` s, no flow control: calls against 200 attaches + 2 initial reads +
  2 per poll round (``common.poll_rounds``), and the task's span;
- ``throttled``: from scratch under the emulator's flow control (``rate`` calls/s per access key, ``burst``), then the
  same task again (converged);
- ``big``: ``big`` interfaces converged (``per_instance`` 10): calls, and the module process's peak RSS;
- ``conflict`` (ECS only, no target): 10 ENIs on each of ``count / 10`` instances from scratch, no flow control.
"""

from __future__ import annotations

import copy
import math

from common import (CLOUDS, INTERFACES, ROUND_GAP, calls_between, default_state, log, median, play, poll_rounds, run_playbook,
                    start_emulator, throttled)

TEMPLATES = {'ecs': ('i-emu-running', 'eni-emu-1', 'eni_limit', 'i-lst-%04d', 'eni-lst-%04d-%02d'),
             'zec': ('ins-emu-running', 'nic-emu-1', 'nic_limit', 'ins-lst-%04d', 'nic-lst-%04d-%02d')}
BATCH = 100  # interfaces per batched read (DescribeNetworkInterfaces)


def list_world(cloud, count, per_instance=1, attached=False, settings=None):
    """The default world plus ``count`` interfaces on ``count / per_instance`` instances; and the list form's items."""
    state = default_state()
    state['settings'].update(settings or {})
    instance_template, nic_template, limit, instance_name, nic_name = TEMPLATES[cloud]
    nics = state[cloud][INTERFACES[cloud]]
    id_option, words = CLOUDS[cloud][1], CLOUDS[cloud][2]
    items = []
    for number in range(count):
        host, index = divmod(number, per_instance)
        instance_id = instance_name % host
        if instance_id not in state[cloud]['instances']:
            instance = copy.deepcopy(state[cloud]['instances'][instance_template])
            instance[limit] = per_instance + 1
            state[cloud]['instances'][instance_id] = instance
        nic_id = nic_name % (host, index)
        nic = copy.deepcopy(nics[nic_template])
        nic['name'] = nic_id
        if attached:
            nic.update(instance_id=instance_id, status=words[2])
            if cloud == 'ecs':
                nic['device_index'] = index + 1
        nics[nic_id] = nic
        items.append({id_option: nic_id, 'instance_id': instance_id})
    return state, items


def list_task(cloud, items, name='list', **extra):
    return {'name': name, CLOUDS[cloud][0]: dict(extra, attachments=items)}


def single_task(cloud, item, name='single'):
    return {'name': name, CLOUDS[cloud][0]: dict(item)}


def list_phase(emu, cloud, items, **extra):
    """One playbook: a warm-up single task (converged or not, it does not matter), then the list task; its figures."""
    emu.clear_calls()
    warm = single_task(cloud, {CLOUDS[cloud][1]: 'eni-emu-primary' if cloud == 'ecs' else 'nic-emu-primary',
                               'instance_id': 'i-emu-running' if cloud == 'ecs' else 'ins-emu-running'}, name='warm-up')
    book = run_playbook(emu.url, play([warm, list_task(cloud, items, **extra)]), rusage=True)
    calls = emu.calls()
    spans = [span for span in book.events.spans() if span[0]['task'] == 'list']
    if not spans:
        raise RuntimeError('list form: no result for the list task (rc %s):\n%s\n%s' % (book.rc, book.stdout[-3000:], book.stderr[-3000:]))
    start, end = spans[0]
    mine = calls_between(calls, start['time'], end['time'], cloud)
    initial, rounds, writes = poll_rounds(mine)
    result = {
        'span': end['time'] - start['time'],
        'playbook_wall': book.wall,
        'first_call': (min(call['epoch'] for call in mine) - start['time']) if mine else None,
        'after_last_call': (end['time'] - max(call['epoch'] for call in mine)) if mine else None,
        'calls': len(mine),
        'throttled': len(throttled(mine)),
        'by_outcome': count_by(mine, lambda call: '%s %s' % (call['action'], call['outcome'])),
        'initial_reads': len(initial),
        'poll_reads': sum(len(group) for group in rounds),
        'rounds': len(rounds),
        'round_sizes': [len(group) for group in rounds],
        'writes': len(writes),
        'accepted_writes': sum(1 for call in writes if call['outcome'] == 'ok'),
        'items': end.get('items'),
        'items_changed': end.get('items_changed'),
        'items_failed': end.get('items_failed'),
        'failed': end['event'] != 'ok',
        'msg': end.get('msg') if end['event'] != 'ok' else None,
        'item_messages': end.get('item_messages'),
        # the list task's module process: the last one the playbook ran (the warm-up's ran first)
        'peak_rss_mb': book.modules[-1]['maxrss_kb'] / 1024.0 if len(book.modules) == 2 else None,
        'module_cpu': book.modules[-1]['cpu'] if len(book.modules) == 2 else None,
        'module_wall': book.modules[-1]['wall'] if len(book.modules) == 2 else None,
    }
    if writes:
        result['write_span'] = max(call['epoch'] for call in writes) - min(call['epoch'] for call in writes)
    return result


def count_by(calls, key):
    counts = {}
    for call in calls:
        counts[key(call)] = counts.get(key(call), 0) + 1
    return counts


def reconverge(clouds, count, repeats):
    """Converged single and list tasks, interleaved in one playbook: cost of each, calls of each list task."""
    state = default_state()
    items = {}
    for cloud in clouds:
        world, items[cloud] = list_world(cloud, count, attached=True)
        state[cloud] = world[cloud]
    tasks = []
    for number in range(repeats):
        for cloud in clouds:
            tasks.append(single_task(cloud, items[cloud][0], name='%s single %d' % (cloud, number)))
            tasks.append(list_task(cloud, items[cloud], name='%s list %d' % (cloud, number)))
    with start_emulator(state) as emu:
        log('list form: re-converge, %d x (single, list of %d) per cloud, interleaved' % (repeats, count))
        book = run_playbook(emu.url, play(tasks))
        calls = emu.calls()
    if book.rc != 0:
        raise RuntimeError('re-converge playbook failed (rc %s):\n%s\n%s' % (book.rc, book.stdout[-3000:], book.stderr[-3000:]))
    spans = book.events.spans()
    out = dict((cloud, {'single': [], 'list': [], 'list_calls': [], 'single_calls': [], 'changed': 0}) for cloud in clouds)
    for index, (start, end) in enumerate(spans):
        cloud, kind = start['task'].split()[:2]
        following = spans[index + 1][0]['time'] if index + 1 < len(spans) else end['time']
        out[cloud][kind].append(following - start['time'])
        out[cloud][kind + '_calls'].append(len(calls_between(calls, start['time'], end['time'], cloud)))
        out[cloud]['changed'] += bool(end.get('changed'))  # the last task has no next one: its cost is its span
    for cloud in clouds:
        row = out[cloud]
        row['single_cost'], row['list_cost'] = median(row['single']), median(row['list'])
        row['ratio_of_medians'] = row['list_cost'] / row['single_cost']
        # each list task against the single task just before it: the load of a shared machine changes slowly
        row['pair_ratios'] = [listed / single for single, listed in zip(row['single'], row['list'])]
        row['ratio'] = median(row['pair_ratios'])
        row['most_list_calls'] = max(row['list_calls'])
    out['playbook_wall'] = book.wall
    return out


def run(count=200, big=2000, rate=5.0, burst=10, delay=1.0, repeats=5, clouds=('ecs', 'zec'), conflict=True):
    results = {'count': count, 'big': big, 'rate': rate, 'burst': burst, 'delay': delay, 'repeats': repeats,
               'clouds': list(clouds), 'round_gap': ROUND_GAP, 'reconverge': reconverge(clouds, count, repeats)}
    transitions = {'attach_delay': delay, 'detach_delay': delay}
    for cloud in clouds:
        per = results.setdefault(cloud, {})
        state, items = list_world(cloud, count, settings=transitions)
        with start_emulator(state) as emu:
            log('list form: %s, %d interfaces from scratch, transitions %.1f s, no flow control' % (cloud, count, delay))
            per['scratch'] = list_phase(emu, cloud, items)
        state, items = list_world(cloud, count, settings=dict(transitions, rate_limit_per_second=rate, rate_limit_burst=burst))
        with start_emulator(state) as emu:
            log('list form: %s, %d interfaces from scratch, %.1f calls/s per key (burst %d)' % (cloud, count, rate, burst))
            per['throttled'] = list_phase(emu, cloud, items)
            log('list form: %s, the same task again (converged, still throttled)' % cloud)
            per['throttled_again'] = list_phase(emu, cloud, items)
        state, items = list_world(cloud, big, per_instance=10, attached=True)
        with start_emulator(state) as emu:
            log('list form: %s, %d interfaces converged' % (cloud, big))
            per['big'] = list_phase(emu, cloud, items)
    if conflict and 'ecs' in clouds:
        state, items = list_world('ecs', count, per_instance=10, settings=transitions)
        with start_emulator(state) as emu:
            log('list form: ecs, %d ENIs, 10 on each of %d instances, from scratch, no flow control' % (count, count // 10))
            results['conflict'] = list_phase(emu, 'ecs', items)
    return results


def call_budget(res, count):
    """Scratch: at most ``count`` attaches + one read per 100 interfaces at first + as many per poll round."""
    batches = math.ceil(count / float(BATCH))
    return count + batches + batches * res['rounds']
