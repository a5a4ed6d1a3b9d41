# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Injected faults: rules that each take over the next N matching API calls.

A rule is ``{cloud, action, fault, count, ...fault params}``; ``cloud`` and ``action`` may be ``"*"``.
Rules are matched in the order they were added and removed once their count is used up.
The clouds say what each fault looks like on the wire (``ecs.py`` / ``zec.py`` ``fault_reply``).
"""

from __future__ import annotations

import copy
import threading

# Faults answered instead of the action (the action is not applied unless ``apply`` is set where allowed).
ANSWERING = ('throttle', 'http_error', 'malformed', 'challenge', 'blocked')
# Faults about the connection or timing around a normally processed call.
CONNECTION = ('reset_before', 'reset_after', 'delay')
# Faults on the transition the call starts: what the transition does when it falls due.
TRANSITION = {'stuck': 'stuck', 'fail_transition': 'fail'}
KINDS = ANSWERING + CONNECTION + tuple(TRANSITION)
HTTP_ERROR_STATUSES = (500, 502, 503)
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
            raise FaultError('"status" must be one of 500, 502, 503')
    elif kind == 'delay':
        rule['seconds'] = _number(rule, 'seconds', 1.0)
    elif kind == 'malformed':
        if rule.setdefault('variant', 'html') not in MALFORMED_VARIANTS:
            raise FaultError('"variant" must be one of: %s' % ', '.join(MALFORMED_VARIANTS))


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
    _check_fault_params(rule)
    if not isinstance(rule.setdefault('apply', False), bool):
        raise FaultError('"apply" must be true or false')
    return rule


class FaultBook:
    """The active rules; thread-safe."""

    def __init__(self):
        self.rules = []
        self.next_id = 1
        self.lock = threading.Lock()

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

    def take(self, cloud, action, kinds):
        """Use up one count of the first rule of one of ``kinds`` matching the call; a copy of it, or None."""
        with self.lock:
            for rule in self.rules:
                if rule['fault'] in kinds and rule['cloud'] in (cloud, '*') and rule['action'] in (action, '*'):
                    rule['remaining'] -= 1
                    if rule['remaining'] <= 0:
                        self.rules.remove(rule)
                    return copy.deepcopy(rule)
        return None
