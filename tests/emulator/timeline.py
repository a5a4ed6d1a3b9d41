# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every version of every interface and instance record, with when and why it changed.

The timeline serves two purposes: reads that lag writes (the world as it was at ``as_of``, see ``view``) and the
admin history (``entries``). A world loaded at start-up, by PUT or by reset is committed with a ``load`` cause and is
visible to every read at once: a read never looks back before the load (so a zero delay settles at once too).
"""

from __future__ import annotations

import bisect
import copy

from clock import iso_utc

INTERFACES = (('ecs', 'network_interfaces'), ('zec', 'nics'))
HIDDEN = ('transition', 'last_transition')
KINDS = {'interface': dict(INTERFACES), 'instance': {'ecs': 'instances', 'zec': 'instances'}}


def visible(record):
    """What a read can see of a record: everything but the emulator's bookkeeping (not a copy)."""
    return dict((key, value) for key, value in record.items() if key not in HIDDEN)


class Timeline:
    """Versions per ``(cloud, kind, id)``: a list of ``(at, record or None when deleted, cause)`` in time order."""

    def __init__(self):
        self.versions = {}
        self.transitions = {}  # the last transition seen per record: an API call that restarts one is a version too
        self.loaded_at = None  # reads never look back before the world was loaded

    def records(self, state):
        """``{(cloud, kind, id): record}`` of every interface and instance in ``state``."""
        found = {}
        for kind, sections in KINDS.items():
            for cloud, section in sections.items():
                for record_id, record in state[cloud][section].items():
                    found[(cloud, kind, record_id)] = record
        return found

    def commit(self, state, at, cause):
        """Record every record that differs from its last version (new, changed or deleted) as of ``at``."""
        if self.loaded_at is None:
            self.loaded_at = at
        present = self.records(state)
        for key, record in present.items():
            seen = visible(record)
            versions = self.versions.setdefault(key, [])
            # An API call that only restarts a transition (a detach re-issued on a Detaching ENI) changes no field a
            # read shows, but it is the cause of what follows: the history records it too.
            restarted = cause.get('kind') == 'api' and record.get('transition') != self.transitions.get(key)
            if not versions or versions[-1][1] != seen or restarted:
                versions.append((at, copy.deepcopy(seen), dict(cause)))
            self.transitions[key] = copy.deepcopy(record.get('transition'))
        for key, versions in self.versions.items():
            if key not in present and versions[-1][1] is not None:
                versions.append((at, None, dict(cause)))

    def view(self, as_of):
        """``{cloud: {section: {id: record}}}`` as reads saw it at ``as_of`` (epoch seconds), never before the load."""
        as_of = max(as_of, self.loaded_at or as_of)
        sections = dict((cloud, {'instances': {}, KINDS['interface'][cloud]: {}}) for cloud in KINDS['interface'])
        for (cloud, kind, record_id), versions in self.versions.items():
            record = self.version_at(versions, as_of)
            if record is not None:
                sections[cloud][KINDS[kind][cloud]][record_id] = copy.deepcopy(record)
        return sections

    @staticmethod
    def version_at(versions, as_of):
        """The record as of ``as_of``, or None when it did not exist then."""
        index = bisect.bisect_right([at for at, _record, _cause in versions], as_of)
        return versions[index - 1][1] if index else None

    def entries(self, cloud=None, record_id=None, kind='interface'):
        """The history, oldest first: ``{time, epoch, cloud, kind, id, status, instance_id, deleted, cause}``."""
        rows = []
        for (key_cloud, key_kind, key_id), versions in self.versions.items():
            if key_kind != kind or (cloud and key_cloud != cloud) or (record_id and key_id != record_id):
                continue
            for at, record, cause in versions:
                rows.append({'time': iso_utc(at), 'epoch': round(at, 3), 'cloud': key_cloud, 'kind': key_kind, 'id': key_id,
                             'status': record.get('status') if record else None,
                             'instance_id': record.get('instance_id') if record else None,
                             'deleted': record is None, 'cause': dict(cause)})
        rows.sort(key=lambda row: row['epoch'])
        return rows
