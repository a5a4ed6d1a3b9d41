# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turns the benchmarks' results into benchmarks/results.md: targets first, then each bench, then where the cost is."""

from __future__ import annotations

import math
import statistics
import time

import calls
import list_form
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


def ratio_text(value):
    return ratio(value)


THROTTLED_CODES = ('Throttling', 'REQUEST_LIMIT_EXCEEDED')
BENCH_ORDER = ('per_task', 'cpu', 'calls', 'wait', 'fleet', 'list', 'startup')
EMULATOR_MODE = {
    'per_task': 'rough defaults (converged tasks: one read, nothing moves)',
    'cpu': 'rough defaults (converged tasks)',
    'calls': 'exact (`control.EXACT`: calls of the module\'s own logic, no read lag)',
    'wait': 'exact (with a 2 s read lag every overhead would be >= 2 s, the cloud\'s, not the module\'s)',
    'fleet': 'rough defaults (reads lag 2 s)',
    'list': 'rough defaults (reads lag 2 s, ECS OperationConflict)',
    'startup': 'rough defaults (converged)',
}
WRITES = ('AttachNetworkInterface', 'DetachNetworkInterface')


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

    def cpu(self, res, boot):
        per, ratio = res['per_task_median'], res['ratio']
        rows = []
        for kind, label in (('ping', 'ansible.builtin.ping'), ('ecs', 'alicloud_eni_attachment'), ('zec', 'zenlayer_vnic_attachment')):
            values = res['per_task'][kind]
            cells = [label, ms(per[kind]), '%s - %s' % (ms(min(values)), ms(max(values)))]
            if kind == 'ping':
                cells += ['1.00x', '1.00x', '—']
            else:
                cells += [ratio_text(ratio[kind]), ratio_text(res['ratio_of_medians'][kind]),
                          ', '.join('%.2f' % value for value in res['ratios'][kind])]
            rows.append(cells)
        worst = max(ratio.values())
        breakdown = self.cpu_breakdown(res, boot)
        reason = ('extra CPU per task over ping: alicloud %s, zenlayer %s' % (ms(per['ecs'] - per['ping']), ms(per['zec'] - per['ping'])))
        if breakdown:
            reason += '; ' + breakdown['short']
        self.target('converged task CPU time <= 1.25x ansible.builtin.ping (whole ansible-playbook tree)',
                    'alicloud %s, zenlayer %s (ping %s per task)' % (ratio_text(ratio['ecs']), ratio_text(ratio['zec']), ms(per['ping'])),
                    worst <= 1.25, reason)
        text = ['## 1b. CPU time per task (the steadier figure)', '',
                'For each kind a playbook of %d task(s) and one of %d run on localhost; per-task CPU = (CPU of the large run - CPU of '
                'the small run) / %d, where CPU is user + system time of the whole `ansible-playbook` process tree '
                '(`getrusage(RUSAGE_CHILDREN)` around it: controller, workers, module processes). %d rounds, the six playbooks of a '
                'round in a rotating order. Ratio = median over rounds of (kind / ping in the same round).' % (
                    res['small'], res['large'], res['large'] - res['small'], res['repeats']), '',
                table(['', 'CPU per task (median)', 'range over rounds', 'ratio to ping (median of rounds)', 'ratio of medians',
                       'ratio per round'], rows)]
        if breakdown:
            text += ['', breakdown['long']]
        return '\n'.join(text)

    def cpu_breakdown(self, res, boot):
        """Split a converged task's extra CPU with the startup bench's AnsiballZ runs (same run of make bench, other minutes)."""
        az = (boot or {}).get('ansiballz')
        if not az:
            return None
        cpu = az['cpu']
        ping = cpu['ping']
        requests_cost = cpu[startup.AZ_PING_REQUESTS] - ping
        ours = cpu[startup.AZ_IMPORTS_ONLY] - cpu[startup.AZ_PING_REQUESTS]
        work = cpu['alicloud'] - cpu[startup.AZ_IMPORTS_ONLY]
        per = res['per_task_median']
        allowance = 0.25 * per['ping']
        loads = self.results.get('load', {})
        when = ''
        if 'cpu' in loads and 'startup' in loads:
            when = ' (the cpu bench ran at load %.1f -> %.1f, the startup bench at %.1f -> %.1f)' % tuple(loads['cpu'] + loads['startup'])
        short = ('module process (AnsiballZ, run directly): ping %s; over it `import requests` adds %s, our module_utils %s, the '
                 'module\'s work %s' % (ms(ping), ms(requests_cost), ms(ours), ms(work)))
        long = ('**Where a converged task\'s CPU goes.** The startup bench runs the AnsiballZ files Ansible wrote (medians of %d '
                'interleaved runs): the ping module process costs %s; over it the alicloud module process adds `import requests` %s '
                '(ping + `import requests`), our module_utils and module file imported from the zip %s (per file: section 5), and '
                'its work (argument checks, one signed call through requests, the result) %s: %s in all. Here, a whole converged '
                'task costs %s over ping (alicloud; zenlayer %s), the controller\'s extra included. 1.25x allows %s over ping: '
                '`import requests` alone is %.0f%% of that allowance%s, %s' % (
                    az['repeats'], ms(ping), ms(requests_cost), ms(ours), ms(work), ms(cpu['alicloud'] - ping),
                    ms(per['ecs'] - per['ping']), ms(per['zec'] - per['ping']), ms(allowance), 100 * requests_cost / allowance, when,
                    'so 1.25x cannot be reached while the module imports requests.' if requests_cost >= allowance else
                    'which leaves %s for our own code, its work and the controller\'s extra: a margin within the noise of this '
                    'measure (see the ratio per round).' % ms(allowance - requests_cost)))
        return {'short': short, 'long': long}

    def list_form(self, res, loop):
        count, rate = res['count'], res['rate']
        recon = res['reconverge']
        rows, side = [], []
        for cloud in res['clouds']:
            name = CLOUD_NAMES[cloud]
            row = recon[cloud]
            self.target('list form, %s: re-converge %d interfaces in 2 API calls' % (name, count),
                        '%d calls (most in any of %d list tasks)' % (row['most_list_calls'], len(row['list_calls'])),
                        row['most_list_calls'] == math.ceil(count / 100.0), 'one batched read per 100 interfaces'
                        if row['most_list_calls'] == math.ceil(count / 100.0) else 'calls per list task: %s' % row['list_calls'])
            self.target('list form, %s: re-converge %d interfaces in <= 2x the wall time of one converged single task' % (name, count),
                        '%s (list %s, single %s, medians; pairs %s)' % (
                            ratio_text(row['ratio']), ms(row['list_cost']), ms(row['single_cost']),
                            ', '.join('%.2f' % value for value in row['pair_ratios'])),
                        row['ratio'] <= 2.0, 'median over %d interleaved pairs of (list task / single task before it)' % len(row['pair_ratios']))
            per = res.get(cloud, {})
            scratch = per.get('scratch')
            if scratch:
                budget = list_form.call_budget(scratch, count)
                self.target('list form, %s: from scratch, %d interfaces, no flow control: calls <= %d attaches + 2 + 2 per poll round' % (
                    name, count, count), '%d calls <= %d (%d writes, %d initial reads, %d poll reads in %d rounds)' % (
                        scratch['calls'], budget, scratch['writes'], scratch['initial_reads'], scratch['poll_reads'], scratch['rounds']),
                    scratch['calls'] <= budget, 'poll reads per round: %s' % (scratch['round_sizes'] or 'none'))
                self.target('list form, %s: from scratch, %d interfaces, transitions %g s, no flow control: wall <= 10 s' % (
                    name, count, res['delay']), '%s (task start to result)' % sec(scratch['span']), scratch['span'] <= 10.0,
                    self.span_reason(scratch))
                self.changed_target(name, 'from scratch', scratch, count)
            limited = per.get('throttled')
            if limited:
                share = limited['throttled'] / float(limited['calls']) if limited['calls'] else 0.0
                bound = 1.3 * limited['calls'] / rate
                self.target('list form, %s: from scratch under %g calls/s (burst %d): 0 failures, throttled <= 10%% of calls, '
                            'wall <= 1.3 x calls / %g per s' % (name, rate, res['burst'], rate),
                            '%d failed items; %d of %d calls throttled (%.1f%%); %s <= %s' % (
                                limited['items_failed'] or 0, limited['throttled'], limited['calls'], 100 * share, sec(limited['span']), sec(bound)),
                            (limited['items_failed'] == 0 and not limited['failed']) and share <= 0.10 and limited['span'] <= bound,
                            'calls by outcome: %s' % self.actions(limited['by_outcome']))
                self.changed_target(name, 'from scratch under flow control', limited, count)
            big = per.get('big')
            if big:
                self.target('list form, %s: re-converge %d interfaces in %d API calls' % (name, res['big'], math.ceil(res['big'] / 100.0)),
                            '%d calls' % big['calls'], big['calls'] == math.ceil(res['big'] / 100.0), 'one batched read per 100 interfaces')
                self.target('list form, %s: peak RSS of the module process, %d interfaces, < 150 MB' % (name, res['big']),
                            '%.0f MB' % big['peak_rss_mb'] if big['peak_rss_mb'] else 'not measured',
                            big['peak_rss_mb'] is not None and big['peak_rss_mb'] < 150,
                            'ru_maxrss of the module process alone (interpreter wrapper, os.wait4); its CPU %s, task %s' % (
                                sec(big['module_cpu']), sec(big['span'])))
            for label, entry in (('from scratch', scratch), ('from scratch, %g calls/s' % rate, limited),
                                 ('again (converged), %g calls/s' % rate, per.get('throttled_again')), ('%d converged' % res['big'], big)):
                if entry:
                    rows.append(self.list_row(name, label, entry))
            if limited and loop:
                side.append([name, '%d in 1 task on localhost' % count, sec(limited['span']), limited['calls'], limited['throttled'],
                             limited['items_failed'], sec(per['throttled_again']['span']), per['throttled_again']['calls']])
        conflict = res.get('conflict')
        if conflict:
            rows.append(self.list_row(CLOUD_NAMES['ecs'], '10 ENIs on each of %d instances (no target)' % (count // 10), conflict))
        if loop:
            scratch, again = loop['from_scratch'], loop['reconverge']
            side.insert(0, ['loop: (fleet bench)', '%d over %d hosts, %d items each, forks %d' % (
                loop['interfaces'], loop['hosts'], loop['interfaces'] // loop['hosts'], loop['forks']), sec(scratch['wall']), scratch['calls'],
                scratch['throttled'], scratch['failures'], sec(again['wall']), again['calls']])
        text = ['## 4b. The list form (`attachments`): many interfaces in one task', '',
                'On the rough emulator (its defaults: reads lag writes by 2 s, ECS refuses an attach to an instance whose other ENI is '
                'moving). Worlds: %d instances each with one secondary interface (a fleet of servers), transitions %g s. Each list task '
                'runs after a warm-up task of the same module in the same playbook (the controller\'s first-task costs are not the list '
                'form\'s); span = the task\'s start to its result on the controller. Module processes run under an interpreter '
                'wrapper that records their peak RSS (`common.RUSAGE_WRAPPER`). Poll rounds: the reads after the first write, '
                'grouped where each is answered within %g s of the one before (the chunks of one batched read go back to back; '
                'rounds start at least 0.5 s apart).' % (count, res['delay'], res.get('round_gap', 0.5)), '',
                table(['module', 'run', 'span', 'calls', 'writes (accepted)', 'reads: initial + poll (rounds)', 'throttled',
                       'items changed / failed', 'first call at', 'result after last call', 'peak RSS'], rows)]
        text += ['', 'Re-converge, interleaved with a converged single task (%d pairs per module, one playbook):' % res['repeats'], '',
                 table(['module', 'single task (median cost)', 'list of %d (median cost)' % count, 'list / single (median of pairs)',
                        'ratio of medians', 'calls per list task'],
                       [[CLOUD_NAMES[cloud], ms(recon[cloud]['single_cost']), ms(recon[cloud]['list_cost']), ratio_text(recon[cloud]['ratio']),
                         ratio_text(recon[cloud]['ratio_of_medians']), ', '.join(str(value) for value in recon[cloud]['list_calls'])]
                        for cloud in res['clouds']])]
        if side:
            text += ['', '**Side by side with the `loop:` form** (flow control %g calls/s per access key, burst %d; transitions %g s; '
                     'the loop\'s fleet spreads 200 interfaces over both clouds, so over two access keys):' % (rate, res['burst'], res['delay']),
                     '', table(['form', 'interfaces', 'from scratch: wall', 'calls', 'throttled', 'failed', 're-converge: wall', 'calls'], side)]
        if conflict:
            text += ['', 'ECS with 10 ENIs per instance (no target): the list form sends attaches for one instance side by side; ECS '
                     'refuses each one while another ENI of that instance is attaching (409 `OperationConflict`), and the item backs '
                     'off and sends again: %s.' % self.actions(conflict['by_outcome'])]
        return '\n'.join(text)

    def changed_target(self, name, label, entry, count):
        changed = entry['items_changed'] or 0
        refused = dict((key, number) for key, number in entry['by_outcome'].items()
                       if key.split()[0] in WRITES and key.split()[-1] != 'ok' and not any(code in key for code in THROTTLED_CODES))
        self.target('list form, %s: %s, every interface this task attached reports changed (added: the module\'s promise)' % (name, label),
                    '%d of %d items changed' % (changed, count), changed == count,
                    'every attach accepted once' if changed == count and not refused else
                    '%d writes refused (%s) after their interface was attached: accepted attaches taken for ones that did nothing '
                    'and sent again (see "Where the cost is")' % (sum(refused.values()), self.actions(refused)))

    @staticmethod
    def span_reason(entry):
        return 'first call %s after the task start, writes over %s, the result %s after the last call' % (
            sec(entry['first_call']), sec(entry.get('write_span')), sec(entry['after_last_call']))

    @staticmethod
    def list_row(name, label, entry):
        return [name, label, sec(entry['span']), entry['calls'], '%d (%d)' % (entry['writes'], entry['accepted_writes']),
                '%d + %d (%d)' % (entry['initial_reads'], entry['poll_reads'], entry['rounds']), entry['throttled'],
                '%s / %s' % (entry['items_changed'], entry['items_failed']), sec(entry['first_call']), sec(entry['after_last_call']),
                '%.0f MB' % entry['peak_rss_mb'] if entry['peak_rss_mb'] else '—']

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
            table(['module', 'cumulative import'], parts)] + self.ansiballz(res.get('ansiballz')))

    @staticmethod
    def ansiballz(az):
        if not az:
            return []
        cpu, fastest = az['cpu'], az['fastest_cpu']
        rows = [[name, ms(cpu[name]), ms(fastest[name]), '%+.0f ms' % ((cpu[name] - cpu['ping']) * 1000)] for name in startup.AZ_ORDER]
        sizes = [[name, '%.0f kB' % (az['wrapper_bytes'][name] / 1000.0), az['payload'][name]['files'],
                  '%.0f kB' % (az['payload'][name]['source_bytes'] / 1000.0), '%.0f kB' % (az['payload'][name]['zip_bytes'] / 1000.0)]
                 for name in ('ping', 'alicloud', 'zenlayer')]
        files = [[name.replace('module_utils.', '').replace('modules.', ''), ms(value)] for name, value in az['files'].items()]
        return ['', '### The AnsiballZ way: the module process as Ansible runs it', '',
                'The AnsiballZ files of a converged ping, alicloud and zenlayer task (kept with `ANSIBLE_KEEP_REMOTE_FILES`), run '
                'directly against the emulator, %d times each, interleaved; CPU of the process. Two variants edit the zip: ping that '
                'also imports `requests`; alicloud whose `main()` only builds a bare `AnsibleModule` (its imports without its work). '
                'Inside AnsiballZ every module_utils file is compiled from the zip\'s source at every run (no bytecode cache); '
                '`requests` comes from site-packages.' % az['repeats'], '',
                table(['module process', 'CPU (median)', 'CPU (fastest)', 'vs ping'], rows), '',
                table(['payload', 'AnsiballZ file', 'files in the zip', 'source in the zip', 'zip'], sizes), '',
                'CPU each of our files adds when imported from the alicloud payload zip after `ansible.module_utils.basic` and '
                '`requests` (each imported in the order the module imports them; medians): %s; in all %s.' % (
                    ', '.join('%s %s' % (name, value) for name, value in files), ms(sum(az['files'].values())))]

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
        if 'cpu' in res:
            breakdown = self.cpu_breakdown(res['cpu'], res.get('startup'))
            if breakdown:
                lines.append('- **CPU per converged task**: %s (section 1b and 5).' % breakdown['short'])
        if 'list' in res:
            lines += self.list_causes(res['list'])
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

    @staticmethod
    def list_causes(res):
        lines = []
        resent = []
        for cloud in res['clouds']:
            for label in ('scratch', 'throttled'):
                entry = res.get(cloud, {}).get(label)
                if not entry:
                    continue
                refused = sum(number for key, number in entry['by_outcome'].items()
                              if key.split()[0] in WRITES and key.split()[-1] != 'ok' and not any(code in key for code in THROTTLED_CODES))
                if refused or (entry['items_changed'] or 0) < res['count']:
                    resent.append('%s %s: %d refused writes, %s of %d items changed' % (
                        CLOUD_NAMES[cloud], 'under flow control' if label == 'throttled' else 'from scratch', refused,
                        entry['items_changed'], res['count']))
        if resent:
            lines.append('- **List form, an accepted attach sent again** (%s): `reconciler.py` `_write` stamps `call.sent_at` when it '
                         'yields the Write effect; the fleet driver queues that write behind `concurrency` threads and the rate limiter '
                         '(and the client retries throttled answers), so the write can reach the cloud many seconds later. `_settle` then '
                         'takes the first poll that still shows the interface free (reads lag 2 s) for an accepted call "that no read '
                         'showed happening within READ_LAG_GRACE (15 s)", marks it UNDONE and sends it again; the cloud refuses the '
                         'copy (the interface is attached) and the item reports `changed: false` for an interface this task attached. '
                         'Proposed fix (reconciler, not done here): stamp `call.sent_at = self._clock()` once the Write returns '
                         'accepted (the grace runs from the cloud\'s answer).' % '; '.join(resent))
        conflict = res.get('conflict')
        if conflict:
            conflicts = sum(number for key, number in conflict['by_outcome'].items() if 'OperationConflict' in key)
            lines.append('- **List form on ECS, several ENIs per instance**: %d of %d calls were 409 `OperationConflict` (%s for %d '
                         'ENIs, 10 per instance, no flow control; the list task took %s). The driver sends attaches of one instance '
                         'side by side; ECS takes one at a time. Proposal: an adapter trait (ECS: one write per instance in flight, '
                         'until the interface settles) honoured by `fleet.py` when it picks the next write.' % (
                             conflicts, conflict['calls'], ', '.join('%s %d' % item for item in sorted(conflict['by_outcome'].items())),
                             res['count'], sec(conflict['span'])))
        return lines


def render(results):
    rep = Report(results)
    sections = []
    boot = results.get('startup')
    if 'per_task' in results:
        sections.append(rep.per_task(results['per_task'], boot))
    if 'cpu' in results:
        sections.append(rep.cpu(results['cpu'], boot))
    if 'calls' in results:
        sections.append(rep.calls(results['calls']))
    if 'wait' in results:
        sections.append(rep.wait(results['wait']))
    if 'fleet' in results:
        sections.append(rep.fleet(results['fleet']))
    if 'list' in results:
        sections.append(rep.list_form(results['list'], results.get('fleet')))
    if boot:
        sections.append(rep.startup(boot))
    machine = results.get('machine', {})
    head = ['# Benchmarks: results', '',
            'Written by `make bench` (`benchmarks/run.py`) on %s in %.0f s. %s' % (
                time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(results['started'])),
                sum(results.get('durations', {}).values()) or results['finished'] - results['started'],
                ', '.join('%s: %s' % (key, value) for key, value in sorted(machine.items()))), '',
            'What each bench does and how to run it: [README.md](README.md). Raw figures: `results.json`.', '',
            'Emulator: %s.' % ', '.join('%s %s' % (name, EMULATOR_MODE[name]) for name in BENCH_ORDER if name in results)]
    if results.get('updated'):
        head += ['', 'Run again since, with `--update` (the other benches\' figures kept): %s.' % ', '.join(
            '%s on %s' % (name, time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(results['updated'][name])))
            for name in BENCH_ORDER if name in results['updated'])]
    if results.get('load'):
        head += ['', 'Load average (1 min) at the start and end of each bench (2 CPUs; other work shares the machine): %s.' % ', '.join(
            '%s %.1f -> %.1f' % (name, results['load'][name][0], results['load'][name][1]) for name in BENCH_ORDER if name in results['load'])]
    if results.get('quick'):
        head += ['', '**QUICK MODE: sizes shrunk to check the benches run; do not quote these figures.**']
    head += ['', '## Targets', '', table(['target', 'measured', 'met?', 'why'], rep.targets)]
    return '\n\n'.join(['\n'.join(head)] + sections + [rep.causes_section()]) + '\n'
