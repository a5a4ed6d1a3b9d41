# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Record when each host's tasks started and returned, for the integration tests (not part of the collection).

Enabled by the tests with ``ANSIBLE_CALLBACKS_ENABLED=task_times`` and ``ANSIBLE_CALLBACK_PLUGINS`` pointing here; writes
``{host: [{"task", "start", "end", "status"}, ...]}`` (epoch seconds) to the file named by ``CLOUDNET_TASK_TIMES`` when the
play ends. The emulator's call log and transition history use the same clock, so a test can ask what was true in the
cloud at the moment a task returned.
"""

from __future__ import annotations

DOCUMENTATION = '''
name: task_times
type: aggregate
short_description: record when each host's tasks started and returned (integration tests only)
description:
  - Writes the start and return times of every task on every host to the file named by CLOUDNET_TASK_TIMES.
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'task_times'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._started = {}
        self._times = {}

    def v2_runner_on_start(self, host, task):
        self._started[(host.get_name(), task._uuid)] = time.time()

    def _done(self, result, status):
        host = result._host.get_name()
        started = self._started.pop((host, result._task._uuid), None)
        self._times.setdefault(host, []).append({'task': result._task.get_name(), 'start': started, 'end': time.time(), 'status': status})

    def v2_runner_on_ok(self, result):
        self._done(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._started.pop((result._host.get_name(), result._task._uuid), None)

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('CLOUDNET_TASK_TIMES')
        if path:
            with open(path, 'w', encoding='utf-8') as out:
                json.dump(self._times, out)
