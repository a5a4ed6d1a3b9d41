# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The three request-signing algorithms, as pure functions over already-parsed request parts.

ECS V1 (HMAC-SHA1), ECS V3 (ACS3-HMAC-SHA256) and ZEC ZC2-HMAC-SHA256, written from the reference
notes. ``auth.py`` decides what a request must carry and compares; this module only computes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import quote

ACS3 = 'ACS3-HMAC-SHA256'
ZC2 = 'ZC2-HMAC-SHA256'
EMPTY_SHA256 = hashlib.sha256(b'').hexdigest()


def pct(value):
    """RFC 3986 percent-encoding as both clouds use it (space is %20, ``~`` kept, uppercase hex)."""
    return quote(str(value), safe='-_.~')


def sha256_hex(data):
    if isinstance(data, str):
        data = data.encode('utf-8')
    return hashlib.sha256(data).hexdigest()


def canonical_query(pairs):
    """``k=v&...`` sorted by name then value, both percent-encoded; ``pairs`` is a list of (name, value)."""
    return '&'.join('%s=%s' % (pct(name), pct(value)) for name, value in sorted(pairs))


# ECS V1 ------------------------------------------------------------------------------------------

def v1_string_to_sign(method, pairs):
    """``METHOD&%2F&pct(canonical query)`` over every parameter except ``Signature``."""
    signed = [(name, value) for name, value in pairs if name != 'Signature']
    return '%s&%s&%s' % (method.upper(), pct('/'), pct(canonical_query(signed)))


def v1_signature(secret, string_to_sign):
    digest = hmac.new((secret + '&').encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha1).digest()
    return base64.b64encode(digest).decode('ascii')


# ECS V3 ------------------------------------------------------------------------------------------

_ACS3_PART = re.compile(r'\s*(Credential|SignedHeaders|Signature)=([^,\s]*)\s*')


def parse_acs3_authorization(value):
    """``(access_key_id, [signed header names], signature)`` or ``None`` when the header is not ACS3."""
    if not value or not value.startswith(ACS3 + ' '):
        return None
    parts = {}
    for chunk in value[len(ACS3) + 1:].split(','):
        match = _ACS3_PART.fullmatch(chunk)
        if not match:
            return None
        parts[match.group(1)] = match.group(2)
    if set(parts) != {'Credential', 'SignedHeaders', 'Signature'} or not all(parts.values()):
        return None
    return parts['Credential'], parts['SignedHeaders'].split(';'), parts['Signature']


def v3_canonical_request(method, path, query_pairs, signed_headers, payload_hash):
    """``signed_headers`` maps lower-case names to values; they are trimmed and sorted here."""
    names = sorted(signed_headers)
    headers = ''.join('%s:%s\n' % (name, str(signed_headers[name]).strip()) for name in names)
    return '\n'.join([method.upper(), path, canonical_query(query_pairs), headers, ';'.join(names), payload_hash])


def v3_signature(secret, canonical_request):
    string_to_sign = '%s\n%s' % (ACS3, sha256_hex(canonical_request))
    return hmac.new(secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()


# ZEC ZC2 -----------------------------------------------------------------------------------------

_ZC2_AUTHORIZATION = re.compile(r'ZC2-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*')


def parse_zc2_authorization(value):
    """``(access_key_id, signed_headers, signature)`` or ``None`` when the header is not ZC2."""
    match = _ZC2_AUTHORIZATION.fullmatch(value or '')
    return match.groups() if match else None


def zc2_canonical_request(content_type, host, body):
    """Path is always ``/`` and the query always empty; the Content-Type and Host values are used verbatim."""
    return 'POST\n/\n\ncontent-type:%s\nhost:%s\n\ncontent-type;host\n%s' % (content_type, host, sha256_hex(body))


def zc2_signature(password, timestamp, canonical_request):
    string_to_sign = '%s\n%s\n%s' % (ZC2, timestamp, sha256_hex(canonical_request))
    return hmac.new(password.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()
