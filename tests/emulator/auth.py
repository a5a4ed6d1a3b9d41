# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request authentication for both clouds: which key signed, whether the signature, clock and nonce hold.

Every check raises ``ApiError`` with the cloud's code; success returns the identity that signed.
The clock (``now``, epoch seconds) and the key tables come from the world, so tests can pin them.
"""

from __future__ import annotations

import hmac
import threading
from datetime import datetime, timezone

import signing
from wire import ApiError

ECS_SKEW_SECONDS = 15 * 60
ZEC_SKEW_SECONDS = 300
V1_AUTH_PARAMS = ('AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp')


def parse_utc(text):
    """Epoch seconds of ``YYYY-MM-DDThh:mm:ss[.fff]Z``, or ``None`` if it is not that."""
    for layout in ('%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ'):
        try:
            return datetime.strptime(text or '', layout).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            continue
    return None


class NonceCache:
    """Nonces seen per access key, forgotten once they are older than any timestamp we would still accept."""

    def __init__(self, window=ECS_SKEW_SECONDS * 2):
        self.window = window
        self.seen = {}
        self.lock = threading.Lock()

    def claim(self, key_id, nonce, now):
        """True the first time ``(key_id, nonce)`` is presented, False on a replay."""
        with self.lock:
            self.seen = dict((key, when) for key, when in self.seen.items() if now - when < self.window)
            if (key_id, nonce) in self.seen:
                return False
            self.seen[(key_id, nonce)] = now
            return True

    def clear(self):
        with self.lock:
            self.seen.clear()


class EcsKeys:
    """The ECS access keys of the world: permanent ``credentials`` and STS ``sts_credentials``."""

    def __init__(self, ecs_state):
        self.permanent = dict((key['access_key_id'], key) for key in ecs_state.get('credentials', []))
        self.sts = dict((key['access_key_id'], key) for key in ecs_state.get('sts_credentials', []))

    def secret_for(self, key_id, token, now):
        """The secret to verify with, after the STS token rules; raises for unknown keys and bad tokens."""
        if key_id in self.permanent:
            if token:
                raise ApiError(400, 'InvalidSecurityToken.Malformed', 'The security token is not valid for a permanent AccessKey.')
            return self.permanent[key_id]['access_key_secret']
        if key_id not in self.sts:
            raise ApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.')
        record = self.sts[key_id]
        if not token:
            raise ApiError(400, 'InvalidSecurityToken.Malformed', 'An STS AccessKey needs its security token.')
        if token != record['security_token']:
            if any(other['security_token'] == token for other in self.sts.values()):
                raise ApiError(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'The security token does not belong to this AccessKey.')
            raise ApiError(400, 'InvalidSecurityToken.Malformed', 'The security token you provided is malformed.')
        expires = parse_utc(record.get('expiration'))
        if expires is not None and now >= expires:
            raise ApiError(403, 'InvalidSecurityToken.Expired', 'The security token you provided has expired.')
        return record['access_key_secret']


def _check_skew(when, now, skew):
    if when is None:
        raise ApiError(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.')
    if abs(now - when) > skew:
        raise ApiError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.')


def _signature_mismatch(string_to_sign):
    return ApiError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation. server string to sign is:%s'
                    % string_to_sign)


def verify_ecs_v1(request, pairs, keys, nonces, now, skew=ECS_SKEW_SECONDS):
    """V1 HMAC-SHA1 over the query and form parameters; returns the access key id."""
    params = dict(pairs)
    for name in V1_AUTH_PARAMS:
        if not params.get(name):
            raise ApiError(400, 'MissingParameter', 'The input parameter "%s" that is mandatory for processing this request is not supplied.'
                           % name)
    if params['SignatureMethod'] != 'HMAC-SHA1' or params['SignatureVersion'] != '1.0':
        raise ApiError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards (SignatureMethod HMAC-SHA1, '
                       'SignatureVersion 1.0).')
    key_id = params['AccessKeyId']
    secret = keys.secret_for(key_id, params.get('SecurityToken'), now)
    _check_skew(parse_utc(params['Timestamp']), now, skew)
    string_to_sign = signing.v1_string_to_sign(request.method, pairs)
    if not hmac.compare_digest(signing.v1_signature(secret, string_to_sign), params['Signature']):
        raise _signature_mismatch(string_to_sign)
    if not nonces.claim(key_id, params['SignatureNonce'], now):
        raise ApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.')
    return key_id


def _v3_signed_headers(request, names):
    """The signed headers' values; every ``x-acs-*`` header, ``host`` and ``content-type`` sent must be signed."""
    if names != sorted(set(names)) or any(name != name.lower() for name in names):
        raise ApiError(400, 'IncompleteSignature', 'SignedHeaders must be lower-case, sorted and unique.')
    sent = set(name.lower() for name in request.headers.keys())
    must = set(name for name in sent if name.startswith('x-acs-') or name in ('host', 'content-type'))
    missing = sorted(must - set(names))
    if missing:
        raise ApiError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards: header(s) %s not signed.'
                       % ', '.join(missing))
    absent = sorted(set(names) - sent)
    if absent:
        raise ApiError(400, 'IncompleteSignature', 'Signed header(s) %s not present in the request.' % ', '.join(absent))
    return dict((name, request.header(name)) for name in names)


