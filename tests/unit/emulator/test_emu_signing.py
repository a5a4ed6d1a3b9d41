# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reference notes' signing vectors (A and B of both clouds) reproduced by the emulator's verifier.

Each vector is fed to ``auth.verify_*`` as a received request, with the clock pinned to the vector's time:
the published signature must be accepted and a one-character change rejected.
"""

from __future__ import annotations

from email.message import Message
from urllib.parse import urlencode

import pytest

import auth
import signing
from wire import ApiError, Request

V1_A1 = {'AccessKeyId': 'testid', 'Action': 'DescribeDedicatedHosts', 'Format': 'JSON', 'RegionId': 'cn-beijing',
         'SignatureMethod': 'HMAC-SHA1', 'SignatureNonce': 'edb2b34af0af9a6d14deaf7c1a5315eb', 'SignatureVersion': '1.0',
         'Timestamp': '2023-03-13T08:34:30Z', 'Version': '2014-05-26'}
V1_A1_STRING = ('GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeDedicatedHosts%26Format%3DJSON%26RegionId%3Dcn-beijing'
                '%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dedb2b34af0af9a6d14deaf7c1a5315eb%26SignatureVersion%3D1.0'
                '%26Timestamp%3D2023-03-13T08%253A34%253A30Z%26Version%3D2014-05-26')
V1_A2 = {'AccessKeyId': 'testid', 'Action': 'DescribeRegions', 'Format': 'XML', 'SignatureMethod': 'HMAC-SHA1',
         'SignatureNonce': '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf', 'SignatureVersion': '1.0', 'Timestamp': '2016-02-23T12:46:24Z',
         'Version': '2014-05-26'}
B_COMMON = {'AccessKeyId': 'testid', 'Action': 'AttachNetworkInterface', 'Format': 'json', 'InstanceId': 'i-123456',
            'NetworkInterfaceId': 'eni-123456', 'RegionId': 'cn-hangzhou', 'SignatureMethod': 'HMAC-SHA1',
            'SignatureNonce': '0123456789abcdef0123456789abcdef', 'SignatureVersion': '1.0', 'Timestamp': '2024-01-02T03:04:05Z',
            'Version': '2014-05-26'}
B_TIME = auth.parse_utc('2024-01-02T03:04:05Z')
B_QUERY = 'InstanceId=i-123456&NetworkInterfaceId=eni-123456&RegionId=cn-hangzhou'
B_HEADERS = {'host': 'ecs-cn-hangzhou.aliyuncs.com', 'x-acs-action': 'AttachNetworkInterface', 'x-acs-version': '2014-05-26',
             'x-acs-date': '2024-01-02T03:04:05Z', 'x-acs-signature-nonce': '0123456789abcdef0123456789abcdef',
             'x-acs-content-sha256': signing.EMPTY_SHA256}
B_SIGNED = 'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version'


def request(method, query, headers=None, body=b'', path='/'):
    message = Message()
    for name, value in (headers or {}).items():
        message[name] = value
    return Request(method, path, query, message, body)


def keys_for(secret='testsecret', token=None):
    if token:
        return auth.EcsKeys({'sts_credentials': [{'access_key_id': 'testid', 'access_key_secret': secret, 'security_token': token,
                                                  'expiration': '2099-01-01T00:00:00Z'}]})
    return auth.EcsKeys({'credentials': [{'access_key_id': 'testid', 'access_key_secret': secret}]})


def flip(text):
    return text[:-2] + ('A' if text[-2] != 'A' else 'B') + text[-1]


def verify_v1(method, params, signature, now, keys=None):
    pairs = sorted(dict(params, Signature=signature).items())
    req = request(method, urlencode(pairs))
    return auth.verify_ecs_v1(req, req.query_pairs, keys or keys_for(), auth.NonceCache(), now)


def test_v1_vector_a1_string_to_sign_and_signature():
    assert signing.v1_string_to_sign('GET', list(V1_A1.items())) == V1_A1_STRING
    assert signing.v1_signature('testsecret', V1_A1_STRING) == '9NaGiOspFP5UPcwX8Iwt2YJXXuk='
    assert verify_v1('GET', V1_A1, '9NaGiOspFP5UPcwX8Iwt2YJXXuk=', auth.parse_utc(V1_A1['Timestamp'])) == 'testid'


def test_v1_vector_a1_rejects_a_changed_signature():
    with pytest.raises(ApiError) as caught:
        verify_v1('GET', V1_A1, flip('9NaGiOspFP5UPcwX8Iwt2YJXXuk='), auth.parse_utc(V1_A1['Timestamp']))
    assert (caught.value.status, caught.value.code) == (400, 'SignatureDoesNotMatch')
    assert V1_A1_STRING in caught.value.message


def test_v1_vector_a2_classic_describe_regions():
    assert verify_v1('GET', V1_A2, 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=', auth.parse_utc(V1_A2['Timestamp'])) == 'testid'


@pytest.mark.parametrize('method, extra, signature, token', [
    ('POST', {}, 'NmMyjOlXWxkX+iiYkhFJ4S7uifw=', None),                                            # B1
    ('GET', {}, 'UDVLweSPYCaHWRz+Y06X/XfbW+8=', None),                                              # B2
    ('POST', {'SecurityToken': 'testtoken'}, 'FphxCzHrY05KkllMntccV7EDFzY=', 'testtoken'),          # B3
    ('GET', {'Format': 'JSON', 'SignatureType': ''}, 'VjbZNRyYfSwDMbkQn/mfN0v7EQc=', None),         # B5
    ('POST', {'Format': 'JSON', 'SignatureType': ''}, 'Nb04MHz4Q3bUD4EExNebvLUsAss=', None),        # B6
], ids=['B1', 'B2', 'B3', 'B5', 'B6'])
def test_v1_attach_vectors(method, extra, signature, token):
    params = dict(B_COMMON, **extra)
    assert verify_v1(method, params, signature, B_TIME, keys_for(token=token)) == 'testid'
    with pytest.raises(ApiError):
        verify_v1('GET' if method == 'POST' else 'POST', params, signature, B_TIME, keys_for(token=token))


def verify_v3(query, headers, signed, signature, now, keys=None, body=b''):
    headers = dict(headers, Authorization='ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s'
                   % ('YourAccessKeyId' if 'RunInstances' in headers.values() else 'testid', signed, signature))
    return auth.verify_ecs_v3(request('POST', query, headers, body), keys or keys_for(), auth.NonceCache(), now)


def test_v3_vector_a3_run_instances():
    query = 'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai'
    headers = {'host': 'ecs.cn-shanghai.aliyuncs.com', 'x-acs-action': 'RunInstances', 'x-acs-version': '2014-05-26',
               'x-acs-date': '2023-10-26T10:22:32Z', 'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
               'x-acs-content-sha256': signing.EMPTY_SHA256}
    req = request('POST', query, headers)
    canonical = signing.v3_canonical_request('POST', '/', req.query_pairs, headers, signing.EMPTY_SHA256)
    assert signing.sha256_hex(canonical) == '7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259'
    keys = auth.EcsKeys({'credentials': [{'access_key_id': 'YourAccessKeyId', 'access_key_secret': 'YourAccessKeySecret'}]})
    signature = '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0'
    now = auth.parse_utc('2023-10-26T10:22:32Z')
    assert verify_v3(query, headers, B_SIGNED, signature, now, keys) == 'YourAccessKeyId'
    with pytest.raises(ApiError) as caught:
        verify_v3(query, headers, B_SIGNED, flip(signature), now, keys)
    assert caught.value.code == 'SignatureDoesNotMatch'


def test_v3_vector_b7_minimal_attach():
    req = request('POST', B_QUERY, B_HEADERS)
    canonical = signing.v3_canonical_request('POST', '/', req.query_pairs, B_HEADERS, signing.EMPTY_SHA256)
    assert signing.sha256_hex(canonical) == '1de4b035cb6e233bbb165be333392b0d6af76b2de2d7593c9a1713787d272788'
    signature = 'e45e287b17fd43c4b99e19de051a6f3e88664842692451891ee1613530947daa'
    assert verify_v3(B_QUERY, B_HEADERS, B_SIGNED, signature, B_TIME) == 'testid'
    with pytest.raises(ApiError):
        verify_v3(B_QUERY.replace('i-123456', 'i-654321'), B_HEADERS, B_SIGNED, signature, B_TIME)


def test_v3_vector_b9_as_the_sdk_sends_it():
    headers = dict(B_HEADERS, **{'accept': 'application/json', 'user-agent': 'test-agent/1.0', 'x-acs-credentials-provider': 'static_ak'})
    signed = 'accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version'
    signature = 'c45e93271f009cebbddc7dca003855b95f2beb9b886e58a512643bdac682a446'
    assert verify_v3(B_QUERY, headers, signed, signature, B_TIME) == 'testid'
    with pytest.raises(ApiError) as caught:  # an x-acs-* header left out of SignedHeaders is refused outright
        verify_v3(B_QUERY, headers, signed.replace(';x-acs-credentials-provider', ''), signature, B_TIME)
    assert caught.value.code == 'IncompleteSignature'


def test_v3_vector_b7_rejected_when_outside_15_minutes():
    signature = 'e45e287b17fd43c4b99e19de051a6f3e88664842692451891ee1613530947daa'
    assert verify_v3(B_QUERY, B_HEADERS, B_SIGNED, signature, B_TIME + 14 * 60) == 'testid'
    with pytest.raises(ApiError) as caught:
        verify_v3(B_QUERY, B_HEADERS, B_SIGNED, signature, B_TIME + 16 * 60)
    assert (caught.value.status, caught.value.code) == (400, 'InvalidTimeStamp.Expired')


ZEC_A_BODY = '{"pageSize":10,"pageNum":1,"zoneId":"HKG-A"}'


def zec_request(body, timestamp, content_type, host, key_id, signature):
    return request('POST', '', {'Content-Type': content_type, 'Host': host, 'X-ZC-Timestamp': timestamp,
                                'X-ZC-Signature-Method': 'ZC2-HMAC-SHA256',
                                'Authorization': 'ZC2-HMAC-SHA256 Credential=%s, SignedHeaders=content-type;host, Signature=%s'
                                % (key_id, signature)}, body.encode('utf-8'), path='/api/v2/zec')


@pytest.mark.parametrize('content_type, signature', [
    ('application/json; charset=utf-8', 'efb356c32e55c781e10dc676da59462c22596d82e91c57803666243379555b2f'),
    ('application/json', '9fdd5117d611874c57b6514c5265c94aee7b716f33906836f9ebda1b56cbc119'),
])
def test_zec_vector_a_doc_example(content_type, signature):
    passwords = {'AKIDz8krbsJ5yKBZQpn74WFkmLPx3': 'Gu5t9xGARNpq86cd98joQYCN3'}
    req = zec_request(ZEC_A_BODY, '1673361177', content_type, 'console.zenlayer.com', 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3', signature)
    assert auth.verify_zec(req, passwords, 1673361177) == 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3'
    other = 'application/json' if ';' in content_type else 'application/json; charset=utf-8'
    req = zec_request(ZEC_A_BODY, '1673361177', other, 'console.zenlayer.com', 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3', signature)
    with pytest.raises(ApiError) as caught:
        auth.verify_zec(req, passwords, 1673361177)
    assert (caught.value.status, caught.value.code) == (401, 'AUTHFAILURE_SIGNATURE_FAILURE')


def test_zec_vector_b_attach_through_the_sdk_path():
    body = '{"nicId": "nic-example-0001", "instanceId": "ins-example-0001"}'
    assert signing.sha256_hex(body) == '7151d5242a3629d4637f51fc5a31cdb7e154d53b2f98dcfca051e427db253596'
    canonical = signing.zc2_canonical_request('application/json', 'console.zenlayer.com', body.encode())
    assert canonical == ('POST\n/\n\ncontent-type:application/json\nhost:console.zenlayer.com\n\ncontent-type;host\n'
                         '7151d5242a3629d4637f51fc5a31cdb7e154d53b2f98dcfca051e427db253596')
    assert signing.sha256_hex(canonical) == '265bb9a94522ef9fbe0b45049a931db6c262afc2d8f4d5bc61ded2b150bdff8d'
    signature = 'c44860737aad1c95d084b71f72645d6e58e0547792f90959462a1313ebb7ce43'
    passwords = {'TESTAKID1234567890': 'TESTAKPASSWORDabcdef0123456789'}
    req = zec_request(body, '1700000000', 'application/json', 'console.zenlayer.com', 'TESTAKID1234567890', signature)
    assert auth.verify_zec(req, passwords, 1700000000 + 299) == 'TESTAKID1234567890'
    with pytest.raises(ApiError) as caught:
        auth.verify_zec(req, passwords, 1700000000 + 301)
    assert 'skew' in caught.value.message
    req = zec_request(body.replace('0001"}', '0002"}'), '1700000000', 'application/json', 'console.zenlayer.com', 'TESTAKID1234567890',
                      signature)
    with pytest.raises(ApiError) as caught:
        auth.verify_zec(req, passwords, 1700000000)
    assert 'signature does not match' in caught.value.message


def test_parsers_refuse_malformed_authorization():
    assert signing.parse_acs3_authorization('ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=ab') == ('a', ['host'], 'ab')
    assert signing.parse_acs3_authorization('ACS3-HMAC-SHA256 Credential=a,Signature=ab') is None
    assert signing.parse_acs3_authorization('HMAC Credential=a,SignedHeaders=host,Signature=ab') is None
    assert signing.parse_zc2_authorization('ZC2-HMAC-SHA256 Credential=k, SignedHeaders=content-type;host, Signature=ab12') == (
        'k', 'content-type;host', 'ab12')
    assert signing.parse_zc2_authorization('ZC2-HMAC-SHA256 Credential=k') is None
