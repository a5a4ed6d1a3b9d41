# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for the ECS API at the HTTP boundary (``responses``), shared by the ECS module tests.

``FakeEcs`` checks every request's ACS3 signature with the reference notes' own signer and the test's secret, answering
``SignatureDoesNotMatch`` as ECS does when it differs; otherwise it answers each action from its own queue of scripted
replies. Imported by its collection path, so both ``pytest`` and ``ansible-test units`` find it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from urllib.parse import parse_qsl, quote, urlsplit

import responses

ENDPOINT = 'https://ecs.cn-hangzhou.aliyuncs.com'
KEY_ID = 'LTAI5tUNITTEST0001'
SECRET = 'ali-unit-secret-never-print-0001'
TOKEN = 'sts-unit-token-never-print-0001'
ENI = 'eni-bp17pdijfczax1huji4b'
TARGET = 'i-bp67acfmxazb4ph9g5yq'


def _pct(value):
    return quote(str(value), safe='-_.~')


def expected_signature(request, secret):
    """The ACS3-HMAC-SHA256 signature of a sent request, by the reference notes' signer (section 1.5)."""
    authorization = request.headers['Authorization']
    signed_names = re.search(r'SignedHeaders=([^,]+)', authorization).group(1).split(';')
    parts = urlsplit(request.url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    headers = {name: request.headers[name].strip() for name in signed_names}
    canonical = '\n'.join([request.method, parts.path or '/', '&'.join('%s=%s' % (_pct(k), _pct(v)) for k, v in sorted(query.items())),
                           ''.join('%s:%s\n' % (name, headers[name]) for name in signed_names), ';'.join(signed_names),
                           hashlib.sha256(request.body or b'').hexdigest()])
    to_sign = 'ACS3-HMAC-SHA256\n' + hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest(), signed_names


class FakeEcs:
    """Checks signatures like ECS, then answers each action from its queue of ``(status, body[, headers])`` replies."""

    def __init__(self, mock, secret=SECRET):
        self.secret = secret
        self.replies = {}
        self.calls = []
        mock.add_callback(responses.POST, re.compile(re.escape(ENDPOINT) + r'/.*'), callback=self._answer)

    def on(self, action, *replies):
        self.replies.setdefault(action, []).extend(replies)
        return self

    def _answer(self, request):
        action = request.headers['x-acs-action']
        query = dict(parse_qsl(urlsplit(request.url).query))
        self.calls.append((action, query, request))
        signature, signed = expected_signature(request, self.secret)
        assert request.headers['x-acs-version'] == '2014-05-26'
        assert {'host', 'x-acs-action', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'} <= set(signed)
        if not request.headers['Authorization'].endswith('Signature=' + signature):
            return 400, {'Content-Type': 'application/json'}, json.dumps({
                'RequestId': 'R-sig', 'HostId': 'ecs.cn-hangzhou.aliyuncs.com', 'Code': 'SignatureDoesNotMatch',
                'Message': 'Specified signature does not match our calculation.'})
        queue = self.replies.get(action)
        assert queue, 'unexpected call %s' % action
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        status, body, headers = reply[0], reply[1], reply[2] if len(reply) > 2 else {}
        return status, dict({'Content-Type': 'application/json', 'x-acs-request-id': 'R-hdr'}, **headers), json.dumps(body)

    @property
    def actions(self):
        return [action for action, _query, _request in self.calls]


def refused(status, code, message='refused'):
    return status, {'RequestId': 'R-err', 'Code': code, 'Message': message}
