# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What travels between the HTTP layer and the cloud handlers: a parsed request, a reply, an API error."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qsl

FORM = 'application/x-www-form-urlencoded'


class ApiError(Exception):
    """A refusal with the cloud's own error code and HTTP status."""

    def __init__(self, status, code, message, extra=None):
        super().__init__('%s %s: %s' % (status, code, message))
        self.status = status
        self.code = code
        self.message = message
        self.extra = dict(extra or {})  # more fields of the error body (ECS ``AccessDeniedDetail``)


class Request:
    """One HTTP request as received: ``headers`` is case-insensitive (an ``email.message.Message``)."""

    def __init__(self, method, path, query, headers, body):
        self.method = method.upper()
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body or b''
        self.query_pairs = parse_qsl(query, keep_blank_values=True)

    def header(self, name, default=None):
        value = self.headers.get(name)
        return default if value is None else value

    @property
    def content_type(self):
        return self.header('Content-Type', '')

    def form_pairs(self):
        """Parameters of a form body, or ``[]`` when the body is not a form."""
        if not self.content_type.lower().startswith(FORM) or not self.body:
            return []
        return parse_qsl(self.body.decode('utf-8', 'replace'), keep_blank_values=True)


class Reply:
    """An answer to send, plus what the call log needs to know about it.

    ``close`` set to ``'before'`` or ``'after'`` means: drop the connection instead of answering.
    """

    def __init__(self, status, body=b'', headers=None, outcome='ok', content_type='application/json;charset=utf-8'):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode('utf-8')
        self.headers = dict(headers or {})
        self.headers.setdefault('Content-Type', content_type)
        self.outcome = outcome
        self.close = None
        self.request_id = None

    @classmethod
    def json(cls, status, data, headers=None, outcome='ok'):
        return cls(status, json.dumps(data, indent=None, separators=(',', ':')), headers, outcome)

    @classmethod
    def html(cls, status, text, headers=None, outcome=None):
        return cls(status, text, headers, outcome or 'http_%d' % status, content_type='text/html; charset=utf-8')


def new_request_id(prefix=''):
    return prefix + str(uuid.uuid4()).upper()


def proxy_page(status, reason):
    """The kind of bare HTML page a load balancer or proxy answers with."""
    return ('<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n'
            '<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n' % (status, reason, status, reason))


GATEWAY_REASONS = {429: 'Too Many Requests', 502: 'Bad Gateway', 504: 'Gateway Time-out'}


def common_fault_reply(rule, wrong_shape):
    """The faults that look the same on both clouds: a proxy's 429/502/504 page, challenge, blocked, malformed bodies."""
    kind = rule['fault']
    if kind == 'http_error':
        return Reply.html(rule['status'], proxy_page(rule['status'], GATEWAY_REASONS[rule['status']]))
    if kind == 'challenge':
        return Reply.html(403, '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>',
                          {'cf-mitigated': 'challenge'}, outcome='challenge')
    if kind == 'blocked':
        return Reply.html(451, proxy_page(451, 'Unavailable For Legal Reasons'), outcome='blocked')
    variant = rule.get('variant', 'html')
    if variant == 'empty':
        return Reply(200, b'', outcome='malformed_empty')
    if variant == 'wrong_shape':
        return Reply.json(200, wrong_shape, outcome='malformed_wrong_shape')
    return Reply.html(200, '<html><body><h1>Service maintenance</h1></body></html>', outcome='malformed_html')
