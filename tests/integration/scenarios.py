# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reliability, security and bad-input matrix of both attachment modules, as data, and how to run it.

Each ``Scenario`` is one row on one cloud: how its emulator is set up (the interface's starting state, world
changes, settings, fault rules), the module arguments, and what must come out (``Expect``): changed and failed, the
error code, words the message must contain, every API call made (per action, with outcomes), and the interface's
final state in the emulator.

``test_faults.py``, ``test_security.py`` and ``test_bad_input.py`` parametrize over ``FAULTS``, ``SECURITY`` and
``BAD_INPUT``; ``tools/reliability_doc.py`` renders ``docs/reliability.md`` from the same rows, so the document
cannot drift from what is tested.

How a batch runs (``run``): every row gets its own emulator (``control.Emulator.start_group``: many emulators in
one process, each with its own world, faults and call log), and one ``ansible-playbook`` run makes one inventory
host per row, all side by side (strategy ``free``); each host runs the real module once with the row's arguments
and environment. A row with ``hosts=2`` puts two hosts on one emulator: two tasks racing on one interface.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_STATE = HERE.parent / 'emulator' / 'default_state.json'

DESCRIBE = 'DescribeNetworkInterfaces'
ATTACH = 'AttachNetworkInterface'
DETACH = 'DetachNetworkInterface'
DESCRIBE_INSTANCES = 'DescribeInstances'
DESCRIBE_TYPES = 'DescribeInstanceTypes'
ACTIONS = (DESCRIBE, ATTACH, DETACH, DESCRIBE_INSTANCES, DESCRIBE_TYPES)
MUTATING = (ATTACH, DETACH)
THROTTLED_ATTEMPTS = 20  # client.RetryPolicy().throttled_attempts: throttling earns more attempts than a failure
PACING_BETA = 0.7  # pacing.BETA: after a throttle, the list form's rate limiter allows this share of the admitted rate
PAUSE_SLACK = 0.5  # seconds a paced call may come after its due time on a loaded machine

# The emulator's STS credentials (default_state.json) and credentials no emulator knows.
# Secrets reach the module as arguments (no_log), never through a task's ``environment:``: at -vvv Ansible prints that.
STS = {'access_key_id': 'STS.EMULATOR0001', 'access_key_secret': 'emulator-sts-secret-0001', 'security_token': 'emulator-sts-token-0001'}
UNKNOWN_TOKEN = 'unknown-sts-token-7d3a'
STS_UNKNOWN_TOKEN = dict((key, UNKNOWN_TOKEN if key == 'security_token' else value) for key, value in STS.items())
WRONG_SECRETS = {'ecs': 'wrong-secret-4e1f-not-the-emulators', 'zec': 'wrong-password-9b2c-not-the-emulators'}
CLOSED_PORT_URL = 'http://127.0.0.1:1'  # nothing listens on port 1: connection refused
CA_FILE = '{ca_file}'  # replaced by the path of the test CA that signed the HTTPS emulator's certificate


class Cloud:
    """What the matrix needs to know about one cloud: module, option names, ids, status words and codes."""

    def __init__(self, name, label, module, id_option, secret_option, words, ids, codes, env):
        self.name = name
        self.label = label
        self.module = module
        self.id_option = id_option
        self.secret_option = secret_option
        self.available, self.attaching, self.attached, self.detaching = words
        self.nic, self.target, self.other, self.primary, self.stopped = ids['nic'], ids['target'], ids['other'], ids['primary'], ids['stopped']
        self.codes = codes
        self.env = env  # option -> the environment variable the tests set it with

    def retry_after(self, seconds):
        """The fault rule's ``retry_after`` for a pause of ``seconds``: ECS sends milliseconds, ZEC seconds."""
        return int(seconds * 1000) if self.name == 'ecs' else seconds

    def __repr__(self):
        return self.name


ECS = Cloud(
    'ecs', 'Alibaba ECS', 'cloudnet.nic.alicloud_eni_attachment', 'eni_id', 'access_key_secret',
    ('Available', 'Attaching', 'InUse', 'Detaching'),
    dict(nic='eni-emu-1', target='i-emu-running', other='i-emu-running2', primary='eni-emu-primary', stopped='Stopped'),
    dict(throttle='Throttling', throttle_user='Throttling.User', e500='InternalError', e503='ServiceUnavailable',
         attach_race='InvalidOperation.InvalidEniState', detach_race='InvalidOperation.InvalidEniState',
         wrong_key='InvalidAccessKeyId.NotFound', wrong_secret='SignatureDoesNotMatch', skew='InvalidTimeStamp.Expired'),
    dict(access_key_id='ALIBABA_CLOUD_ACCESS_KEY_ID', secret='ALIBABA_CLOUD_ACCESS_KEY_SECRET', endpoint='ALIBABA_CLOUD_ENDPOINT_ECS',
         region='ALIBABA_CLOUD_REGION_ID'),
)
ZEC = Cloud(
    'zec', 'Zenlayer ZEC', 'cloudnet.nic.zenlayer_vnic_attachment', 'nic_id', 'access_key_password',
    ('AVAILABLE', 'ATTACHING', 'USED', 'DETACHING'),
    dict(nic='nic-emu-1', target='ins-emu-running', other='ins-emu-running2', primary='nic-emu-primary', stopped='STOPPED'),
    dict(throttle='REQUEST_LIMIT_EXCEEDED', throttle_user='REQUEST_LIMIT_EXCEEDED', e500='INTERNAL_SERVER_ERROR',
         e503='SERVICE_TEMPORARY_UNAVAILABLE', attach_race='INVALID_NIC_ATTACHED', detach_race='OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE',
         wrong_key='AUTHFAILURE_SIGNATURE_FAILURE', wrong_secret='AUTHFAILURE_SIGNATURE_FAILURE', skew='AUTHFAILURE_SIGNATURE_FAILURE'),
    dict(access_key_id='ZENLAYERCLOUD_ACCESS_KEY_ID', secret='ZENLAYERCLOUD_ACCESS_KEY_PASSWORD', endpoint='ZENLAYERCLOUD_ENDPOINT'),
)
CLOUDS = (ECS, ZEC)


class Expect:
    """What one scenario must end with.

    ``changed``: a bool, or for a row with several hosts the sorted tuple of what each host reported.
    ``calls``: action -> the outcomes of its calls in order (``'ok'``, an error code, ``'connection_reset'``,
    ``'malformed_html'``, ...), or just their number; an action not named must not have been called.
    ``final``: ``(status, instance_id)`` of the interface in the emulator at the end, or None when it is gone.
    ``instance``: ``(instance_id, status)`` of an instance at the end. ``words``: what the message must contain.
    ``warns``: a warning the run must show. ``span``: (min, max) seconds from the first to the last API call.
    ``pause``: (min, max) seconds between a call that a fault answered and the next call.
    ``facts``: ``{dotted path in the result: value}`` (``ABSENT``: the key must not be there), e.g. ``{'diff.after.status': 'InUse'}``.
    ``duration``: (min, max) seconds from the task's first API call (or its start, when it makes none) to its result.
    ``not_words``: what the message must not contain. ``write_gap``: (min, max) seconds between two writes in a row.
    In ``calls``, an action may also map to a ``re`` pattern the space-joined outcomes must match in full, or to a
    ``(min, max)`` number of calls.
    """

    def __init__(self, changed, failed=False, code=None, calls=None, final=None, instance=None, words=(), warns=None,
                 span=None, pause=None, facts=None, duration=None, not_words=(), write_gap=None):
        self.changed = changed
        self.failed = failed
        self.code = code
        self.calls = calls or {}
        self.final = final
        self.instance = instance
        self.words = tuple(words)
        self.warns = warns
        self.span = span
        self.pause = pause
        self.facts = facts or {}
        self.duration = duration
        self.not_words = tuple(not_words)
        self.write_gap = write_gap


class Scenario:
    """One row of the matrix: set-up, arguments, expectations, and the two sentences the document shows.

    ``start``: the interface's state before the run: ``available``, ``attached`` (to the target instance) or
    ``elsewhere`` (attached to the other instance). ``faults``: emulator fault rules (README of the emulator; the
    row's cloud is filled in). ``world``: ``{"dotted.path.in.the.state": value}``. ``settings``: emulator settings
    (attach and detach take no time unless a row says otherwise). ``env``: environment of the module run.
    ``tls``: serve the emulator over HTTPS with a test CA. ``nic``: the interface whose final state is checked (the
    cloud's first secondary interface unless given). ``secrets``: more strings the output must never contain.
    ``bug``: the module misbehaves today; the test is a strict xfail with this reason, and the row still states the
    correct behaviour. ``args`` may be a list, one per host (``hosts``), for hosts that run different tasks at once.
    ``check`` / ``diff``: run the task in check mode / diff mode. ``listed``: the row may also run in the list form
    (``as_one_of_many``), its interface one item among converged others.
    """

    def __init__(self, cloud, key, group, title, does, expect, args=None, start='available', faults=(), world=None,
                 settings=None, env=None, tls=False, hosts=1, secrets=(), bug=None, nic=None, check=False, diff=False, listed=True):
        self.cloud = cloud
        self.key = key
        self.group = group
        self.title = title
        self.does = does
        self.expect = expect
        self.nic = nic or cloud.nic
        self.args = {cloud.id_option: self.nic, 'instance_id': cloud.target} if args is None else args
        self.start = start
        self.faults = [dict(rule, cloud=cloud.name) for rule in faults]
        self.world = world or {}
        self.settings = settings or {}
        self.env = env or {}
        self.tls = tls
        self.hosts = hosts
        self.secrets = tuple(secrets)
        self.bug = bug
        self.check = check
        self.diff = diff
        self.listed = listed

    @property
    def id(self):
        return '%s-%s' % (self.cloud.name, self.key)

    @property
    def host_names(self):
        return [self.id] if self.hosts == 1 else ['%s-%d' % (self.id, number) for number in range(1, self.hosts + 1)]

    def __repr__(self):
        return self.id


