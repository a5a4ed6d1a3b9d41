# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback for the benchmarks: one JSON line per task start and per result, with the controller's clock."""

from __future__ import annotations

DOCUMENTATION = '''
name: bench_events
type: aggregate
short_description: Write task start and result times as JSON lines for benchmarks/run.py
description:
  - Appends one JSON object per line to the file named by the E(CLOUDNET_BENCH_EVENTS) environment variable
    for every task start (V(start)), result (V(ok), V(failed), V(skipped), V(unreachable)) and loop item result
    (V(item_ok), V(item_failed)), with the wall clock time (epoch seconds, the clock the emulator logs with).
  - For a result of the list form (RV(attachments)), how many items there were, changed and failed.
requirements:
  - enabled in callbacks_enabled
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_events'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get('CLOUDNET_BENCH_EVENTS')

    def _write(self, event, host, task, result=None, **extra):
        if not self._path:
            return
        line = dict(extra, event=event, time=time.time(), host=host.get_name(), task=task.get_name(), action=task.action)
        if result is not None:
            line.update(changed=bool(result.get('changed')), failed=bool(result.get('failed')), msg=result.get('msg'))
            items = result.get('attachments')
            if items:  # the list form: how its items ended, without writing them all out
                line.update(items=len(items), items_changed=sum(1 for item in items if item.get('changed')),
                            items_failed=sum(1 for item in items if item.get('failed')),
                            item_messages=sorted(set(str(item.get('msg'))[:200] for item in items if item.get('failed')))[:5])
        with open(self._path, 'a', encoding='utf-8') as out:
            out.write(json.dumps(line, default=str) + '\n')

    def v2_runner_on_start(self, host, task):
        self._write('start', host, task)

    def v2_runner_on_ok(self, result):
        self._write('ok', result._host, result._task, result._result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write('failed', result._host, result._task, result._result)

    def v2_runner_on_skipped(self, result):
        self._write('skipped', result._host, result._task, result._result)

    def v2_runner_on_unreachable(self, result):
        self._write('unreachable', result._host, result._task, result._result)

    def v2_runner_item_on_ok(self, result):
        self._write('item_ok', result._host, result._task, result._result, item=str(result._result.get('item')))

    def v2_runner_item_on_failed(self, result):
        self._write('item_failed', result._host, result._task, result._result, item=str(result._result.get('item')))
