# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Minimal signing clients for the emulator tests.

The signers here are the reference notes' own stdlib implementations (alibaba-ecs.md 1.5, zenlayer-zec.md 1.5),
written independently of ``tests/emulator/signing.py`` so that a bug there cannot hide behind the same bug here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

import requests

ECS_KEY = ('LTAI5tEMULATOR0001', 'emulator-secret-0001')
ECS_STS = ('STS.EMULATOR0001', 'emulator-sts-secret-0001', 'emulator-sts-token-0001')
ZEC_KEY = ('ZLEMULATORKEY0001', 'emulator-password-0001')
REGION = 'cn-hangzhou'
DELAY = 0.2  # seconds an attach or detach takes in the emulator the tests start


def pct(value):
    return quote(str(value), safe='-_.~')


def utc(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def v1_signature(params, secret, method):
    canon = '&'.join('%s=%s' % (pct(k), pct(v)) for k, v in sorted(params.items()))
    sts = '%s&%s&%s' % (method, pct('/'), pct(canon))
    return base64.b64encode(hmac.new((secret + '&').encode(), sts.encode(), hashlib.sha1).digest()).decode()


def v3_authorization(method, host, query, headers, body, key_id, secret, path='/'):
    h = dict((k.lower(), str(v).strip()) for k, v in headers.items())
    h['host'] = host
    h['x-acs-content-sha256'] = payload = hashlib.sha256(body).hexdigest()
    names = sorted(h)
    creq = '\n'.join([method, path, '&'.join('%s=%s' % (pct(k), pct(v)) for k, v in sorted(query.items())),
                      ''.join('%s:%s\n' % (k, h[k]) for k in names), ';'.join(names), payload])
    sig = hmac.new(secret.encode(), ('ACS3-HMAC-SHA256\n' + hashlib.sha256(creq.encode()).hexdigest()).encode(), hashlib.sha256).hexdigest()
    return h, 'ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s' % (key_id, ';'.join(names), sig)


def zc2_authorization(key_id, password, body, timestamp, content_type='application/json', host='console.zenlayer.com'):
    payload_hash = hashlib.sha256(body.encode('utf-8')).hexdigest()
    canonical = 'POST\n/\n\n' + 'content-type:%s\nhost:%s\n' % (content_type, host) + '\n' + 'content-type;host\n' + payload_hash
    s2s = 'ZC2-HMAC-SHA256\n%s\n%s' % (timestamp, hashlib.sha256(canonical.encode('utf-8')).hexdigest())
    sig = hmac.new(password.encode('utf-8'), s2s.encode('utf-8'), hashlib.sha256).hexdigest()
    return 'ZC2-HMAC-SHA256 Credential=%s, SignedHeaders=content-type;host, Signature=%s' % (key_id, sig)


class Ecs:
    """ECS RPC calls signed with V3 (default) or V1."""

    def __init__(self, url, key=ECS_KEY, token=None, scheme='v3', timeout=10):
        self.url = url.rstrip('/')
        self.host = urlsplit(url).netloc
        self.key_id, self.secret = key
        self.token = token
        self.scheme = scheme
        self.timeout = timeout

    def raw(self, action, params=None, **options):
        """The ``requests.Response``; ``options``: when, nonce, method, form, secret, extra_headers, tamper_query, version."""
        params = dict((k, str(v)) for k, v in (params or {}).items())
        if self.scheme == 'v1':
            return self._v1(action, params, **options)
        return self._v3(action, params, **options)

    def call(self, action, params=None, **options):
        """``(http status, decoded JSON body)``."""
        response = self.raw(action, params, **options)
        return response.status_code, response.json()

    def _v3(self, action, params, when=None, nonce=None, secret=None, extra_headers=None, tamper_query=None, version='2014-05-26',
            body=b'', method='POST', unsigned_headers=None):
        headers = {'x-acs-action': action, 'x-acs-version': version, 'x-acs-date': utc(time.time() if when is None else when),
                   'x-acs-signature-nonce': nonce or uuid.uuid4().hex}
        if self.token:
            headers['x-acs-security-token'] = self.token
        headers.update(extra_headers or {})
        signed, authorization = v3_authorization(method, self.host, params, headers, body, self.key_id, secret or self.secret)
        signed['Authorization'] = authorization
        signed.update(unsigned_headers or {})
        query = dict(params, **(tamper_query or {}))
        url = self.url + '/?' + '&'.join('%s=%s' % (pct(k), pct(v)) for k, v in sorted(query.items()))
        return requests.request(method, url, headers=signed, data=body, timeout=self.timeout)

    def _v1(self, action, params, when=None, nonce=None, secret=None, method='POST', form=False, tamper_query=None,
            version='2014-05-26', drop=()):
        common = {'AccessKeyId': self.key_id, 'Action': action, 'Format': 'JSON', 'SignatureMethod': 'HMAC-SHA1',
                  'SignatureNonce': nonce or uuid.uuid4().hex, 'SignatureVersion': '1.0', 'Version': version,
                  'Timestamp': utc(time.time() if when is None else when)}
        if self.token:
            common['SecurityToken'] = self.token
        signed = dict(params, **common)
        for name in drop:
            signed.pop(name, None)
        signed['Signature'] = v1_signature(signed, secret or self.secret, method)
        signed.update(tamper_query or {})
        encoded = '&'.join('%s=%s' % (pct(k), pct(v)) for k, v in sorted(signed.items()))
        if form:
            return requests.request(method, self.url + '/', data=encoded, timeout=self.timeout,
                                    headers={'Content-Type': 'application/x-www-form-urlencoded'})
        return requests.request(method, self.url + '/?' + encoded, timeout=self.timeout)


class Zec:
    """ZEC calls signed with ZC2-HMAC-SHA256."""

    def __init__(self, url, key=ZEC_KEY, timeout=10):
        self.url = url.rstrip('/') + '/api/v2/zec'
        self.host = urlsplit(url).netloc
        self.key_id, self.password = key
        self.timeout = timeout

    def raw(self, action, body=None, when=None, password=None, content_type='application/json', sent_content_type=None,
            version='2025-09-01', raw_body=None, sign_host=None, extra_headers=None):
        text = raw_body if raw_body is not None else json.dumps(body or {})
        timestamp = str(int(time.time() if when is None else when))
        headers = {'Content-Type': sent_content_type or content_type, 'X-ZC-Action': action, 'X-ZC-Version': version,
                   'X-ZC-Service': 'zec', 'X-ZC-Timestamp': timestamp, 'X-ZC-Signature-Method': 'ZC2-HMAC-SHA256',
                   'Authorization': zc2_authorization(self.key_id, password or self.password, text, timestamp, content_type,
                                                      sign_host or self.host)}
        headers.update(extra_headers or {})
        return requests.post(self.url, data=text.encode('utf-8'), headers=headers, timeout=self.timeout)

    def call(self, action, body=None, **options):
        response = self.raw(action, body, **options)
        return response.status_code, response.json()


def wait_for(predicate, timeout=5.0, interval=0.05):
    """Poll ``predicate`` until it returns something truthy; that value, or the last falsy one."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