ABSENT = object()  # Expect.facts: this key must not be in the result
# What RETURN documents every attachment result to hold, and every failure's error.
ALWAYS = ('changed', 'network_interface', 'waited', 'attachments')
ERROR_KEYS = ('action', 'code', 'http_status', 'kind', 'message', 'request_id')


# The list form: a row's interface as the first of three items; the other two are already attached (converged) to the
# other instance, so they add no call beyond the first read, which reads all three at once.
COMPANIONS = {'ecs': ('eni-emu-4', 'eni-emu-5'), 'zec': ('nic-emu-4', 'nic-emu-5')}
ITEM_OPTIONS = ('instance_id', 'state', 'force', 'network_card_index')


def as_one_of_many(row):
    """The same row in the list form: its interface one item of ``attachments`` among converged ones."""
    cloud = row.cloud
    item = dict((key, value) for key, value in row.args.items() if key in (cloud.id_option,) + ITEM_OPTIONS)
    top = dict((key, value) for key, value in row.args.items() if key not in item)
    companions = [{cloud.id_option: nic_id, 'instance_id': cloud.other, 'state': 'present'} for nic_id in COMPANIONS[cloud.name]]
    world = dict(row.world)
    for nic_id in COMPANIONS[cloud.name]:
        world['%s.%s.%s.status' % (cloud.name, SECTIONS[cloud.name], nic_id)] = cloud.attached
        world['%s.%s.%s.instance_id' % (cloud.name, SECTIONS[cloud.name], nic_id)] = cloud.other
    listed = copy.copy(row)
    listed.key = row.key + '-listed'
    listed.args = dict(top, attachments=[item] + companions)
    listed.world = world
    if row.expect.pause:
        # The list form's one rate limiter (pacing.py) paces the call after a throttle too: with one call admitted in
        # the last second, the rate drops to BETA calls/s, so the next call may come 1 / BETA s after the throttle.
        listed.expect = copy.copy(row.expect)
        listed.expect.pause = (row.expect.pause[0], max(row.expect.pause[1], 1 / PACING_BETA + PAUSE_SLACK))
    return listed


def rule(action, fault, **params):
    return dict(params, action=action, fault=fault)


def attached(cloud, instance=None):
    return (cloud.attached, instance or cloud.target)


def available(cloud):
    return (cloud.available, None)


def args(cloud, **extra):
    """Module arguments: the row's interface, to the target instance, with ``extra``."""
    return dict({cloud.id_option: cloud.nic, 'instance_id': cloud.target}, **extra)


# --- 1. faults ----------------------------------------------------------------------------------------------------

