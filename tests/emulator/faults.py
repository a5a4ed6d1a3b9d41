# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Injected faults: rules that each take over the next N matching API calls.

A rule is ``{cloud, action, fault, count, skip, ...fault params}``; ``cloud`` and ``action`` may be ``"*"``.
Rules are matched in the order they were added and removed once their count is used up. ``skip`` (default 0)
lets that many matching calls pass before the rule starts to act (e.g. throttle only the second read); it counts every
matching call, also those another rule acted on.
The clouds say what each fault looks like on the wire (``ecs.py`` / ``zec.py`` ``fault_reply``).

``change`` is another party acting on the world just before the matching call is processed: it patches interfaces
(``{"interfaces": {"<id>": {"status": ..., "instance_id": ...}}}``; ``null`` deletes the interface; a patched
interface loses any transition in progress) and instances (``{"instances": {"<id>": {"status": "Stopped"}}}``) of
the rule's cloud, using the field names of the state document. The call itself is then processed normally.
"""

from __future__ import annotations

import copy
import threading

# Faults answered instead of the action (the action is not applied unless ``apply`` is set where allowed).
ANSWERING = ('throttle', 'http_error', 'malformed', 'challenge', 'blocked')
# Faults around a normally processed call: its connection, its timing, or (``change``) the world it finds.
CONNECTION = ('reset_before', 'reset_after', 'delay', 'change')
# Faults on the transition the call starts: what the transition does when it falls due.
TRANSITION = {'stuck': 'stuck', 'fail_transition': 'fail'}
KINDS = ANSWERING + CONNECTION + tuple(TRANSITION)
HTTP_ERROR_STATUSES = (429, 500, 502, 503, 504)
HTTP_429_VARIANTS = ('html', 'json')
MALFORMED_VARIANTS = ('html', 'empty', 'wrong_shape')


class FaultError(ValueError):
    """A rule that cannot be added."""


def _number(rule, name, default=None):
    value = rule.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise FaultError('"%s" must be a non-negative number' % name)
    return value


def _check_fault_params(rule):
    """Fill in and check the parameters of the rule's kind of fault."""
    kind = rule['fault']
    if kind == 'throttle':
        _number(rule, 'retry_after')
        if rule['cloud'] != 'zec' and not str(rule.setdefault('code', 'Throttling')).startswith('Throttling'):
            raise FaultError('an ECS throttle "code" must be Throttling or Throttling.<something>')
        status = rule.setdefault('status', 400)
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 499:
            raise FaultError('an ECS throttle "status" must be a 4xx HTTP status')
    elif kind == 'http_error':
        if rule.setdefault('status', 500) not in HTTP_ERROR_STATUSES:
            raise FaultError('"status" must be one of %s' % ', '.join(str(status) for status in HTTP_ERROR_STATUSES))
        if rule.setdefault('variant', 'html') not in HTTP_429_VARIANTS or (rule['variant'] == 'json' and rule['status'] != 429):
            raise FaultError('"variant" is "html" (default) or, for status 429, "json"')
    elif kind == 'delay':
        rule['seconds'] = _number(rule, 'seconds', 1.0)
    elif kind == 'malformed':
        if rule.setdefault('variant', 'html') not in MALFORMED_VARIANTS:
            raise FaultError('"variant" must be one of: %s' % ', '.join(MALFORMED_VARIANTS))
    elif kind == 'change':
        _check_change(rule)


def _check_change(rule):
    """A ``change`` names one cloud and patches at least one interface or instance."""
    if rule['cloud'] not in ('ecs', 'zec'):
        raise FaultError('a change rule must name its cloud, "ecs" or "zec"')
    interfaces, instances = rule.setdefault('interfaces', {}), rule.setdefault('instances', {})
    if not isinstance(interfaces, dict) or not all(patch is None or isinstance(patch, dict) for patch in interfaces.values()):
        raise FaultError('"interfaces" must map interface ids to an object of fields, or to null to delete the interface')
    if not isinstance(instances, dict) or not all(isinstance(patch, dict) for patch in instances.values()):
        raise FaultError('"instances" must map instance ids to an object of fields')
    if not interfaces and not instances:
        raise FaultError('a change rule must patch at least one interface or instance')


def validate(rule):
    """A clean copy of ``rule`` with defaults filled in; raises ``FaultError``."""
    if not isinstance(rule, dict):
        raise FaultError('a fault rule must be a JSON object')
    rule = copy.deepcopy(rule)
    if rule.get('cloud') not in ('ecs', 'zec', '*'):
        raise FaultError('"cloud" must be "ecs", "zec" or "*"')
    if not isinstance(rule.get('action', '*'), str) or not rule.get('action', '*'):
        raise FaultError('"action" must be an action name or "*"')
    rule.setdefault('action', '*')
    if rule.get('fault') not in KINDS:
        raise FaultError('"fault" must be one of: %s' % ', '.join(KINDS))
    count = rule.setdefault('count', 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise FaultError('"count" must be a positive integer')
    skip = rule.get('skip', 0)
    if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
        raise FaultError('"skip" must be a non-negative integer')
    _check_fault_params(rule)
    if not isinstance(rule.setdefault('apply', False), bool):
        raise FaultError('"apply" must be true or false')
    return rule


class FaultBook:
    """The active rules; thread-safe. ``world`` (set with ``bind``) is where ``change`` rules act."""

    def __init__(self, world=None):
        self.rules = []
        self.next_id = 1
        self.lock = threading.Lock()
        self.world = world

    def bind(self, world):
        self.world = world

    def add(self, rule):
        rule = validate(rule)
        with self.lock:
            rule['id'] = self.next_id
            rule['remaining'] = rule['count']
            self.next_id += 1
            self.rules.append(rule)
            return copy.deepcopy(rule)

    def list(self):
        with self.lock:
            return copy.deepcopy(self.rules)

    def clear(self):
        with self.lock:
            self.rules = []

    def take(self, cloud, action, kinds, call=None):
        """Use up one count of the first rule of one of ``kinds`` matching the call; a copy of it, or None.

        Every matching rule that still has calls to ``skip`` counts this call down instead of acting on it, so a
        rule's ``skip`` is the number of matching calls before it, whatever other rules did with them.
        A ``change`` rule is applied to the world before it is returned (``call``: the sequence number of the call it
        comes before, for the timeline).
        """
        taken = None
        with self.lock:
            for rule in list(self.rules):
                if rule['fault'] not in kinds or rule['cloud'] not in (cloud, '*') or rule['action'] not in (action, '*'):
                    continue
                if rule.get('skip'):
                    rule['skip'] -= 1
                elif taken is None:
                    rule['remaining'] -= 1
                    if rule['remaining'] <= 0:
                        self.rules.remove(rule)
                    taken = copy.deepcopy(rule)
        if taken and taken['fault'] == 'change':
            self.world.apply_change(taken['cloud'], taken['interfaces'], taken['instances'], {'rule': taken['id'], 'call': call})
        return taken
