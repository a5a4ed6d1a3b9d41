# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for the ZEC API at the HTTP boundary (``responses``), shared by the ZEC module tests.

``ScriptedZec`` answers each action from its own queue of ``(status, body)`` replies (the last one repeats) and records
every call. Imported by its collection path, so both ``pytest`` and ``ansible-test units`` find it.
"""

from __future__ import annotations

import json

import responses

URL = 'https://console.zenlayer.com/api/v2/zec'
KEY_ID = 'ZLTESTKEY0001'
PASSWORD = 'zl-test-password-do-not-print-0001'
TARGET = '1478001766933994003'


class ScriptedZec:
    """Answers each action from its own queue of ``(status, body)`` replies (the last one repeats), recording every call."""

    def __init__(self, mock):
        self.replies = {}
        self.calls = []
        mock.add_callback(responses.POST, URL, callback=self._answer)

    def on(self, action, *replies):
        self.replies.setdefault(action, []).extend(replies)
        return self

    def _answer(self, request):
        action = request.headers['X-ZC-Action']
        self.calls.append((action, json.loads(request.body)))
        queue = self.replies.get(action)
        assert queue, 'unexpected call %s' % action
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        status, body, headers = reply[0], reply[1], reply[2] if len(reply) > 2 else {}
        return status, dict({'Content-Type': 'application/json'}, **headers), body if isinstance(body, str) else json.dumps(body)

    @property
    def actions(self):
        return [action for action, _params in self.calls]


def refused(status, code, message='refused'):
    return status, {'requestId': 'T-err', 'code': code, 'message': message}