def fault_rows(c):
    codes = c.codes
    throttle, e500, e503 = codes['throttle'], codes['e500'], codes['e503']
    race = codes['attach_race']
    stuck = rule(ATTACH, 'stuck')
    rows = [
        # throttling
        Scenario(c, 'read-throttled', 'throttling', 'read throttled twice (%s, no retry-after)' % throttle,
                 'retries the read with backoff and jitter, then finds the interface in place',
                 Expect(False, calls={DESCRIBE: [throttle, throttle, 'ok']}, final=attached(c)),
                 start='attached', faults=[rule(DESCRIBE, 'throttle', count=2)]),
        Scenario(c, 'read-throttled-retry-after', 'throttling',
                 'read throttled once (%s, %s)' % (codes['throttle_user'], 'x-acs-retry-after 300 ms' if c is ECS else 'Retry-After 1 s'),
                 'waits as long as the cloud advised, then reads again',
                 Expect(False, calls={DESCRIBE: [codes['throttle_user'], 'ok']}, final=attached(c),
                        pause=(0.3, 1.5) if c is ECS else (1.0, 2.5)),
                 start='attached',
                 faults=[rule(DESCRIBE, 'throttle', retry_after=c.retry_after(0.3 if c is ECS else 1), **({'code': 'Throttling.User'} if c is ECS else {}))]),
        Scenario(c, 'attach-throttled', 'throttling', 'attach throttled once (%s, no retry-after)' % codes['throttle_user'],
                 'sends the attach again (a throttled call was not applied), waits for it',
                 Expect(True, calls={DESCRIBE: 2, ATTACH: [codes['throttle_user'], 'ok']}, final=attached(c)),
                 faults=[rule(ATTACH, 'throttle', **({'code': 'Throttling.User'} if c is ECS else {}))]),
        Scenario(c, 'detach-throttled-retry-after', 'throttling',
                 'detach throttled once (%s)' % ('x-acs-retry-after 200 ms' if c is ECS else 'Retry-After 1 s'),
                 'waits as advised, sends the detach again, waits for it',
                 Expect(True, calls={DESCRIBE: 2, DETACH: [throttle, 'ok']}, final=available(c),
                        pause=(0.2, 1.5) if c is ECS else (1.0, 2.5)),
                 args=args(c, state='absent'), start='attached',
                 faults=[rule(DETACH, 'throttle', retry_after=c.retry_after(0.2 if c is ECS else 1))]),
        Scenario(c, 'read-throttled-always', 'throttling', 'every read throttled',
                 'gives up after 20 attempts (throttling earns more than a failure) and names the code',
                 Expect(False, True, throttle, calls={DESCRIBE: [throttle] * THROTTLED_ATTEMPTS}, final=available(c), words=('throttled',)),
                 faults=[rule(DESCRIBE, 'throttle', count=99, retry_after=c.retry_after(0.1) if c is ECS else 0)]),
        Scenario(c, 'attach-throttled-always', 'throttling', 'every attach throttled',
                 'gives up after 20 attempts; nothing changed',
                 Expect(False, True, throttle, calls={DESCRIBE: 1, ATTACH: [throttle] * THROTTLED_ATTEMPTS}, final=available(c)),
                 faults=[rule(ATTACH, 'throttle', count=99, retry_after=c.retry_after(0.1) if c is ECS else 0)]),
        Scenario(c, 'throttled-past-wait-timeout', 'throttling', 'reads throttled with retry-after 2 s, wait_timeout 1',
                 'does not sleep past wait_timeout: fails after the first answer',
                 Expect(False, True, throttle, calls={DESCRIBE: [throttle]}, final=attached(c), span=(0, 0.5)),
                 args=args(c, wait_timeout=1), start='attached',
                 faults=[rule(DESCRIBE, 'throttle', count=3, retry_after=c.retry_after(2))]),
        # server errors
        Scenario(c, 'read-500', 'server errors', 'read answered 500 %s' % e500, 'retries the read',
                 Expect(False, calls={DESCRIBE: [e500, 'ok']}, final=attached(c)),
                 start='attached', faults=[rule(DESCRIBE, 'http_error', status=500)]),
        Scenario(c, 'read-502', 'server errors', 'read answered 502 with a proxy\'s HTML page', 'retries the read',
                 Expect(False, calls={DESCRIBE: ['http_502', 'ok']}, final=attached(c)),
                 start='attached', faults=[rule(DESCRIBE, 'http_error', status=502)]),
        Scenario(c, 'read-503', 'server errors', 'read answered 503 %s' % e503, 'retries the read',
                 Expect(False, calls={DESCRIBE: [e503, 'ok']}, final=attached(c)),
                 start='attached', faults=[rule(DESCRIBE, 'http_error', status=503)]),
        Scenario(c, 'read-503-always', 'server errors', 'every read answered 503 %s' % e503,
                 'gives up after 5 attempts and names the code',
                 Expect(False, True, e503, calls={DESCRIBE: [e503] * 5}, final=available(c)),
                 faults=[rule(DESCRIBE, 'http_error', status=503, count=99)]),
        Scenario(c, 'attach-500-not-applied', 'server errors', 'attach answered 500 %s, not applied' % e500,
                 'outcome unknown: reads again, finds it still %s, attaches again' % c.available,
                 Expect(True, calls={DESCRIBE: 3, ATTACH: [e500, 'ok']}, final=attached(c)),
                 faults=[rule(ATTACH, 'http_error', status=500)]),
        Scenario(c, 'attach-503-applied', 'server errors', 'attach answered 503 %s, but applied' % e503,
                 'outcome unknown: reads again, finds it attached, reports the change',
                 Expect(True, calls={DESCRIBE: 2, ATTACH: [e503]}, final=attached(c)),
                 faults=[rule(ATTACH, 'http_error', status=503, apply=True)]),
        Scenario(c, 'attach-502-not-applied', 'server errors', 'attach answered 502 (HTML), not applied',
                 'outcome unknown: reads again, attaches again',
                 Expect(True, calls={DESCRIBE: 3, ATTACH: ['http_502', 'ok']}, final=attached(c)),
                 faults=[rule(ATTACH, 'http_error', status=502)]),
        Scenario(c, 'detach-503-applied', 'server errors', 'detach answered 503 %s, but applied' % e503,
                 'outcome unknown: reads again, finds it detached, reports the change',
                 Expect(True, calls={DESCRIBE: 2, DETACH: [e503]}, final=available(c)),
                 args=args(c, state='absent'), start='attached', faults=[rule(DETACH, 'http_error', status=503, apply=True)]),
        Scenario(c, 'attach-503-always', 'server errors', 'every attach answered 503 %s, none applied' % e503,
                 'reads again after each unknown outcome, stops after 5 attempts and names the cloud\'s code',
                 Expect(False, True, e503, calls={DESCRIBE: 6, ATTACH: [e503] * 5}, final=available(c)),
                 faults=[rule(ATTACH, 'http_error', status=503, count=99)]),
        # connection
        Scenario(c, 'connection-refused', 'connection', 'endpoint refuses connections',
                 'retries (nothing was sent), then fails naming the endpoint',
                 Expect(False, True, 'ConnectionFailed', calls={}, final=available(c), words=(CLOSED_PORT_URL,)),
                 args=args(c, endpoint=CLOSED_PORT_URL)),
        Scenario(c, 'read-reset', 'connection', 'connection reset after the read was sent', 'retries the read',
                 Expect(False, calls={DESCRIBE: ['ok', 'ok']}, final=attached(c)),
                 start='attached', faults=[rule(DESCRIBE, 'reset_after')]),
        Scenario(c, 'attach-reset-applied', 'connection', 'connection reset after the attach was sent (applied)',
                 'outcome unknown: reads again, finds it attached, reports the change',
                 Expect(True, calls={DESCRIBE: 2, ATTACH: ['ok']}, final=attached(c)),
                 faults=[rule(ATTACH, 'reset_after')]),
        Scenario(c, 'attach-reset-not-applied', 'connection', 'connection dropped before the attach was processed',
                 'outcome unknown: reads again, attaches again',
                 Expect(True, calls={DESCRIBE: 3, ATTACH: ['connection_reset', 'ok']}, final=attached(c)),
                 faults=[rule(ATTACH, 'reset_before')]),
        Scenario(c, 'read-timeout', 'connection', 'read answered after 2 s, timeout 1',
                 'abandons the read at the timeout and reads again',
                 Expect(False, calls={DESCRIBE: ['ok', 'ok']}, final=attached(c)),
                 args=args(c, timeout=1), start='attached', faults=[rule(DESCRIBE, 'delay', seconds=2)]),
        Scenario(c, 'attach-timeout', 'connection', 'attach answered after 2 s, timeout 1',
                 'outcome unknown: reads again (not yet applied), attaches again; the late attach then fails harmlessly',
                 Expect(True, calls={DESCRIBE: 3, ATTACH: ['ok', race]}, final=attached(c)),
                 args=args(c, timeout=1), faults=[rule(ATTACH, 'delay', seconds=2)]),
        Scenario(c, 'attach-timeout-applied-late', 'connection',
                 'attach answered after 2 s (timeout 1), applied after our re-read; our next attach throttled, then refused',
                 'counts the late attach as its own: the interface is on the target and no one else tried',
                 Expect(True, calls={DESCRIBE: 3, ATTACH: [throttle, 'ok', race]}, final=attached(c)),
                 args=args(c, timeout=1),
                 faults=[rule(ATTACH, 'delay', seconds=2), rule(ATTACH, 'throttle', skip=1, retry_after=c.retry_after(1.5 if c is ECS else 2))]),
        # bad bodies
        Scenario(c, 'read-html', 'bad bodies', 'read answered 200 with an HTML page', 'retries the read',
                 Expect(False, calls={DESCRIBE: ['malformed_html', 'ok']}, final=attached(c)),
                 start='attached', faults=[rule(DESCRIBE, 'malformed', variant='html')]),
        Scenario(c, 'read-empty', 'bad bodies', 'read answered 200 with an empty body', 'retries the read',
                 Expect(False, calls={DESCRIBE: ['malformed_empty', 'ok']}, final=attached(c)),
                 start='attached', faults=[rule(DESCRIBE, 'malformed', variant='empty')]),
        Scenario(c, 'read-wrong-shape', 'bad bodies', 'read answered JSON of the wrong shape', 'retries the read',
                 Expect(False, calls={DESCRIBE: ['malformed_wrong_shape', 'ok']}, final=attached(c)),
                 start='attached', faults=[rule(DESCRIBE, 'malformed', variant='wrong_shape')]),
        Scenario(c, 'read-html-always', 'bad bodies', 'every read answered with an HTML page',
                 'gives up after 5 attempts, says a proxy may be answering',
                 Expect(False, True, 'MalformedResponse', calls={DESCRIBE: ['malformed_html'] * 5}, final=available(c), words=('proxy',)),
                 faults=[rule(DESCRIBE, 'malformed', variant='html', count=99)]),
        Scenario(c, 'attach-html-applied', 'bad bodies', 'attach applied, answered with an HTML page',
                 'outcome unknown: reads again, finds it attached, reports the change',
                 Expect(True, calls={DESCRIBE: 2, ATTACH: ['malformed_html']}, final=attached(c)),
                 faults=[rule(ATTACH, 'malformed', variant='html', apply=True)]),
        # waiting
        Scenario(c, 'attach-stuck', 'waiting', 'attach stays %s, wait_timeout 3' % c.attaching,
                 'polls every second until wait_timeout, then fails; the accepted attach counts as a change',
                 Expect(True, True, 'WaitTimeout', calls={DESCRIBE: 4, ATTACH: ['ok']}, final=(c.attaching, c.target), span=(2.5, 3.6),
                        words=('Timed out after 3 seconds', c.attaching)),
                 args=args(c, wait_timeout=3), faults=[stuck]),
        Scenario(c, 'attach-falls-back', 'waiting', 'attach seen %s, then back to %s' % (c.attaching, c.available),
                 'fails at once: the cloud rejected the attach; nothing changed',
                 Expect(False, True, 'Rejected', calls={DESCRIBE: 3, ATTACH: ['ok']}, final=available(c), words=('did not carry it out',)),
                 faults=[stuck, rule(DESCRIBE, 'change', skip=2, interfaces={c.nic: {'status': c.available, 'instance_id': None}})]),
        Scenario(c, 'attach-falls-back-unseen', 'waiting', 'attach back to %s before the first poll, once' % c.available,
                 'no read shows it happening within the 15 s read-lag grace: sends it once more; that one works',
                 Expect(True, calls={DESCRIBE: (15, 19), ATTACH: ['ok', 'ok']}, final=attached(c), span=(14.5, 18)),
                 faults=[rule(ATTACH, 'fail_transition')]),
        Scenario(c, 'attach-falls-back-unseen-twice', 'waiting', 'attach back to %s before the first poll, twice' % c.available,
                 'sends it once more after 15 s; when that one never shows either, fails: rejected; nothing changed',
                 Expect(False, True, 'Rejected', calls={DESCRIBE: (29, 35), ATTACH: ['ok', 'ok']}, final=available(c), span=(29.5, 34),
                        words=('no read showed it happening',)),
                 faults=[rule(ATTACH, 'fail_transition', count=2)]),
        Scenario(c, 'attach-falls-back-past-wait-timeout', 'waiting',
                 'attach back to %s before the first poll, wait_timeout 2' % c.available,
                 'fails at wait_timeout; reports no change, the interface is where it was',
                 Expect(False, True, 'WaitTimeout', calls={DESCRIBE: 3, ATTACH: ['ok']}, final=available(c), span=(1.5, 2.6)),
                 args=args(c, wait_timeout=2), faults=[rule(ATTACH, 'fail_transition')]),
        Scenario(c, 'deleted-while-waiting', 'waiting', 'interface deleted while attaching',
                 'fails: the interface disappeared; the accepted attach counts as a change',
                 Expect(True, True, 'Disappeared', calls={DESCRIBE: 2, ATTACH: ['ok']}, final=None, words=('disappeared',)),
                 faults=[stuck, rule(DESCRIBE, 'change', skip=1, interfaces={c.nic: None})]),
        Scenario(c, 'deleted-while-detaching', 'waiting', 'interface deleted while detaching (state: absent)',
                 'a deleted interface is attached to nothing: the task has reached its goal; reports the detach',
                 Expect(True, calls={DESCRIBE: 2, DETACH: ['ok']}, final=None),
                 args=args(c, state='absent'), start='attached',
                 faults=[rule(DETACH, 'stuck'), rule(DESCRIBE, 'change', skip=1, interfaces={c.nic: None})]),
    ]
    stop_instance = rule(DESCRIBE, 'change', skip=1, instances={c.target: {'status': c.stopped}})
    if c is ECS:
        rows.append(Scenario(
            c, 'instance-stopped-while-waiting', 'waiting', 'instance stopped while attaching',
            'ECS attaches to stopped instances too (emulated: the attach completes): waits, succeeds',
            Expect(True, calls={DESCRIBE: 3, ATTACH: ['ok']}, final=attached(c), instance=(c.target, c.stopped)),
            faults=[stuck, stop_instance, rule(DESCRIBE, 'change', skip=2, interfaces={c.nic: {'status': c.attached}})]))
    else:
        rows.append(Scenario(
            c, 'instance-stopped-while-waiting', 'waiting', 'instance stopped while attaching',
            'ZEC attaches only to RUNNING instances (emulated: the vNIC goes back to AVAILABLE): fails at once, nothing changed',
            Expect(False, True, 'Rejected', calls={DESCRIBE: 3, ATTACH: ['ok']}, final=available(c), instance=(c.target, c.stopped),
                   words=('check the instance status',)),
            faults=[stuck, stop_instance, rule(DESCRIBE, 'change', skip=2, interfaces={c.nic: {'status': c.available, 'instance_id': None}})]))
    rows += [
        # races
        Scenario(c, 'race-attached-to-target', 'races', 'someone attaches it to the target between our read and attach',
                 'attach refused (%s): reads again, finds it in place; no change by this task' % race,
                 Expect(False, calls={DESCRIBE: 2, ATTACH: [race]}, final=attached(c)),
                 faults=[rule(ATTACH, 'change', interfaces={c.nic: {'status': c.attached, 'instance_id': c.target}})]),
        Scenario(c, 'race-attached-elsewhere', 'races', 'someone attaches it to another instance between our read and attach',
                 'attach refused: reads again, fails naming the other instance (force is false)',
                 Expect(False, True, 'AttachedElsewhere', calls={DESCRIBE: 2, ATTACH: [race]}, final=attached(c, c.other),
                        words=(c.other, 'force')),
                 faults=[rule(ATTACH, 'change', interfaces={c.nic: {'status': c.attached, 'instance_id': c.other}})]),
        Scenario(c, 'race-attached-elsewhere-force', 'races', 'the same race with force: true',
                 'attach refused: reads again, detaches it from the other instance, attaches it',
                 Expect(True, calls={DESCRIBE: 4, ATTACH: [race, 'ok'], DETACH: ['ok']}, final=attached(c)),
                 args=args(c, force=True),
                 faults=[rule(ATTACH, 'change', interfaces={c.nic: {'status': c.attached, 'instance_id': c.other}})]),
        Scenario(c, 'race-detached-before-detach', 'races', 'someone detaches it between our read and detach',
                 'detach refused (%s): reads again, finds it detached; no change by this task' % codes['detach_race'],
                 Expect(False, calls={DESCRIBE: 2, DETACH: [codes['detach_race']]}, final=available(c)),
                 args=args(c, state='absent'), start='attached',
                 faults=[rule(DETACH, 'change', interfaces={c.nic: {'status': c.available, 'instance_id': None}})]),
        Scenario(c, 'forks-same-interface', 'races', 'two hosts (forks) attach the same interface at once; both attaches in flight',
                 'one attach wins; the other is refused, reads again, finds it in place: one changed, both ok',
                 Expect((False, True), calls={DESCRIBE: 4, ATTACH: ['ok', race]}, final=attached(c)),
                 hosts=2, faults=[rule(ATTACH, 'delay', seconds=3, count=2)]),
    ]
    return rows