def verify_ecs_v3(request, keys, nonces, now, skew=ECS_SKEW_SECONDS):
    """V3 ACS3-HMAC-SHA256 over method, path, query, signed headers and body hash; returns the access key id."""
    parsed = signing.parse_acs3_authorization(request.header('Authorization'))
    if parsed is None:
        raise ApiError(400, 'IncompleteSignature', 'The Authorization header is not a valid ACS3-HMAC-SHA256 authorization.')
    key_id, names, signature = parsed
    for name in ('x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'):
        if not request.header(name):
            raise ApiError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards: %s is missing.' % name)
    headers = _v3_signed_headers(request, names)
    secret = keys.secret_for(key_id, request.header('x-acs-security-token'), now)
    _check_skew(parse_utc(request.header('x-acs-date')), now, skew)
    payload_hash = request.header('x-acs-content-sha256')
    if payload_hash != signing.sha256_hex(request.body):
        raise ApiError(400, 'SignatureDoesNotMatch', 'The x-acs-content-sha256 header does not match the SHA-256 of the request body.')
    canonical = signing.v3_canonical_request(request.method, request.path, request.query_pairs, headers, payload_hash)
    if not hmac.compare_digest(signing.v3_signature(secret, canonical), signature.lower()):
        raise _signature_mismatch('%s\n%s' % (signing.ACS3, signing.sha256_hex(canonical)))
    if not nonces.claim(key_id, request.header('x-acs-signature-nonce'), now):
        raise ApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.')
    return key_id


def _zec_refusal(message):
    return ApiError(401, 'AUTHFAILURE_SIGNATURE_FAILURE', message)


def verify_zec(request, passwords, now, skew=ZEC_SKEW_SECONDS):
    """ZC2-HMAC-SHA256; ``passwords`` maps access key id to password. Returns the access key id."""
    authorization = request.header('Authorization')
    if not authorization:
        raise _zec_refusal('The Authorization header is missing.')
    parsed = signing.parse_zc2_authorization(authorization)
    if parsed is None:
        raise _zec_refusal('The Authorization header is not a valid ZC2-HMAC-SHA256 authorization.')
    key_id, signed_headers, signature = parsed
    if signed_headers != 'content-type;host':
        raise _zec_refusal('SignedHeaders must be content-type;host.')
    if request.header('X-ZC-Signature-Method') != signing.ZC2:
        raise _zec_refusal('X-ZC-Signature-Method must be ZC2-HMAC-SHA256.')
    timestamp = request.header('X-ZC-Timestamp', '')
    if not timestamp.isdigit():
        raise _zec_refusal('X-ZC-Timestamp must be the Unix time in seconds.')
    if key_id not in passwords:
        raise _zec_refusal('The access key id does not exist.')
    if abs(now - int(timestamp)) > skew:
        raise _zec_refusal('The request timestamp is outside the allowed window; the client clock is skewed.')
    canonical = signing.zc2_canonical_request(request.header('Content-Type', ''), request.header('Host', ''), request.body)
    if not hmac.compare_digest(signing.zc2_signature(passwords[key_id], timestamp, canonical), signature.lower()):
        raise _zec_refusal('The signature does not match; check the access key password and that the request was not changed after signing.')
    return key_id
