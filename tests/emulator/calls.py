# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The log of every API call the emulator answered (or dropped), for tests that count calls."""

from __future__ import annotations

import copy
import threading

from world import iso_utc


class CallLog:
    """Entries ``{seq, time, cloud, action, params, http_status, outcome, fault, request_id, auth}``; thread-safe."""

    def __init__(self):
        self.entries = []
        self.seq = 0
        self.lock = threading.Lock()

    def record(self, when, **entry):
        with self.lock:
            self.seq += 1
            entry.update(seq=self.seq, time=iso_utc(when), epoch=round(when, 3))
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