# --- 2. security ----------------------------------------------------------------------------------------------------

def security_rows(c):
    codes = c.codes
    wrong_secret = WRONG_SECRETS[c.name]
    rows = [
        Scenario(c, 'tls-untrusted', 'TLS', 'HTTPS endpoint, certificate from an unknown CA (validate_certs: true)',
                 'refuses the connection, says to set ca_path',
                 Expect(False, True, 'TLSError', calls={}, final=available(c), words=('could not be verified', 'ca_path')),
                 tls=True),
        Scenario(c, 'tls-ca-path', 'TLS', 'the same endpoint with ca_path: the test CA',
                 'verifies the certificate and attaches',
                 Expect(True, calls={DESCRIBE: 2, ATTACH: ['ok']}, final=attached(c)),
                 args=args(c, ca_path=CA_FILE), tls=True),
        Scenario(c, 'tls-no-validation', 'TLS', 'the same endpoint with validate_certs: false',
                 'attaches, and warns that the certificate is not verified',
                 Expect(True, calls={DESCRIBE: 2, ATTACH: ['ok']}, final=attached(c),
                        warns='validate_certs is false: the TLS certificate of the %s endpoint is not verified.' % c.name.upper()),
                 args=args(c, validate_certs=False), tls=True),
        Scenario(c, 'wrong-key-id', 'credentials', 'an access key id the cloud does not know',
                 'fails on the first read with the cloud\'s code, names access_key_id',
                 Expect(False, True, codes['wrong_key'], calls={DESCRIBE: [codes['wrong_key']]}, final=available(c),
                        words=('access_key_id', 'access key is not found' if c is ECS else 'access key id does not exist')),
                 env={c.env['access_key_id']: 'LTAI5tNOSUCHKEY0000' if c is ECS else 'ZLNOSUCHKEY0000'}),
        Scenario(c, 'wrong-secret', 'credentials', 'a wrong %s' % c.secret_option,
                 'fails on the first read with the cloud\'s code, names %s; the secret never appears' % c.secret_option,
                 Expect(False, True, codes['wrong_secret'], calls={DESCRIBE: [codes['wrong_secret']]}, final=available(c),
                        words=(c.secret_option, 'signature is not matched' if c is ECS else 'signature does not match')),
                 args=args(c, **{c.secret_option: wrong_secret}), secrets=(wrong_secret,)),
        Scenario(c, 'clock-skew', 'credentials', 'the host clock is 1 hour off the cloud\'s',
                 'fails on the first read with the cloud\'s code, says to sync the clock',
                 Expect(False, True, codes['skew'], calls={DESCRIBE: [codes['skew']]}, final=available(c), words=('clock', 'NTP')),
                 settings={'clock_offset_seconds': 3600}),
        Scenario(c, 'secret-as-argument', 'credentials', '%s given as a module argument, run at -vvvv' % c.secret_option,
                 'attaches; the argument is masked (no_log) in the verbose output',
                 Expect(True, calls={DESCRIBE: 2, ATTACH: ['ok']}, final=attached(c)),
                 args=args(c, **{c.secret_option: 'emulator-secret-0001' if c is ECS else 'emulator-password-0001'}),
                 env={c.env['secret']: ''}),
    ]
    if c is ECS:
        rows += [
            Scenario(c, 'sts', 'credentials', 'STS credentials (key, secret, security_token)', 'signs with the token and attaches',
                     Expect(True, calls={DESCRIBE: 2, ATTACH: ['ok']}, final=attached(c)), args=args(c, **STS)),
            Scenario(c, 'sts-expired', 'credentials', 'STS credentials past their expiration',
                     'fails on the first read with the cloud\'s code, says to get new STS credentials',
                     Expect(False, True, 'InvalidSecurityToken.Expired', calls={DESCRIBE: ['InvalidSecurityToken.Expired']},
                            final=available(c), words=('security_token has expired',)),
                     args=args(c, **STS), world={'ecs.sts_credentials.0.expiration': '2020-01-01T00:00:00Z'}),
            Scenario(c, 'sts-unknown-token', 'credentials', 'an STS key with a security_token the cloud does not know',
                     'fails on the first read with the cloud\'s code, names security_token',
                     Expect(False, True, 'InvalidSecurityToken.Malformed', calls={DESCRIBE: ['InvalidSecurityToken.Malformed']},
                            final=available(c), words=('security_token',)),
                     args=args(c, **STS_UNKNOWN_TOKEN), secrets=(UNKNOWN_TOKEN,)),
        ]
    return rows


# --- 3. bad input ---------------------------------------------------------------------------------------------------

def input_error(c, key, title, module_args, words, env=None, does=None):
    """A row whose input the module must refuse before any API call, with a message naming the option."""
    return Scenario(c, key, 'input', title, does or 'refuses before any API call, naming %s' % words[0],
                    Expect(False, True, 'InvalidInput', calls={}, final=available(c), words=words), args=module_args, env=env)


def input_rows(c):
    idopt, nic, target = c.id_option, c.nic, c.target
    foreign_nic, foreign_instance = ('nic-emu-1', 'ins-emu-running') if c is ECS else ('eni-emu-1', 'i-emu-running')
    rows = [
        input_error(c, 'missing-id', 'no %s' % idopt, {'instance_id': target}, (idopt, 'one of the following is required')),
        input_error(c, 'empty-id', '%s: ""' % idopt, args(c, **{idopt: ''}), (idopt, 'empty')),
        input_error(c, 'blank-id', '%s: "   "' % idopt, args(c, **{idopt: '   '}), (idopt, 'blank')),
        input_error(c, 'padded-id', '%s with a leading space' % idopt, args(c, **{idopt: ' ' + nic}), (idopt, 'characters')),
        input_error(c, 'missing-instance', 'state: present without instance_id', {idopt: nic}, ('instance_id',)),
        input_error(c, 'empty-instance', 'instance_id: ""', args(c, instance_id=''), ('instance_id',)),
        input_error(c, 'blank-instance', 'instance_id: "  "', args(c, instance_id='  '), ('instance_id', 'blank')),
        input_error(c, 'foreign-id', '%s of the other cloud (%s)' % (idopt, foreign_nic), args(c, **{idopt: foreign_nic}), (idopt,)),
        input_error(c, 'foreign-instance', 'instance_id of the other cloud (%s)' % foreign_instance, args(c, instance_id=foreign_instance),
                    ('instance_id',)),
        input_error(c, 'dict-id', '%s given a mapping' % idopt, args(c, **{idopt: {'id': nic}}), (idopt,)),
        input_error(c, 'wait-timeout-zero', 'wait_timeout: 0', args(c, wait_timeout=0), ('wait_timeout', 'greater than 0')),
        input_error(c, 'wait-timeout-negative', 'wait_timeout: -5', args(c, wait_timeout=-5), ('wait_timeout', 'greater than 0')),
        input_error(c, 'wait-timeout-text', 'wait_timeout: "soon"', args(c, wait_timeout='soon'), ('wait_timeout', 'int')),
        input_error(c, 'timeout-zero', 'timeout: 0', args(c, timeout=0), ('timeout', 'greater than 0')),
        input_error(c, 'force-text', 'force: "maybe"', args(c, force='maybe'), ('force', 'bool')),
        input_error(c, 'validate-certs-text', 'validate_certs: "perhaps"', args(c, validate_certs='perhaps'), ('validate_certs', 'bool')),
        input_error(c, 'state-unknown', 'state: attached', args(c, state='attached'), ('state', 'present, absent')),
        input_error(c, 'option-typo', 'an unknown option (wait_timout)', args(c, wait_timout=5), ('wait_timout', 'Unsupported parameters')),
        input_error(c, 'endpoint-not-url', 'endpoint: "not a url"', args(c, endpoint='not a url'), ('endpoint', 'not a URL')),
        input_error(c, 'endpoint-no-scheme', 'endpoint without a scheme (host:port)', args(c, endpoint='127.0.0.1:8080'),
                    ('endpoint', 'not a URL')),
        input_error(c, 'missing-key-id', 'access_key_id empty (environment variable set to "")', args(c), ('access_key_id', c.env['access_key_id']),
                    env={c.env['access_key_id']: ''}),
        input_error(c, 'missing-secret', '%s not set' % c.secret_option, args(c), (c.secret_option, c.env['secret']), env={c.env['secret']: ''}),
        Scenario(c, 'force-primary', 'input', 'force: true on a primary interface',
                 'reads it, refuses to move a primary interface; no attach or detach',
                 Expect(False, True, 'PrimaryInterface', calls={DESCRIBE: 1}, final=attached(c), words=('primary',)),
                 args={idopt: c.primary, 'instance_id': c.other, 'force': True}, nic=c.primary),
        Scenario(c, 'absent-with-instance', 'input', 'state: absent with the instance it is attached to',
                 'detaches it', Expect(True, calls={DESCRIBE: 2, DETACH: ['ok']}, final=available(c)),
                 args=args(c, state='absent'), start='attached'),
        Scenario(c, 'absent-other-instance', 'input', 'state: absent with an instance it is not attached to',
                 'leaves it attached where it is', Expect(False, calls={DESCRIBE: 1}, final=attached(c)),
                 args=args(c, state='absent', instance_id=c.other), start='attached'),
        Scenario(c, 'absent-any-instance', 'input', 'state: absent without instance_id',
                 'detaches it from whatever instance holds it', Expect(True, calls={DESCRIBE: 2, DETACH: ['ok']}, final=available(c)),
                 args={idopt: nic, 'state': 'absent'}, start='elsewhere'),
    ]
    if c is ECS:
        rows += [
            input_error(c, 'numeric-id', 'eni_id: a number (a Zenlayer-style id)', args(c, eni_id=1475945014486896967), ('eni_id', "'eni-'")),
            input_error(c, 'numeric-instance', 'instance_id: "1478001766933994003"', args(c, instance_id='1478001766933994003'),
                        ('instance_id', "'i-'")),
            input_error(c, 'card-index-negative', 'network_card_index: -1', args(c, network_card_index=-1), ('network_card_index',)),
            input_error(c, 'card-index-text', 'network_card_index: "first"', args(c, network_card_index='first'),
                        ('network_card_index', 'int')),
            input_error(c, 'region-malformed', 'region: "Hangzhou!"', args(c, region='Hangzhou!'), ('region',)),
            input_error(c, 'endpoint-with-path', 'endpoint with a path', args(c, endpoint='https://ecs.cn-hangzhou.aliyuncs.com/v1'),
                        ('endpoint', 'without a path')),
            input_error(c, 'missing-region', 'region not set', args(c), ('region', c.env['region']), env={c.env['region']: ''}),
            Scenario(c, 'region-unknown', 'input', 'region: xx-nowhere-1 (well formed, does not exist)',
                     'one read, the cloud\'s code, says to check region; no attach',
                     Expect(False, True, 'InvalidOperation.InvalidRegion', calls={DESCRIBE: ['InvalidOperation.InvalidRegion']},
                            final=available(c), words=('region',)),
                     args=args(c, region='xx-nowhere-1')),
        ]
    else:
        rows += [
            input_error(c, 'region-given', 'region: asia-nowhere-1 (ZEC has no region option)', args(c, region='asia-nowhere-1'),
                        ('region', 'Unsupported parameters')),
            input_error(c, 'endpoint-with-api-path', 'endpoint ending in /api/v2/zec', args(c, endpoint='https://console.zenlayer.com/api/v2/zec'),
                        ('endpoint', '/api/v2/zec')),
            input_error(c, 'token-given', 'security_token (an Alibaba option)', args(c, security_token='x'), ('security_token', 'Unsupported parameters')),
        ]
    return rows


