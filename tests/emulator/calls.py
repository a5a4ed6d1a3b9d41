# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The log of every API call the emulator answered (or dropped), for tests that count calls."""

from __future__ import annotations

import copy
import threading

from clock import iso_utc


class CallLog:
    """Entries ``{seq, time, cloud, action, params, http_status, outcome, fault, request_id, auth, access_key_id[, as_of]}``; thread-safe.

    ``seq`` numbers calls in the order they arrived (``begin``: the history's causes refer to it); the log lists them in
    the order they were answered, so a call answered late comes after the calls answered meanwhile.
    """

    def __init__(self):
        self.entries = []
        self.seq = 0
        self.lock = threading.Lock()

    def begin(self):
        """The sequence number of a call that has just arrived."""
        with self.lock:
            self.seq += 1
            return self.seq

    def record(self, when, seq=None, **entry):
        with self.lock:
            if seq is None:
                self.seq += 1
                seq = self.seq
            entry.update(seq=seq, time=iso_utc(when), epoch=round(when, 3))
            self.entries.append(entry)
            return copy.deepcopy(entry)

    def list(self, cloud=None, action=None):
        with self.lock:
            return [copy.deepcopy(entry) for entry in self.entries
                    if (not cloud or entry.get('cloud') == cloud) and (not action or entry.get('action') == action)]

    def clear(self, restart=False):
        with self.lock:
            self.entries = []
            if restart:
                self.seq = 0
