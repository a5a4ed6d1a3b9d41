# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fleet: 200 interfaces over 20 inventory hosts, forks 10, under the emulator's flow control.

Hosts ``fleet-01`` .. ``fleet-20`` (local connection) alternate between the clouds: odd ones are ECS instances,
even ones ZEC instances, each with 10 secondary interfaces of its own, so 100 interfaces per cloud. One playbook
(strategy free) attaches every host's interfaces in a loop; it runs twice: from scratch, then again (converged). Any
interface the first run failed to attach is attached in the emulator's world before the second, so that the re-run
always measures a converged fleet. The emulator throttles each access key (token bucket: ``rate`` calls/s, ``burst``), answering ECS 400
``Throttling.User`` and ZEC 429 ``REQUEST_LIMIT_EXCEEDED``; a throttled answer is a retry the client had to make.
"""

from __future__ import annotations

import copy

from common import CLOUDS, INTERFACES, THROTTLED, attach_in_state, default_state, local_inventory, log, play, run_playbook, start_emulator, throttled

HOSTS = 20
PER_HOST = 10
TEMPLATES = {'ecs': ('i-emu-running', 'eni-emu-1', 'eni_limit', 'i-bench-%02d', 'eni-bench-%02d-%02d'),
             'zec': ('ins-emu-running', 'nic-emu-1', 'nic_limit', 'ins-bench-%02d', 'nic-bench-%02d-%02d')}


def cloud_of(number):
    return 'ecs' if number % 2 else 'zec'


def fleet_world(hosts=HOSTS, per_host=PER_HOST):
    """The default world plus, per host, one instance and ``per_host`` available interfaces; and the inventory's hosts."""
    state = default_state()
    inventory = {}
    for number in range(1, hosts + 1):
        cloud = cloud_of(number)
        instance_template, nic_template, limit, instance_name, nic_name = TEMPLATES[cloud]
        instance = copy.deepcopy(state[cloud]['instances'][instance_template])
        instance[limit] = per_host + 1
        instance_id = instance_name % number
        state[cloud]['instances'][instance_id] = instance
        nics = []
        for index in range(1, per_host + 1):
            nic = copy.deepcopy(state[cloud][INTERFACES[cloud]][nic_template])
            nic['name'] = nic_name % (number, index)
            nics.append(nic_name % (number, index))
            state[cloud][INTERFACES[cloud]][nics[-1]] = nic
        inventory['fleet-%02d' % number] = {'cloud': cloud, 'instance_id': instance_id, 'nics': nics}
    return state, inventory


def fleet_playbook():
    tasks = []
    for cloud in ('ecs', 'zec'):
        module, id_option, _words = CLOUDS[cloud]
        tasks.append({'name': '%s fleet' % cloud, module: {id_option: '{{ item }}', 'instance_id': '{{ instance_id }}'},
                      'loop': '{{ nics }}', 'when': "cloud == '%s'" % cloud})
    return play(tasks, hosts='all', strategy='free')


def phase(emu, inventory, forks):
    emu.clear_calls()
    book = run_playbook(emu.url, fleet_playbook(), local_inventory(inventory), forks=forks)
    calls = emu.calls()
    items_ok = book.events.of('item_ok')
    items_failed = book.events.of('item_failed')
    by_cloud = {}
    for cloud in ('ecs', 'zec'):
        mine = [call for call in calls if call['cloud'] == cloud]
        by_cloud[cloud] = {'calls': len(mine), 'throttled': len(throttled(mine))}
    return {
        'wall': book.wall,
        'rc': book.rc,
        'calls': len(calls),
        'throttled': len(throttled(calls)),
        'answered': len(calls) - len(throttled(calls)),
        'items': len(items_ok) + len(items_failed),
        'changed': sum(1 for item in items_ok if item.get('changed')),
        'failures': len(items_failed) + len(book.events.of('unreachable')),
        'failure_messages': sorted(set(str(item.get('msg'))[:200] for item in items_failed))[:5],
        'failures_by_reason': count_reasons(items_failed),
        'by_cloud': by_cloud,
        'calls_per_second': len(calls) / book.wall if book.wall else None,
        'answered_by_action': count_by_action(call for call in calls if call['outcome'] not in THROTTLED),
        'throttled_by_action': count_by_action(throttled(calls)),
    }


def count_reasons(items):
    """Failed items by the action and error code their message names (``AttachNetworkInterface Throttling.User``)."""
    counts = {}
    for item in items:
        msg = str(item.get('msg'))
        action = msg.split(' failed for ', 1)[0] if ' failed for ' in msg else 'other'
        code = next((code for code in THROTTLED if '(%s,' % code in msg), 'other error')
        reason = '%s %s' % (action, code)
        counts[reason] = counts.get(reason, 0) + 1
    return counts


def count_by_action(calls):
    counts = {}
    for call in calls:
        counts[call['action']] = counts.get(call['action'], 0) + 1
    return counts


def settle_the_rest(emu):
    """Attach, in the world itself, every bench interface the from-scratch run left unattached; how many there were."""
    world = emu.state()
    missing = 0
    for cloud in ('ecs', 'zec'):
        for nic_id, nic in world[cloud][INTERFACES[cloud]].items():
            if '-bench-' in nic_id and nic.get('status') != CLOUDS[cloud][2][2]:
                missing += 1
                nic.pop('transition', None)
                instance_id = 'i-bench-%s' % nic_id.split('-')[2] if cloud == 'ecs' else 'ins-bench-%s' % nic_id.split('-')[2]
                attach_in_state(world, cloud, nic_id, instance_id)
    if missing:
        emu.put_state(world)
    return missing


def run(rate=5.0, burst=10, forks=10, delay=1.0, hosts=HOSTS, per_host=PER_HOST):
    state, inventory = fleet_world(hosts, per_host)
    state['settings'].update(attach_delay=delay, detach_delay=delay, rate_limit_per_second=rate, rate_limit_burst=burst)
    with start_emulator(state) as emu:
        log('fleet: from scratch, %d interfaces on %d hosts, forks %d, %.1f calls/s per key (burst %d)' % (
            hosts * per_host, hosts, forks, rate, burst))
        scratch = phase(emu, inventory, forks)
        scratch['left_unattached'] = settle_the_rest(emu)
        log('fleet: re-converge')
        again = phase(emu, inventory, forks)
    return {'rate': rate, 'burst': burst, 'forks': forks, 'delay': delay, 'hosts': hosts, 'interfaces': hosts * per_host,
            'from_scratch': scratch, 'reconverge': again}