# --- 4. the real clouds' quirks (issue 10) ----------------------------------------------------------------------------

STARTING = {'ecs': 'i-emu-starting', 'zec': 'ins-emu-booting'}
INSTANCE_STATE_CODE = {'ecs': 'InvalidOperation.InvalidEcsState', 'zec': 'OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT'}
CREATING = {'ecs': 'Creating', 'zec': 'PENDING'}
SECOND = {'ecs': 'eni-emu-2', 'zec': 'nic-emu-2'}
MISSING_INSTANCE = {'ecs': ('i-emu-nosuch', 'InvalidEcsId.NotFound'), 'zec': ('ins-emu-nosuch', 'INVALID_INSTANCE_NOT_FOUND')}
ELSEWHERE = {'ecs': ('i-emu-otherzone', 'InvalidOperation.AvailabilityZoneMismatch'),
             'zec': ('ins-emu-otherregion', 'INVALID_NIC_INSTANCE_REGION_MISMATCH')}
NOT_FOUND_CODE = {'ecs': 'InvalidEniId.NotFound', 'zec': 'INVALID_NIC_NOT_FOUND'}
PREDICTED = 'predicted in check mode'


def path(cloud, record, field):
    """A ``world`` key for a field of an interface of ``cloud``."""
    return '%s.%s.%s.%s' % (cloud.name, {'ecs': 'network_interfaces', 'zec': 'nics'}[cloud.name], record, field)


