# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turns the benchmarks' results into benchmarks/results.md: targets first, then each bench, then where the cost is."""

from __future__ import annotations

import math
import statistics
import time

import calls
import startup

CLOUD_NAMES = {'ecs': 'alicloud_eni_attachment', 'zec': 'zenlayer_vnic_attachment'}
POLL_SOURCE = 'plugins/module_utils/attachment.py `Reconciler(poll_interval=1.0)`; `run_module` passes none'
RETRY_SOURCE = 'plugins/module_utils/client.py `RetryPolicy(max_attempts=5, base=0.5, cap=8.0, max_elapsed=60.0)`'
BARE = 'bare AnsibleModule'
OURS = 'ours: alicloud_eni_attachment imports'
OURS_ZEC = 'ours: zenlayer_vnic_attachment imports'
NO_REQUESTS = 'ours, requests made unimportable'
REQUESTS = 'bare + import requests'
STDLIB = 'bare + stdlib http.client, ssl'
SDK = 'official SDK: from alibabacloud_ecs20140526.client import Client'


def median(values):
    return statistics.median(values) if values else None


def ms(seconds):
    return '—' if seconds is None else '%.0f ms' % (seconds * 1000)


def sec(seconds):
    return '—' if seconds is None else '%.2f s' % seconds


def ratio(value):
    return '—' if value is None else '%.2fx' % value


def met(flag):
    return '**met**' if flag else '**not met**'


def table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(str(cell) for cell in row) + ' |' for row in rows]
    return '\n'.join(lines)


