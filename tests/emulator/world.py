# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulated world of both clouds, and its asynchronous transitions.

The world is the JSON document of ``default_state.json`` (see README.md). Transitions need no timers:
an interface that starts attaching gets a ``transition`` record with the time it is due and the fields
it will take then; every read first ``settle()``s whatever has fallen due.
"""

from __future__ import annotations

import copy
import threading
import time
from datetime import datetime, timezone

DEFAULT_SETTINGS = {
    'attach_delay': 1.0,
    'detach_delay': 1.0,
    'clock_offset_seconds': 0.0,
    'ecs_skew_seconds': 900,
    'zec_skew_seconds': 300,
    'rate_limit_per_second': 0,  # flow control per access key (ratelimit.py); 0: off
    'rate_limit_burst': 0,
}
SECTIONS = {
    'ecs': {'regions': {}, 'credentials': [], 'sts_credentials': [], 'instances': {}, 'network_interfaces': {}},
    'zec': {'credentials': [], 'instances': {}, 'nics': {}},
}
INTERFACES = (('ecs', 'network_interfaces'), ('zec', 'nics'))
OUTCOMES = ('complete', 'stuck', 'fail')


class StateError(ValueError):
    """A state document that cannot be loaded."""


def iso_utc(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def normalize(state, overrides=None):
    """A complete copy of ``state``: missing sections and settings filled in, ``overrides`` applied to settings."""
    if not isinstance(state, dict):
        raise StateError('the state must be a JSON object')
    state = copy.deepcopy(state)
    settings = dict(DEFAULT_SETTINGS)
    settings.update(state.get('settings') or {})
    settings.update(dict((key, value) for key, value in (overrides or {}).items() if value is not None))
    state['settings'] = settings
    for section, defaults in SECTIONS.items():
        part = state.setdefault(section, {})
        if not isinstance(part, dict):
            raise StateError('"%s" must be a JSON object' % section)
        for key, empty in defaults.items():
            part.setdefault(key, copy.deepcopy(empty))
            if not isinstance(part[key], type(empty)):
                raise StateError('"%s.%s" must be a JSON %s' % (section, key, 'object' if isinstance(empty, dict) else 'array'))
    return state


class World:
    """The current state, its lock, and the clock."""

    def __init__(self, state, overrides=None):
        self.overrides = dict(overrides or {})
        self.startup = normalize(state, self.overrides)
        self.lock = threading.RLock()
        self.state = copy.deepcopy(self.startup)

    @property
    def settings(self):
        return self.state['settings']

    def replace(self, state):
        """Swap in a whole new world (admin PUT); command-line delay overrides do not apply to it."""
        fresh = normalize(state)
        with self.lock:
            self.state = fresh

    def reset(self):
        with self.lock:
            self.state = copy.deepcopy(self.startup)

    def update_settings(self, changes):
        unknown = sorted(set(changes) - set(DEFAULT_SETTINGS))
        if unknown:
            raise StateError('unknown setting(s): %s' % ', '.join(unknown))
        with self.lock:
            self.settings.update(changes)
            return dict(self.settings)

    def now(self):
        """The cloud's clock, epoch seconds: the real time shifted by ``clock_offset_seconds``."""
        return time.time() + float(self.settings.get('clock_offset_seconds') or 0)

    def snapshot(self):
        with self.lock:
            self.settle()
            return copy.deepcopy(self.state)

    def interfaces(self, cloud):
        return self.state[cloud][dict(INTERFACES)[cloud]]

    def begin_transition(self, record, moving, complete, revert, delay_name, outcome='complete'):
        """Put ``record`` into its moving state now; after the delay it takes ``complete`` (or ``revert``)."""
        if outcome not in OUTCOMES:
            raise ValueError(outcome)
        due = time.time() + float(self.settings[delay_name])
        record.update(moving)
        record['transition'] = {'due': due, 'outcome': outcome, 'complete': complete, 'revert': revert}
        return due

    def apply_change(self, cloud, interfaces, instances):
        """Another party acts on ``cloud``: patch (or, for ``None``, delete) interfaces, and patch instances.

        A patched interface loses any transition in progress: what the other party did is what is now true.
        Ids the world does not hold are ignored.
        """
        with self.lock:
            self.settle()
            records = self.interfaces(cloud)
            for nic_id, patch in interfaces.items():
                if patch is None:
                    records.pop(nic_id, None)
                elif nic_id in records:
                    records[nic_id].pop('transition', None)
                    records[nic_id].update(patch)
            for instance_id, patch in instances.items():
                if instance_id in self.state[cloud]['instances']:
                    self.state[cloud]['instances'][instance_id].update(patch)

    def settle(self):
        """Finish every transition that has fallen due (a ``stuck`` one never does)."""
        now = time.time()
        for cloud, _key in INTERFACES:
            for record in self.interfaces(cloud).values():
                transition = record.get('transition')
                if not transition or transition.get('outcome') == 'stuck' or now < transition.get('due', 0):
                    continue
                record.update(transition['revert'] if transition.get('outcome') == 'fail' else transition['complete'])
                del record['transition']
                # when the cloud finished it (epoch seconds), not when a read noticed: benchmarks measure from here
                record['last_transition'] = {'at': transition['due'], 'outcome': transition.get('outcome'), 'status': record.get('status')}