def real_cloud_rows(c):
    codes, name = c.codes, c.name
    state_code = INSTANCE_STATE_CODE[name]
    rows = [
        Scenario(c, 'created-then-attached', 'being created', 'the interface is still being created (%s for 2 s)' % CREATING[name],
                 'waits until it is available, then attaches: one task from create to attached',
                 Expect(True, calls={DESCRIBE: (3, 8), ATTACH: ['ok']}, final=attached(c)),
                 settings={'create_delay': 2},  # created when the task first reads (the fault below): the task sees it being created
                 faults=[rule(DESCRIBE, 'change', interfaces={c.nic: {'status': CREATING[name]}})]),
        Scenario(c, 'instance-starting', 'instances that move',
                 'the instance is starting (%s, Running after 3 s)' % ('Starting' if c is ECS else 'BOOTING'),
                 'the attach is refused (%s); reads the instance: still starting, so retries with backoff until it is accepted' % state_code,
                 Expect(True, calls={DESCRIBE: (3, 12), ATTACH: re.compile(r'(%s )+ok' % re.escape(state_code)), DESCRIBE_INSTANCES: (1, 8)},
                        final=attached(c, STARTING[name])),
                 args=args(c, instance_id=STARTING[name]), settings={'instance_start_delay': 3},
                 # starting from the task's first read (the change below), whenever the batch gets to run the task
                 faults=[rule(DESCRIBE, 'change', instances={STARTING[name]: {'status': 'Starting' if c is ECS else 'BOOTING'}})]),
        Scenario(c, 'instance-started-meanwhile', 'instances that move',
                 'the attach is refused for the instance starting (%s); it is running by the time the instance is read '
                 '(DescribeInstances answers after 1 s)' % state_code,
                 'a refusal the reads no longer explain is not final: sent again after a backoff and accepted',
                 Expect(True, calls={DESCRIBE: (3, 6), ATTACH: [state_code, 'ok'], DESCRIBE_INSTANCES: ['ok']}, final=attached(c, STARTING[name])),
                 args=args(c, instance_id=STARTING[name]), settings={'instance_start_delay': 0.5},
                 faults=[rule(ATTACH, 'change', instances={STARTING[name]: {'status': 'Starting' if c is ECS else 'BOOTING'}}),
                         rule(DESCRIBE_INSTANCES, 'delay', seconds=1)]),
        Scenario(c, 'two-tasks-one-instance', 'instances that move', 'two tasks attach two interfaces to one instance at the same moment '
                 '(attaches take 2 s)',
                 'ECS refuses the second while the first is attaching (409 OperationConflict): waited out with backoff; both end attached'
                 if c is ECS else 'both attaches are accepted; both end attached',
                 Expect((True, True), calls={DESCRIBE: (4, 16), ATTACH: (2, 12)} if c is ECS else {DESCRIBE: (4, 12), ATTACH: ['ok', 'ok']},
                        final=attached(c)),
                 hosts=2, args=[args(c), args(c, **{c.id_option: SECOND[name]})],
                 settings={'instance_busy_conflict': True, 'attach_delay': 2}, listed=False),
        Scenario(c, 'reads-lag-2s', 'reads that lag', 'reads lag writes by 2 s (the emulator\'s default), attach takes 1 s',
                 'the accepted attach does not show at first; never taken for a rejection: waits until it shows attached',
                 Expect(True, calls={DESCRIBE: (3, 7), ATTACH: ['ok']}, final=attached(c)),
                 settings={'read_lag_seconds': 2, 'attach_delay': 1}),
        Scenario(c, 'reads-lag-8s', 'reads that lag', 'reads lag writes by 8 s (a slow region)',
                 'within the 15 s read-lag grace: waits until it shows attached, no second attach',
                 Expect(True, calls={DESCRIBE: (8, 13), ATTACH: ['ok']}, final=attached(c)),
                 settings={'read_lag_seconds': 8, 'attach_delay': 1}),
        Scenario(c, 'throttled-429-html', 'codes users hit', 'reads answered HTTP 429 with an HTML page, twice',
                 'any 429 is throttling, whatever its body: retried with backoff',
                 Expect(False, calls={DESCRIBE: ['http_429', 'http_429', 'ok']}, final=attached(c)),
                 start='attached', faults=[rule(DESCRIBE, 'http_error', status=429, count=2)]),
        Scenario(c, 'throttled-429-json', 'codes users hit', 'a read answered HTTP 429 with JSON of an unrelated code',
                 'throttling all the same: retried',
                 Expect(False, calls={DESCRIBE: ['http_429', 'ok']}, final=attached(c)),
                 start='attached', faults=[rule(DESCRIBE, 'http_error', status=429, variant='json')]),
        Scenario(c, 'gateway-504', 'codes users hit', 'a read answered 504 with a gateway\'s HTML page',
                 'a transient failure: retried',
                 Expect(False, calls={DESCRIBE: ['http_504', 'ok']}, final=attached(c)),
                 start='attached', faults=[rule(DESCRIBE, 'http_error', status=504)]),
        # check mode predicts what the cloud would refuse, from one extra read of the instance
        Scenario(c, 'check-missing-instance', 'check mode', '--check, instance_id of an instance that does not exist',
                 'reads the instance, fails with the code the real attach gets; no attach',
                 Expect(False, True, MISSING_INSTANCE[name][1], calls={DESCRIBE: 1, DESCRIBE_INSTANCES: 1}, final=available(c), words=(PREDICTED,)),
                 args=args(c, instance_id=MISSING_INSTANCE[name][0]), check=True),
        Scenario(c, 'check-other-place', 'check mode', '--check, an instance in another %s' % ('zone' if c is ECS else 'region'),
                 'fails with the code the real attach gets',
                 Expect(False, True, ELSEWHERE[name][1],
                        calls={DESCRIBE: 1, DESCRIBE_INSTANCES: 1, DESCRIBE_TYPES: 1} if c is ECS else {DESCRIBE: 1, DESCRIBE_INSTANCES: 1},
                        final=available(c), words=(PREDICTED,)),
                 args=args(c, instance_id=ELSEWHERE[name][0]), check=True),
        Scenario(c, 'check-converged', 'check mode', '--check on an interface already attached to the target',
                 'one read, nothing predicted, no instance read',
                 Expect(False, calls={DESCRIBE: 1}, final=attached(c)), start='attached', check=True),
        Scenario(c, 'check-attach', 'check mode', '--check --diff of an attach the instance takes',
                 'reads the interface and the instance; predicts the attach',
                 Expect(True, calls={DESCRIBE: 1, DESCRIBE_INSTANCES: 1, DESCRIBE_TYPES: 1} if c is ECS else {DESCRIBE: 1, DESCRIBE_INSTANCES: 1},
                        final=available(c), facts={'diff.after.status': c.attached, 'network_interface.instance_id': c.target}),
                 check=True, diff=True),
    ]
    if c is ECS:
        rows += [
            Scenario(c, 'card-index-not-shown-while-attaching', 'network card index', 'two tasks attach it with network_card_index 1 at once '
                     '(ECS shows the index only once InUse)',
                     'the one that finds it Attaching (or is refused because it is) waits to see its index instead of calling it a '
                     'mismatch: one changed, both ok',
                     Expect((False, True), calls={DESCRIBE: (2, 10), ATTACH: re.compile(r'ok( %s)?' % re.escape(codes['attach_race']))},
                            final=attached(c)),
                     hosts=2, args=args(c, network_card_index=1), settings={'attach_delay': 2}, listed=False),
            Scenario(c, 'card-index-default', 'network card index', 'attached without an index (ECS reports none), task asks index 0',
                     'the cloud\'s default card is 0: converged, one read',
                     Expect(False, calls={DESCRIBE: 1}, final=attached(c)), args=args(c, network_card_index=0), start='attached'),
            Scenario(c, 'card-index-message', 'network card index', 'attached without an index, task asks index 1 (force: false)',
                     'fails naming the card it is on (0) and the one asked for',
                     Expect(False, True, 'PlacementMismatch', calls={DESCRIBE: 1}, final=attached(c),
                            words=('network_card_index=0, not the requested network_card_index=1',), not_words=('None',)),
                     args=args(c, network_card_index=1), start='attached'),
            Scenario(c, 'detach-stuck-reissued', 'a detach that sticks', 'the detach sticks in Detaching',
                     'after 20 s in Detaching, sends the detach again once (the ECS page\'s remedy); done',
                     Expect(True, calls={DESCRIBE: (20, 26), DETACH: ['ok', 'ok']}, final=available(c), duration=(19, 55)),
                     args=args(c, state='absent', wait_timeout=60), start='attached', faults=[rule(DETACH, 'stuck')]),
            Scenario(c, 'rerun-on-stuck-detach', 'a detach that sticks', 're-run of a task that timed out on a stuck Detaching',
                     'picks up where the last run stopped: after 20 s sends the detach again; done',
                     Expect(True, calls={DESCRIBE: (20, 26), DETACH: ['ok']}, final=available(c), duration=(19, 55)),
                     args=args(c, state='absent', wait_timeout=60), start='attached', world={path(c, c.nic, 'status'): 'Detaching'}),
            Scenario(c, 'forbidden-ram', 'codes users hit', 'a RAM user whose policy lacks ecs:AttachNetworkInterface',
                     'fails at once with 403 Forbidden.RAM, naming the permission to grant',
                     Expect(False, True, 'Forbidden.RAM', calls={DESCRIBE: 1, ATTACH: ['Forbidden.RAM']}, final=available(c),
                            words=('ecs:AttachNetworkInterface',)),
                     world={'ecs.credentials.0.denied_actions': ['AttachNetworkInterface']}),
            Scenario(c, 'eni-linked', 'codes users hit', 'detach of an ENI linked to other ENIs (403 InvalidOperation.EniLinked)',
                     'a settled refusal: fails at once with the code, saying to unlink them',
                     Expect(False, True, 'InvalidOperation.EniLinked', calls={DESCRIBE: 2, DETACH: ['InvalidOperation.EniLinked']},
                            final=attached(c), words=('unlink',)),
                     args=args(c, state='absent'), start='attached', world={path(c, c.nic, 'linked'): True}),
            Scenario(c, 'check-at-limit', 'check mode', '--check, the instance already has as many ENIs as its type takes (ecs.g6.large: 2)',
                     'reads the instance and its type; fails with the code the real attach gets',
                     Expect(False, True, 'EniPerInstanceLimitExceeded', calls={DESCRIBE: 1, DESCRIBE_INSTANCES: 1, DESCRIBE_TYPES: 1},
                            final=available(c), words=(PREDICTED,)),
                     world=FULL_ECS_TARGET, check=True),
            Scenario(c, 'at-limit', 'codes users hit', 'the same attach, for real',
                     'the cloud refuses it with the code check mode predicted',
                     Expect(False, True, 'EniPerInstanceLimitExceeded', calls={DESCRIBE: 1, ATTACH: ['EniPerInstanceLimitExceeded']},
                            final=available(c)),
                     world=FULL_ECS_TARGET),
            Scenario(c, 'check-detach-prediction', 'check mode', '--check --diff of a detach',
                     'predicts it Available on no instance, without the old attachment\'s details',
                     Expect(True, calls={DESCRIBE: 1}, final=attached(c),
                            facts={'network_interface.attachment': ABSENT, 'network_interface.instance_id': None,
                                   'diff.after.status': 'Available', 'diff.before.instance_id': c.target}),
                     args=args(c, state='absent'), start='attached', check=True, diff=True),
            Scenario(c, 'check-card-index-diff', 'check mode', '--check --diff, attached on card 1, task asks card 0 with force',
                     'predicts the re-attach; the diff shows the index',
                     Expect(True, calls={DESCRIBE: 1, DESCRIBE_INSTANCES: 1, DESCRIBE_TYPES: 1}, final=attached(c),
                            facts={'diff.before.network_card_index': 1, 'diff.after.network_card_index': 0}),
                     args=args(c, force=True, network_card_index=0), start='attached', world={path(c, c.nic, 'network_card_index'): 1},
                     check=True, diff=True),
        ]
    else:
        rows += [
            Scenario(c, 'instance-stopped', 'instances that move', 'the instance is STOPPED',
                     'the attach is refused; the instance read shows a settled status: fails at once with the cloud\'s code',
                     Expect(False, True, state_code, calls={DESCRIBE: 2, ATTACH: [state_code], DESCRIBE_INSTANCES: 1}, final=available(c),
                            span=(0, 5)),
                     args=args(c, instance_id='ins-emu-stopped')),
            Scenario(c, 'check-stopped', 'check mode', '--check, the instance is STOPPED',
                     'fails with the code the real attach gets',
                     Expect(False, True, state_code, calls={DESCRIBE: 1, DESCRIBE_INSTANCES: 1}, final=available(c), words=(PREDICTED,)),
                     args=args(c, instance_id='ins-emu-stopped'), check=True),
            Scenario(c, 'vnic-limit-by-type', 'codes users hit', 'the instance\'s type takes 4 vNICs and it has 4',
                     'fails at once with the cloud\'s code; the hint speaks of the instance type, not of 8',
                     Expect(False, True, 'INVALID_INSTANCE_NIC_LIMIT', calls={DESCRIBE: 1, ATTACH: ['INVALID_INSTANCE_NIC_LIMIT']},
                            final=available(c), words=('instance type',), not_words=('(8)',)),
                     args=args(c, instance_id='ins-emu-small'), world=FULL_ZEC_SMALL),
        ]
    return rows


FULL_ECS_TARGET = {'ecs.instances.i-emu-running.instance_type': 'ecs.g6.large',
                   'ecs.network_interfaces.eni-emu-2.status': 'InUse', 'ecs.network_interfaces.eni-emu-2.instance_id': 'i-emu-running',
                   'ecs.network_interfaces.eni-emu-2.device_index': 1}
FULL_ZEC_SMALL = dict(kv for nic_id in ('nic-emu-2', 'nic-emu-3', 'nic-emu-4')
                      for kv in (('zec.nics.%s.status' % nic_id, 'USED'), ('zec.nics.%s.instance_id' % nic_id, 'ins-emu-small')))


# --- 5. calls whose answer is lost, other actors, outages (issue 11) ----------------------------------------------------

