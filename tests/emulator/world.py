# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulated world of both clouds, its asynchronous transitions and its timeline.

The world is the JSON document of ``default_state.json`` (see README.md). Transitions need no timers:
an interface that starts attaching gets a ``transition`` record with the time it is due and the fields
it will take then; every read first ``settle()``s whatever has fallen due. Every change is committed to the
timeline (``timeline.py``), from which reads that lag (``read_lag_seconds``) and the admin history are served.
"""

from __future__ import annotations

import copy
import threading
import time

import lifecycle
from timeline import INTERFACES, Timeline

DEFAULT_SETTINGS = {
    'attach_delay': 1.0,
    'detach_delay': 1.0,
    'create_delay': 3.0,  # PENDING / Creating -> AVAILABLE / Available (lifecycle.py); null: never
    'instance_start_delay': 5.0,  # ECS Pending/Starting, ZEC PENDING/DEPLOYING/BOOTING/... -> running; null: never
    'instance_stop_delay': 5.0,  # Stopping / STOPPING -> stopped; null: never
    'read_lag_seconds': 2.0,  # reads see the world as it was this long ago
    'instance_busy_conflict': True,  # ECS: attach/detach on an instance with another ENI moving -> 409 OperationConflict
    'clock_offset_seconds': 0.0,
    'ecs_skew_seconds': 900,
    'zec_skew_seconds': 300,
    'rate_limit_per_second': 0,  # flow control per access key (ratelimit.py); 0: off
    'rate_limit_burst': 0,
}
SECTIONS = {
    'ecs': {'regions': {}, 'credentials': [], 'sts_credentials': [], 'instance_types': {}, 'instances': {}, 'network_interfaces': {}},
    'zec': {'credentials': [], 'zones': {}, 'instance_types': {}, 'instances': {}, 'nics': {}},
}
OUTCOMES = ('complete', 'stuck', 'fail')


class StateError(ValueError):
    """A state document that cannot be loaded."""


def normalize(state, overrides=None):
    """A complete copy of ``state``: missing sections and settings filled in, ``overrides`` applied to settings."""
    if not isinstance(state, dict):
        raise StateError('the state must be a JSON object')
    state = copy.deepcopy(state)
    settings = dict(DEFAULT_SETTINGS)
    settings.update(state.get('settings') or {})
    settings.update(overrides or {})
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
    """The current state, its lock, its timeline, and the clock."""

    def __init__(self, state, overrides=None):
        self.overrides = dict(overrides or {})
        self.startup = normalize(state, self.overrides)
        self.lock = threading.RLock()
        self.state = self.timeline = None
        self._load(self.startup, 'startup')

    def _load(self, state, source):
        """A fresh copy of ``state`` with a fresh timeline: visible to every read at once."""
        self.state = copy.deepcopy(state)
        self.timeline = Timeline()
        self.commit({'kind': 'load', 'source': source})

    @property
    def settings(self):
        return self.state['settings']

    def replace(self, state):
        """Swap in a whole new world (admin PUT); command-line delay overrides do not apply to it."""
        fresh = normalize(state)
        with self.lock:
            self._load(fresh, 'put')

    def reset(self):
        with self.lock:
            self._load(self.startup, 'reset')

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

    def commit(self, cause, at=None):
        """Record what changed (as of ``at``, default now) and why; statuses that settle by themselves start settling."""
        at = time.time() if at is None else at
        with self.lock:
            for key, record in self.timeline.records(self.state).items():
                lifecycle.schedule(key, record, at, self.settings)
            self.timeline.commit(self.state, at, cause)

    def read_view(self):
        """``(the clouds' records as reads see them now, as_of)``: the world ``read_lag_seconds`` ago."""
        lag = float(self.settings.get('read_lag_seconds') or 0)
        now = time.time()
        if lag <= 0:
            return self.state, now
        return self.timeline.view(now - lag), now - lag

    def history(self, cloud=None, record_id=None, kind='interface'):
        with self.lock:
            self.settle()
            return self.timeline.entries(cloud, record_id, kind)

    def begin_transition(self, record, moving, complete, revert, delay_name, outcome='complete'):
        """Put ``record`` into its moving state now; after the delay it takes ``complete`` (or ``revert``)."""
        if outcome not in OUTCOMES:
            raise ValueError(outcome)
        due = time.time() + float(self.settings[delay_name])
        record.update(moving)
        record['transition'] = {'due': due, 'outcome': outcome, 'complete': complete, 'revert': revert}
        return due

    def apply_change(self, cloud, interfaces, instances, cause=None):
        """Another party acts on ``cloud``: patch (or, for ``None``, delete) interfaces, and patch instances.

        A patched interface or instance loses any transition in progress: what the other party did is what is now true.
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
                    self.state[cloud]['instances'][instance_id].pop('transition', None)
                    self.state[cloud]['instances'][instance_id].update(patch)
            self.commit(dict(cause or {}, kind='change'))

    def settle(self):
        """Finish, in time order, every transition that has fallen due (a ``stuck`` one never does)."""
        now = time.time()
        with self.lock:
            while True:
                records = self.timeline.records(self.state)
                due = sorted((record['transition']['due'], key) for key, record in records.items()
                             if record.get('transition') and record['transition'].get('outcome') != 'stuck'
                             and record['transition'].get('due', 0) <= now)
                if not due:
                    return
                at, key = due[0]
                record = records[key]
                transition = record.pop('transition')
                record.update(transition['revert'] if transition.get('outcome') == 'fail' else transition['complete'])
                # when the cloud finished it (epoch seconds), not when a read noticed: benchmarks measure from here
                record['last_transition'] = {'at': at, 'outcome': transition.get('outcome'), 'status': record.get('status')}
                self.commit({'kind': 'transition', 'outcome': transition.get('outcome')}, at)