class Report:
    def __init__(self, results):
        self.results = results
        self.targets = []
        self.causes = []

    def target(self, name, measured, flag, reason):
        self.targets.append((name, measured, met(flag) if flag is not None else 'not measured', reason))

    # --- sections ------------------------------------------------------------------------------

    def per_task(self, res, boot):
        cost, run_time = res['cost'], res['run']
        rows = [
            ['cost per task (start to next task start), median'] + [ms(cost[kind]) for kind in ('ping', 'ecs', 'zec')],
            ['run (start to result), median'] + [ms(run_time[kind]) for kind in ('ping', 'ecs', 'zec')],
            ['cost ratio to ping (median of the repeats\' ratios)', '1.00x', ratio(res['ratio']['ecs']), ratio(res['ratio']['zec'])],
            ['run ratio to ping', '1.00x', ratio(res['run_ratio']['ecs']), ratio(res['run_ratio']['zec'])],
            ['API calls per task (most in any task)', '0', res['calls']['ecs'], res['calls']['zec']],
        ]
        reps = [[number + 1, ms(rep['cost']['ping']), ms(rep['cost']['ecs']), ms(rep['cost']['zec']), ratio(rep['ratio']['ecs']),
                 ratio(rep['ratio']['zec']), sec(rep['wall'])] for number, rep in enumerate(res['repeats'])]
        worst = max(res['ratio'].values())
        extra = dict((kind, cost[kind] - cost['ping']) for kind in ('ecs', 'zec'))
        budget = 0.2 * cost['ping']
        reason = 'extra over ping: alicloud %s, zenlayer %s per task' % (ms(extra['ecs']), ms(extra['zec']))
        if boot:
            reason += '; the module\'s imports alone cost %s over a bare AnsibleModule (startup bench)' % ms(self.import_extra(boot))
        self.target('converged task <= 1.5x ansible.builtin.ping', 'alicloud %s, zenlayer %s (ping %s)' % (
            ratio(res['ratio']['ecs']), ratio(res['ratio']['zec']), ms(cost['ping'])), worst <= 1.5, reason)
        converged_calls = max(res['calls'].values())
        self.target('converged task: exactly 1 API call', 'alicloud %s, zenlayer %s (most in any of %d tasks each)' % (
            res['calls']['ecs'], res['calls']['zec'], res['count'] * len(res['repeats'])), converged_calls == 1,
            'one DescribeNetworkInterfaces per task' if converged_calls == 1 else 'redundant reads in a converged run')
        text = ['## 1. Per-task cost of a converged task vs `ansible.builtin.ping`', '',
                '%d tasks of each kind per repeat, %d repeats; each repeat is one `ansible-playbook` run on localhost (local connection) '
                'with ping, alicloud and zenlayer tasks interleaved (order rotating every triple). The interface is already attached, '
                'so each attachment task is a converged no-op. Times come from the controller (callback `bench_events`).' % (
                    res['count'], len(res['repeats'])), '',
                table(['', 'ansible.builtin.ping', 'alicloud_eni_attachment', 'zenlayer_vnic_attachment'], rows), '',
                table(['repeat', 'ping', 'alicloud', 'zenlayer', 'alicloud / ping', 'zenlayer / ping', 'playbook wall'], reps), '',
                '**What 1.2x would take.** 1.2x ping is %s per task, a budget of %s over ping; the modules spend %s (alicloud) and %s '
                '(zenlayer) over it, so they must shed %s and %s.' % (
                    ms(1.2 * cost['ping']), ms(budget), ms(extra['ecs']), ms(extra['zec']), ms(max(0.0, extra['ecs'] - budget)),
                    ms(max(0.0, extra['zec'] - budget)))]
        if boot:
            med = boot.get('cpu', boot['median'])
            swap = (med[REQUESTS] - med[BARE]) - (med[STDLIB] - med[BARE])
            text[-1] += (' Measured parts (startup bench, CPU time of a process): our imports over a bare AnsibleModule %s, of which '
                         '`import requests` %s (stdlib `http.client` + `ssl` instead: %s); our module_utils without requests: %s. '
                         'A direct converged run with its one API call costs %s against importing alone: the local call is cheap '
                         '(on a real cloud add its round trip, the same for any client). Lazy imports do not help a converged task, '
                         'which still makes one HTTP call; making that call on the stdlib instead of `requests` saves about %s, '
                         'leaving about %s (alicloud) and %s (zenlayer) over ping against the %s budget, i.e. about %s and %s.' % (
                             ms(self.import_extra(boot)), ms(med[REQUESTS] - med[BARE]), ms(med[STDLIB] - med[BARE]),
                             ms(med[NO_REQUESTS] - med[BARE]), '%+.0f ms' % ((med[startup.DIRECT] - med[OURS]) * 1000), ms(swap),
                             ms(extra['ecs'] - swap), ms(extra['zec'] - swap), ms(budget),
                             ratio((cost['ecs'] - swap) / cost['ping']), ratio((cost['zec'] - swap) / cost['ping'])))
        return '\n'.join(text)

    @staticmethod
    def import_extra(boot):
        cpu = boot.get('cpu', boot['median'])
        return cpu[OURS] - cpu[BARE]

    def calls(self, res):
        floors = res['floors']
        rows = []
        for scenario in calls.SCENARIOS:
            floor, budget = floors[scenario]
            cells = [scenario, floor, budget]
            for cloud in ('ecs', 'zec'):
                row = res['clouds'][cloud].get(scenario)
                if row is None:
                    cells.append('not run')
                    continue
                note = ' FAILED: %s' % row['msg'] if row['failed'] else ''
                cells.append('%d (`%s`)%s' % (row['calls'], row['sequence'], note))
            rows.append(cells)
        attach = [res['clouds'][cloud].get('attach', {}).get('calls') for cloud in ('ecs', 'zec')]
        budget = floors['attach'][1]
        if all(value is not None for value in attach):
            self.target('attach: at most 2 + ceil(delay / 1 s) API calls (delay %.0f s, calls bench)' % res['delay'],
                        'alicloud %d, zenlayer %d (budget %d, floor %d)' % (attach[0], attach[1], budget, floors['attach'][0]),
                        max(attach) <= budget, 'one read, one attach, one poll per second of transition' if max(attach) <= budget else
                        'more polls than one per second of transition')
        return '\n'.join([
            '## 2. API calls per scenario', '',
            'Transitions take %.1f s (attach and detach). Floor: the fewest calls that can do it (one read; plus the call and one '
            'confirming read per change). Budget: what polling once a second may spend (2 + ceil(delay / 1 s) per change). '
            'Sequences: R = DescribeNetworkInterfaces, A = AttachNetworkInterface, D = DetachNetworkInterface.' % res['delay'], '',
            table(['scenario', 'floor', '1 s-poll budget', 'alicloud_eni_attachment', 'zenlayer_vnic_attachment'], rows)])

    def wait(self, res):
        rows = []
        worst = {}
        attach_ok = True
        attach_detail = []
        for entry in res['delays']:
            delay = entry['delay']
            budget = 2 + math.ceil(delay / 1.0)
            for cloud in ('ecs', 'zec'):
                summary = entry['summary'][cloud]
                label = '%.1f s%s' % (delay, '' if entry['target'] else ' (off-grid, no target)')
                rows.append([label, CLOUD_NAMES[cloud], '%s / %d' % (summary['calls'], budget), sec(summary['overhead']),
                             sec(summary['max_overhead']), sec(summary['lateness']), sec(summary['tail']),
                             'yes' if summary['ok'] else 'NO'])
                if entry['target']:
                    worst[(delay, cloud)] = summary['max_overhead']
                    if summary['calls'] is None or summary['calls'] > budget:
                        attach_ok = False
                    attach_detail.append('%gs: %s/%d' % (delay, summary['calls'], budget))
        values = [value for value in worst.values() if value is not None]
        top = max(values) if values else None
        self.target('attach: at most 2 + ceil(delay / 1 s) API calls at every delay (wait bench)', ', '.join(sorted(set(attach_detail),
                    key=attach_detail.index)), attach_ok, 'fixed 1 s poll: 1 read + 1 attach + ceil(delay) polls' if attach_ok else
                    'polls exceed one per second')
        off_grid = [entry for entry in res['delays'] if not entry['target']]
        reason = 'largest single overhead %s' % sec(top)
        tails = [entry['summary'][cloud]['tail'] for entry in res['delays'] for cloud in ('ecs', 'zec') if entry['summary'][cloud]['tail']]
        if off_grid:
            lateness = [entry['summary'][cloud]['lateness'] for entry in off_grid for cloud in ('ecs', 'zec')]
            reason += ('; but only because integer delays line up with the fixed 1 s poll: off the grid (%s) the poll is %s late, and a '
                       'transition just after a poll would cost ~1.0 s + the tail (median %s) = ~%s, over 1.2 s' % (
                           ', '.join('%g s' % entry['delay'] for entry in off_grid), sec(max(value for value in lateness if value is not None)),
                           sec(median(tails)), sec(1.0 + (median(tails) or 0))))
        self.target('wait overhead <= 1.2 s beyond the transition at delays %s' % ', '.join(
            '%g s' % entry['delay'] for entry in res['delays'] if entry['target']), 'worst %s (median per delay and cloud up to %s)' % (
                sec(top), sec(max(entry['summary'][cloud]['overhead'] or 0 for entry in res['delays'] if entry['target']
                                  for cloud in ('ecs', 'zec')))), top is not None and top <= 1.2, reason)
        return '\n'.join([
            '## 3. Wait overhead after the cloud\'s transition', '',
            'Per delay: one `ansible-playbook` run, hosts `ecs` and `zec` side by side (strategy free), each attaching %d interfaces '
            'one after another. Overhead = the controller receiving the result - the moment the transition fell due in the emulator '
            '(`last_transition.at` in its state). Poll lateness = the first read after the transition - the transition; tail = the '
            'result - that read (module exit, result back to the controller). Medians over the attaches; max = the largest single one.'
            % res['repeats'], '',
            table(['attach delay', 'module', 'attach calls / budget', 'overhead (median)', 'overhead (max)', 'poll lateness', 'tail',
                   'attached'], rows)])

    def fleet(self, res):
        phases = (('from scratch', res['from_scratch']), ('re-converge', res['reconverge']))
        rows = []
        for name, entry in phases:
            rows.append([name, sec(entry['wall']), entry['calls'], entry['answered'], entry['throttled'], entry['failures'],
                         entry['changed'], '%.1f' % (entry['calls_per_second'] or 0),
                         ', '.join('%s %d' % (cloud, entry['by_cloud'][cloud]['throttled']) for cloud in ('ecs', 'zec'))])
        scratch, again = res['from_scratch'], res['reconverge']
        answered_ok = again['answered'] == res['interfaces'] and again['failures'] == 0
        measured = '%d calls (%d answered + %d throttled answers), %d failures' % (
            again['calls'], again['answered'], again['throttled'], again['failures'])
        self.target('fleet re-converge: %d calls in all, 0 failures' % res['interfaces'], measured,
                    again['calls'] == res['interfaces'] and again['failures'] == 0,
                    ('one read per interface' if again['calls'] == res['interfaces'] else
                     'answered calls %s; the extra %d are throttled answers retried under the %.0f/s limit' % (
                         'are exactly one per interface' if answered_ok else '= %d' % again['answered'], again['throttled'],
                         res['rate'])) + (', failures: %s' % '; '.join(again['failure_messages']) if again['failures'] else ''))
        self.target('fleet from scratch: 0 failures under throttling (%.0f calls/s per key, burst %d)' % (res['rate'], res['burst']),
                    '%d failures, %d throttled answers' % (scratch['failures'], scratch['throttled']), scratch['failures'] == 0,
                    'every throttled call was retried to success' if scratch['failures'] == 0 else
                    'retries ran out: %s' % (scratch['failure_messages'][0] if scratch['failure_messages'] else 'see the table'))
        lines = ['## 4. Fleet: %d interfaces, %d hosts, forks %d, throttled' % (res['interfaces'], res['hosts'], res['forks']), '',
                 'Emulator flow control: %.1f calls/s per access key, burst %d (ECS 400 `Throttling.User`, ZEC 429 '
                 '`REQUEST_LIMIT_EXCEEDED`); transitions %.1f s. Wall = the whole `ansible-playbook` run. Answered = calls not throttled; '
                 'a throttled answer is one retry the client had to make (or a failure when it gave up).' % (
                     res['rate'], res['burst'], res['delay']), '',
                 table(['phase', 'wall', 'calls', 'answered', 'throttled answers (retries)', 'failed interfaces', 'changed', 'calls/s',
                        'throttled per cloud'], rows), '',
                 'Answered calls by action, from scratch: %s; throttled answers by action: %s.' % (
                     self.actions(scratch['answered_by_action']), self.actions(scratch['throttled_by_action']))]
        if scratch.get('left_unattached') is not None and scratch['failures']:
            lines.append('The from-scratch run left %d interfaces unattached (attached in the emulator before the re-run); the other %d '
                         'failed tasks had their attach accepted and then gave up on a throttled poll, reporting failure for an '
                         'interface that did get attached.' % (scratch['left_unattached'], scratch['failures'] - scratch['left_unattached']))
        for name, entry in phases:
            if entry['failure_messages']:
                lines.append('')
                lines.append('Failures (%s), first distinct messages:' % name)
                lines += ['- `%s`' % message for message in entry['failure_messages']]
        return '\n'.join(lines)

    @staticmethod
    def actions(counts):
        return ', '.join('%s %d' % (action, count) for action, count in sorted(counts.items())) or 'none'

    def startup(self, res):
        wall, cpu, fastest = res['median'], res.get('cpu', res['median']), res.get('fastest', res['median'])
        rows = [[name, ms(wall[name]), ms(fastest[name]), ms(cpu[name]), '%+.0f ms' % ((cpu[name] - cpu[BARE]) * 1000)]
                for name in list(startup.VARIANTS) + [startup.DIRECT] if name in wall]
        parts = [[name, ms(res['parts'].get(name))] for name in startup.PARTS]
        return '\n'.join([
            '## 5. Module start-up: our client vs a bare module vs the official SDK', '',
            'A Python process imports what the module imports, builds an `AnsibleModule` and exits (%d runs each, variants '
            'interleaved). CPU = user + system time of the process, which noisy neighbours inflate far less than wall time; the '
            'differences below use it. The collection comes from `.build/collections` on disk; under Ansible the same code is '
            'imported from the AnsiballZ zip. The direct run executes our alicloud module against the emulator (converged: %.0f API '
            'call).' % (res['repeats'], res['direct_calls']), '',
            table(['variant', 'wall (median)', 'wall (fastest)', 'CPU (median)', 'CPU vs bare AnsibleModule'], rows), '',
            '**What the thin client saves:** importing the official ECS SDK costs %s of CPU over a bare module, our whole module '
            '%s: %s saved per task (and per loop item) on every host.' % (
                ms(cpu[SDK] - cpu[BARE]), ms(cpu[OURS] - cpu[BARE]), ms(cpu[SDK] - cpu[OURS])), '',
            'Cumulative `-X importtime` inside `import alicloud_eni_attachment` (median of 5):', '',
            table(['module', 'cumulative import'], parts)])

    def causes_section(self):
        res = self.results
        lines = ['## Where the cost is (for the next change)', '']
        if 'wait' in res:
            off = [entry for entry in res['wait']['delays'] if not entry['target']]
            on = [entry for entry in res['wait']['delays'] if entry['target']]
            late_on = max((entry['summary'][c]['lateness'] or 0) for entry in on for c in ('ecs', 'zec')) if on else None
            text = ('- **Polling**: a fixed 1.0 s poll (%s). Attach calls = 2 + ceil(delay) exactly (%s). At integer delays the poll '
                    'lands just after the transition (lateness up to %s), which flatters a fixed 1 s poll' % (
                        POLL_SOURCE, ', '.join('%g s: %s' % (entry['delay'], entry['summary']['ecs']['calls']) for entry in on),
                        sec(late_on)))
            if off:
                text += '; off the grid the lateness is %s (%s), i.e. up to a whole interval on a real cloud' % (
                    ', '.join(sec(entry['summary']['ecs']['lateness']) for entry in off), ', '.join('%g s' % entry['delay'] for entry in off))
            tails = [entry['summary'][c]['tail'] for entry in res['wait']['delays'] for c in ('ecs', 'zec') if entry['summary'][c]['tail']]
            if tails:
                text += '. The tail after the last read (module exit + result to the controller) is %s to %s' % (sec(min(tails)), sec(max(tails)))
            lines.append(text + '.')
        if 'startup' in res:
            med = res['startup'].get('cpu', res['startup']['median'])
            parts = res['startup']['parts']
            lines.append('- **Imports** (CPU time): our module imports cost %s over a bare AnsibleModule; `requests` %s of cumulative import time '
                         '(urllib3 %s); `client.py` %s cumulative, `alicloud.py` %s. With requests made unimportable our imports cost %s '
                         'over bare. The official SDK would cost %s.' % (
                             ms(med[OURS] - med[BARE]), ms(parts.get('requests')), ms(parts.get('urllib3')),
                             ms(parts.get(startup.PARTS[3])), ms(parts.get(startup.PARTS[4])), ms(med[NO_REQUESTS] - med[BARE]),
                             ms(med[SDK] - med[BARE])))
        if 'per_task' in res:
            pt = res['per_task']
            lines.append('- **Per task**: ping %s, alicloud %s, zenlayer %s (cost, median); the attachment modules add %s / %s per task.' % (
                ms(pt['cost']['ping']), ms(pt['cost']['ecs']), ms(pt['cost']['zec']), ms(pt['cost']['ecs'] - pt['cost']['ping']),
                ms(pt['cost']['zec'] - pt['cost']['ping'])))
        if 'fleet' in res:
            scratch = res['fleet']['from_scratch']
            polls = scratch['answered_by_action'].get('DescribeNetworkInterfaces', 0) - res['fleet']['interfaces']
            lines.append('- **Throttling**: %s retries each call at most 5 times with full jitter (mean pause ~0.25, 0.5, 1, 2 s: about 4 s '
                         'in all) and no shared pacing across forks; from scratch %d throttled answers, %d failures. Polls add load '
                         'to the same quota: %d answered reads beyond the one initial read per interface, of %d answered calls; '
                         'throttled answers by action: %s. Failed interfaces by reason: %s.' % (
                             RETRY_SOURCE, scratch['throttled'], scratch['failures'], max(0, polls), scratch['answered'],
                             self.actions(scratch['throttled_by_action']), self.actions(scratch.get('failures_by_reason', {}))))
        return '\n'.join(lines)


def render(results):
    rep = Report(results)
    sections = []
    boot = results.get('startup')
    if 'per_task' in results:
        sections.append(rep.per_task(results['per_task'], boot))
    if 'calls' in results:
        sections.append(rep.calls(results['calls']))
    if 'wait' in results:
        sections.append(rep.wait(results['wait']))
    if 'fleet' in results:
        sections.append(rep.fleet(results['fleet']))
    if boot:
        sections.append(rep.startup(boot))
    machine = results.get('machine', {})
    head = ['# Benchmarks: results', '',
            'Written by `make bench` (`benchmarks/run.py`) on %s in %.0f s. %s' % (
                time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(results['started'])), results['finished'] - results['started'],
                ', '.join('%s: %s' % (key, value) for key, value in sorted(machine.items()))), '',
            'What each bench does and how to run it: [README.md](README.md). Raw figures: `results.json`.']
    if results.get('quick'):
        head += ['', '**QUICK MODE: sizes shrunk to check the benches run; do not quote these figures.**']
    head += ['', '## Targets', '', table(['target', 'measured', 'met?', 'why'], rep.targets)]
    return '\n\n'.join(['\n'.join(head)] + sections + [rep.causes_section()]) + '\n'