def unknown_outcome_rows(c):
    codes, name = c.codes, c.name
    e503 = codes['e503']
    rows = [
        Scenario(c, 'lost-attach-rolled-back', 'lost answers', 'the attach is applied but its answer is lost; the cloud then rolls it back '
                 '(attach takes 2 s)',
                 'the re-read shows it attaching (credited, tentatively); the rollback withdraws it: fails at once, Rejected, unchanged; '
                 'no second attach',
                 Expect(False, True, 'Rejected', calls={DESCRIBE: (2, 5), ATTACH: ['ok']}, final=available(c), words=('rolled it back',)),
                 faults=[rule(ATTACH, 'reset_after'), rule(ATTACH, 'fail_transition')], settings={'attach_delay': 2}),
        Scenario(c, 'writes-pause-between', 'lost answers', 'the detach answered 500 twice (not applied)',
                 'reads again after each; every re-send waits first, with growing backoff',
                 Expect(True, calls={DESCRIBE: 4, DETACH: [codes['e500'], codes['e500'], 'ok']}, final=available(c), write_gap=(0.25, 4)),
                 args=args(c, state='absent'), start='attached', faults=[rule(DETACH, 'http_error', status=500, count=2)]),
        Scenario(c, 'hung-read-bounded', 'lost answers', 'the first read hangs 8 s; wait_timeout 3, timeout 30',
                 'no request outlives the task: the read is cut at the 3 s deadline',
                 Expect(False, True, 'ReadTimeout', calls={DESCRIBE: 1}, final=available(c), duration=(2.5, 12)),
                 args=args(c, wait_timeout=3), faults=[rule(DESCRIBE, 'delay', seconds=8)]),
        Scenario(c, 'other-actor-reattaches-old', 'other actors', 'force-move: right after our detach, someone attaches it back to the old '
                 'instance',
                 'our attach is refused, the re-read explains it (a race): decides again, moves it once more; changed',
                 Expect(True, calls={DESCRIBE: (4, 8), DETACH: ['ok', 'ok'], ATTACH: [codes['attach_race'], 'ok']}, final=attached(c)),
                 args=args(c, force=True), start='elsewhere',
                 faults=[rule(ATTACH, 'change', interfaces={c.nic: {'status': c.attached, 'instance_id': c.other}})]),
        Scenario(c, 'other-actor-moves-elsewhere', 'other actors', 'while our attach is in progress, someone puts it on another instance',
                 'a race, not the cloud\'s rejection: fails AttachedElsewhere (force: false), and reports its own attach, seen happening',
                 Expect(True, True, 'AttachedElsewhere', calls={DESCRIBE: 3, ATTACH: ['ok']}, final=attached(c, c.other), words=(c.other,)),
                 faults=[rule(ATTACH, 'stuck'), rule(DESCRIBE, 'change', skip=2, interfaces={c.nic: {'status': c.attached, 'instance_id': c.other}})]),
        Scenario(c, 'deleted-during-move', 'other actors', 'force-move: the interface is deleted right after our detach',
                 'the attach is refused, the re-read finds nothing: fails Disappeared (not NotFound); the detach was a change',
                 Expect(True, True, 'Disappeared', calls={DESCRIBE: 3, DETACH: ['ok'], ATTACH: [NOT_FOUND_CODE[name]]}, final=None,
                        words=('disappeared',)),
                 args=args(c, force=True), start='elsewhere', faults=[rule(ATTACH, 'change', interfaces={c.nic: None})]),
        Scenario(c, 'outage-during-wait', 'outages', 'after the attach, every read fails (503); wait_timeout 120',
                 'the wait ends once the client\'s read retries are spent (5), with the read\'s code, the status last seen and when',
                 Expect(True, True, e503, calls={DESCRIBE: ['ok'] + [e503] * 5, ATTACH: ['ok']}, final=attached(c),
                        words=('The last read failed', 'when last read'), span=(1, 12), duration=(0, 45)),
                 args=args(c, wait_timeout=120), faults=[rule(DESCRIBE, 'http_error', status=503, count=99, skip=1)]),
        Scenario(c, 'connection-lost-during-wait', 'outages', 'after the attach, every read\'s connection is dropped',
                 'ends with ConnectionLost (kind connection) once the read retries are spent',
                 Expect(True, True, 'ConnectionLost', calls={DESCRIBE: ['ok'] + ['connection_reset'] * 5, ATTACH: ['ok']}, final=attached(c),
                        words=('kind connection',), span=(1, 12), duration=(0, 45)),
                 args=args(c, wait_timeout=120), faults=[rule(DESCRIBE, 'reset_before', count=99, skip=1)]),
        Scenario(c, 'lost-call-unsettled', 'outages', 'the attach\'s connection is dropped, then every read fails (503)',
                 'fails with the read\'s code and says which call may have been applied, or may still be; unchanged',
                 Expect(False, True, e503, calls={DESCRIBE: ['ok'] + [e503] * 5, ATTACH: ['connection_reset']}, final=available(c),
                        words=('AttachNetworkInterface call sent', 'may have been applied')),
                 faults=[rule(ATTACH, 'reset_before'), rule(DESCRIBE, 'http_error', status=503, count=99, skip=1)]),
        Scenario(c, 'https-to-http-port', 'messages', 'an https:// endpoint on the emulator\'s plain-HTTP port',
                 'says the endpoint does not answer in TLS (not a certificate problem)',
                 Expect(False, True, 'TLSHandshakeFailed', calls={}, final=available(c), words=('did not answer in TLS', 'http://')),
                 args=args(c, endpoint='{https_url}')),
    ]
    if c is ZEC:
        rows += [
            Scenario(c, 'force-move-late-detach', 'lost answers', 'force-move: the detach is answered 6 s late, timeout 2',
                     'ZEC\'s detach names only the vNIC: never sent again, nor followed by the attach, while the late copy may land; '
                     'attaches once it cannot; the late detach undoes nothing',
                     Expect(True, calls={DESCRIBE: (8, 18), DETACH: ['ok'], ATTACH: ['ok']}, final=attached(c), duration=(10, 25)),
                     args=args(c, force=True, timeout=2), start='elsewhere', faults=[rule(DETACH, 'delay', seconds=6)]),
            Scenario(c, 'wrong-endpoint-path', 'messages', 'an endpoint with a path where no ZEC API answers',
                     'says the endpoint\'s path is wrong, instead of "HTTP 404 without an error message"',
                     Expect(False, True, 'EndpointNotFound', calls={}, final=available(c), words=('no ZEC API answers there', '/api/v2/zec')),
                     args=args(c, endpoint='{url}/wrong')),
        ]
    else:
        rows += [
            Scenario(c, 'force-move-late-detach', 'lost answers', 'force-move: the detach is answered 6 s late, timeout 2',
                     'ECS\'s detach names the instance: sent again at once; the late copy lands after the move and is refused',
                     Expect(True, calls={DESCRIBE: (3, 8), DETACH: ['ok', codes['detach_race']], ATTACH: ['ok']}, final=attached(c)),
                     args=args(c, force=True, timeout=2), start='elsewhere', faults=[rule(DETACH, 'delay', seconds=6)]),
        ]
    rows += [
        input_error(c, 'endpoint-broken-ipv6', 'endpoint: "http://[::1"', args(c, endpoint='http://[::1'), ('endpoint', 'not a URL')),
        input_error(c, 'ca-path-missing', 'ca_path: /nonexistent.pem', args(c, ca_path='/nonexistent.pem'), ('ca_path', 'not a file')),
        Scenario(c, 'endpoint-with-password', 'input', 'an endpoint with user:password@',
                 'refuses before any call; the password never shows, in the message or the invocation',
                 Expect(False, True, 'InvalidInput', calls={}, final=available(c), words=('must not carry a user name or password', '********')),
                 args=args(c, endpoint='http://user:s3cret-in-url@127.0.0.1:1'), secrets=('s3cret-in-url',)),
    ]
    return rows


FAULTS = fault_rows(ECS) + fault_rows(ZEC)
SECURITY = security_rows(ECS) + security_rows(ZEC)
BAD_INPUT = input_rows(ECS) + input_rows(ZEC)
REAL_CLOUDS = real_cloud_rows(ECS) + real_cloud_rows(ZEC)
UNKNOWN_OUTCOMES = unknown_outcome_rows(ECS) + unknown_outcome_rows(ZEC)
MATRIX = (('Faults', FAULTS), ('Security', SECURITY), ('Bad input', BAD_INPUT), ('The real clouds\' quirks', REAL_CLOUDS),
          ('Lost answers, other actors, outages', UNKNOWN_OUTCOMES))


# --- running a batch ------------------------------------------------------------------------------------------------

PLAYBOOK = '''
- name: One inventory host per scenario
  hosts: localhost
  gather_facts: false
  vars_files:
    - scenarios.json  # not -e: at -vvvv ansible-playbook prints its command line, and some arguments are secrets
  tasks:
    - name: Add the scenario hosts
      ansible.builtin.add_host:
        name: "{{ item.host }}"
        groups: scenarios
        ansible_connection: local
        scenario_cloud: "{{ item.cloud }}"
        scenario_args: "{{ item.args }}"
        scenario_env: "{{ item.env }}"
        scenario_check: "{{ item.check }}"
        scenario_diff: "{{ item.diff }}"
      loop: "{{ scenarios }}"
      loop_control:
        label: "{{ item.host }}"
      no_log: true  # the host variables hold module arguments, some of them secrets

- name: Every scenario side by side
  hosts: scenarios
  gather_facts: false
  strategy: free
  tasks:
    - name: Alibaba ECS scenario
      cloudnet.nic.alicloud_eni_attachment: "{{ scenario_args }}"
      environment: "{{ scenario_env }}"
      check_mode: "{{ scenario_check | bool }}"
      diff: "{{ scenario_diff | bool }}"
      when: scenario_cloud == 'ecs'
    - name: Zenlayer ZEC scenario
      cloudnet.nic.zenlayer_vnic_attachment: "{{ scenario_args }}"
      environment: "{{ scenario_env }}"
      check_mode: "{{ scenario_check | bool }}"
      diff: "{{ scenario_diff | bool }}"
      when: scenario_cloud == 'zec'
'''
# The callback that records each host's task times (tests/integration/callback_plugins/task_times.py).
TASK_TIMES_ENV = {'ANSIBLE_CALLBACK_PLUGINS': str(HERE / 'callback_plugins'), 'ANSIBLE_CALLBACKS_ENABLED': 'task_times'}
RESULT_LINE = re.compile(r'^(ok|changed|fatal): \[([^\]]+)\](: FAILED!)? => (?=\{)', re.M)
SECTIONS = {'ecs': 'network_interfaces', 'zec': 'nics'}


class Outcome:
    """What one scenario did: each host's module result, the row emulator's call log and final state, the whole run's
    output (ansible-core 2.19 shows a module's warnings there, as ``[WARNING]:`` lines without the host), and each
    host's task times (``{'start', 'end'}``, epoch seconds, from the ``task_times`` callback)."""

    def __init__(self, results, calls, state, output, times=None):
        self.results = results
        self.calls = calls
        self.state = state
        self.output = output
        self.times = times or []


def initial_state(row):
    """The default world, exact (``control.EXACT``), with the row's interface in its starting state, world changes and settings."""
    from control import EXACT  # pylint: disable=import-outside-toplevel  # harness put tests/emulator on sys.path
    with open(DEFAULT_STATE, encoding='utf-8') as handle:
        state = json.load(handle)
    cloud = row.cloud
    state['settings'].update(EXACT, attach_delay=0, detach_delay=0)
    state['settings'].update(row.settings)
    holder = {'attached': cloud.target, 'elsewhere': cloud.other}.get(row.start)
    if holder:
        nic = state[cloud.name][SECTIONS[cloud.name]][cloud.nic]
        nic.update(status=cloud.attached, instance_id=holder)
        if cloud is ECS:
            nic['device_index'] = 1
    for path, value in row.world.items():
        *parents, last = path.split('.')
        node = state
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value
    return state


def _fill(value, context):
    if isinstance(value, str):
        return value.format(**context) if '{' in value else value
    if isinstance(value, dict):
        return dict((key, _fill(item, context)) for key, item in value.items())
    return value


def prepare(row, emulator, context):
    """Set up the row's emulator; the scenario host entries for the playbook."""
    emulator.put_state(initial_state(row))
    for fault in row.faults:
        emulator.fault(**copy.deepcopy(fault))
    env = {row.cloud.env['endpoint']: emulator.url}
    env.update(row.env)
    context = dict(context, url=emulator.url, https_url=emulator.url.replace('http://', 'https://', 1))
    per_host = row.args if isinstance(row.args, list) else [row.args] * row.hosts
    return [{'host': host, 'cloud': row.cloud.name, 'args': _fill(host_args, context), 'env': env, 'check': row.check, 'diff': row.diff}
            for host, host_args in zip(row.host_names, per_host)]


def parse_results(stdout):
    """``{host: module result}`` from the default callback's output of a playbook run."""
    results = {}
    decoder = json.JSONDecoder()
    for match in RESULT_LINE.finditer(stdout):
        result, _end = decoder.raw_decode(stdout, match.end())
        result.setdefault('failed', match.group(1) == 'fatal')
        results[match.group(2)] = result
    return results


def issue_test_ca(directory):
    """A test CA and a certificate for 127.0.0.1 signed by it: ``(ca_file, (cert_file, key_file))``."""
    import trustme  # pylint: disable=import-outside-toplevel  # a test requirement, needed only for the TLS rows

    authority = trustme.CA()
    issued = authority.issue_cert('127.0.0.1', 'localhost')
    paths = [str(Path(directory) / name) for name in ('ca.pem', 'server.pem', 'server.key')]
    authority.cert_pem.write_to_path(paths[0])
    issued.private_key_and_cert_chain_pem.write_to_path(paths[1])
    issued.private_key_pem.write_to_path(paths[2])
    return paths[0], (paths[1], paths[2])


def run(rows, ansible, verbosity=4, forks=12):
    """Run every row once, side by side, in one ``ansible-playbook`` run at ``verbosity``.

    ``ansible`` is a ``harness.Ansible`` (it scans the output for secrets; the rows' own secrets are added to its
    list). Returns ``({row.id: Outcome}, the harness.Run of the playbook)``.
    """
    from control import Emulator  # pylint: disable=import-outside-toplevel  # harness put tests/emulator on sys.path

    plain = [row for row in rows if not row.tls]
    secure = [row for row in rows if row.tls]
    context = {'ca_file': ''}
    groups = [Emulator.start_group(len(plain))] if plain else []
    if secure:
        context['ca_file'], cert_and_key = issue_test_ca(ansible.tmp_path)
        groups.append(Emulator.start_group(len(secure), tls=cert_and_key))
    emulators = dict(zip([row.id for row in plain + secure], [emulator for group in groups for emulator in group]))
    try:
        entries = []
        for row in sorted(rows, key=lambda row: -row.hosts):  # racing hosts first, so that they all get a fork at once
            entries += prepare(row, emulators[row.id], context)
            ansible.extra_secrets.extend(row.secrets)
        (ansible.tmp_path / 'scenarios.json').write_text(json.dumps({'scenarios': entries}))
        times_file = ansible.tmp_path / 'task_times.json'
        played = ansible.playbook(PLAYBOOK, verbosity=verbosity, env=dict(TASK_TIMES_ENV, ANSIBLE_FORKS=str(forks),
                                                                          CLOUDNET_TASK_TIMES=str(times_file)))
        results = parse_results(played.stdout)
        times = json.loads(times_file.read_text()) if times_file.exists() else {}
        outcomes = {}
        for row in rows:
            emulator = emulators[row.id]
            host_times = [_scenario_task(times.get(host, [])) for host in row.host_names]
            outcomes[row.id] = Outcome([results.get(host) for host in row.host_names], emulator.calls(), emulator.state(), played.output,
                                       host_times)
        return outcomes, played
    finally:
        for group in groups:
            group[0].stop()


def _scenario_task(times):
    """The times of the one scenario task a host ran (not the skipped one of the other cloud)."""
    ran = [entry for entry in times if 'scenario' in entry['task']]
    return ran[-1] if ran else None


def params(rows):
    """``rows`` as pytest parameters named by their id; a row with a ``bug`` is a strict xfail with that reason."""
    import pytest  # pylint: disable=import-outside-toplevel  # tools/reliability_doc.py imports this file without pytest

    return [pytest.param(row, id=row.id, marks=[pytest.mark.xfail(strict=True, reason='BUG: ' + row.bug)] if row.bug else [])
            for row in rows]


def check(row, outcome, secrets=()):
    """Assert everything the row expects of its outcome."""
    expect = row.expect
    assert all(result is not None for result in outcome.results), 'no module result for %s' % row.host_names
    for result in outcome.results:
        text = json.dumps(result)
        assert not [secret for secret in secrets if secret and secret in text], 'a secret is in the result of %s' % row.id
        assert 'exception' not in result and 'module_stderr' not in result, text
    if row.hosts == 1:
        result = outcome.results[0]
        assert (result['changed'], result['failed']) == (expect.changed, expect.failed), result
    else:
        assert tuple(sorted(result['changed'] for result in outcome.results)) == expect.changed, outcome.results
        assert [result['failed'] for result in outcome.results] == [expect.failed] * row.hosts, outcome.results
    for result in outcome.results:
        assert (result.get('error') or {}).get('code') == expect.code, result
        for word in expect.words:
            assert word in result.get('msg', ''), (word, result.get('msg'))
        for word in expect.not_words:
            assert word not in result.get('msg', ''), (word, result.get('msg'))
        check_documented_keys(result)
        for path, value in expect.facts.items():
            assert _fact(result, path) is value if value is ABSENT else _fact(result, path) == value, (path, result)
    if expect.warns:
        # ansible-core 2.16 wraps a warning at 79 columns when stdout is not a terminal; 2.19 prints it on one line
        assert '[WARNING]: %s' % expect.warns in ' '.join(outcome.output.split())
    if expect.duration:
        # From the task's first API call (or its start, without one) to its result: module start-up, slow on a loaded
        # machine, is not what a row is about.
        first = min([call.get('arrived', call['epoch']) for call in outcome.calls] or [None]) if outcome.calls else None
        for times in outcome.times:
            assert times is not None, 'no task times recorded for %s' % row.id
            took = times['end'] - (first or times['start'])
            assert expect.duration[0] <= took <= expect.duration[1], 'the task took %.2f s after its first call' % took
    check_calls(row, outcome.calls)
    check_final(row, outcome.state)


def check_documented_keys(result):
    """Every result holds the keys RETURN says are always returned; a failure holds ``msg`` and the whole ``error``."""
    missing = [key for key in ALWAYS if key not in result]
    assert not missing, 'RETURN documents %s as always returned; missing in %s' % (missing, result)
    assert set(result['waited']) == {'seconds', 'reads'}, result['waited']
    if result['failed']:
        assert isinstance(result.get('msg'), str) and result['msg'], result
        assert sorted(result.get('error') or {}) == list(ERROR_KEYS), result


def _fact(result, path):
    node = result
    for part in path.split('.'):
        if not isinstance(node, dict) or part not in node:
            return ABSENT
        node = node[part]
    return node


def check_calls(row, calls):
    expect = row.expect
    seen = dict((action, [call['outcome'] for call in calls if call['action'] == action]) for action in ACTIONS)
    assert not [call for call in calls if call['action'] not in ACTIONS], calls
    for action in ACTIONS:
        wanted = expect.calls.get(action, [])
        if isinstance(wanted, int):
            assert len(seen[action]) == wanted, (action, seen[action])
        elif isinstance(wanted, tuple):
            assert wanted[0] <= len(seen[action]) <= wanted[1], (action, seen[action])
        elif isinstance(wanted, re.Pattern):
            assert wanted.fullmatch(' '.join(seen[action])), (action, seen[action], wanted.pattern)
        elif row.hosts > 1:
            assert sorted(seen[action]) == sorted(wanted), (action, seen[action])
        else:
            assert seen[action] == wanted, (action, seen[action])
    epochs = [call['epoch'] for call in calls]
    if expect.span:
        span = epochs[-1] - epochs[0] if epochs else 0
        assert expect.span[0] <= span <= expect.span[1], 'the calls spanned %.2f s' % span
    if expect.pause:
        for index, call in enumerate(calls[:-1]):
            if call['fault']:
                pause = calls[index + 1]['epoch'] - call['epoch']
                assert expect.pause[0] <= pause <= expect.pause[1], 'paused %.2f s after %s' % (pause, call['outcome'])
    if expect.write_gap:
        writes = [call['epoch'] for call in calls if call['action'] in MUTATING]
        for before, after in zip(writes, writes[1:]):
            assert expect.write_gap[0] <= after - before <= expect.write_gap[1], 'writes %.2f s apart' % (after - before)


def check_final(row, state):
    cloud, expect = row.cloud, row.expect
    nic = state[cloud.name][SECTIONS[cloud.name]].get(row.nic)
    if expect.final is None:
        assert nic is None, nic
    else:
        assert (nic['status'], nic['instance_id']) == expect.final, nic
    if expect.instance:
        instance_id, status = expect.instance
        assert state[cloud.name]['instances'][instance_id]['status'] == status
