# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ZEC adapter: signer against the reference vectors, request shape, answers and errors, statuses, vNIC calls.

HTTP is mocked with ``responses`` only; everything above it (dialect, client, adapter) is the real code.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
import responses

from ansible_collections.cloudnet.nic.plugins.module_utils import client, interface, zenlayer
from ansible_collections.cloudnet.nic.plugins.module_utils.client import ApiError, Client, Response

URL = 'https://console.zenlayer.com/api/v2/zec'
KEY_ID = 'TESTAKID1234567890'
PASSWORD = 'TESTAKPASSWORDabcdef0123456789'

# Vector A: the signing doc's example (reference 1.5), for both Content-Type spellings.
A_PASSWORD = 'Gu5t9xGARNpq86cd98joQYCN3'
A_BODY = b'{"pageSize":10,"pageNum":1,"zoneId":"HKG-A"}'
A_SIGNATURES = {
    'application/json; charset=utf-8': 'efb356c32e55c781e10dc676da59462c22596d82e91c57803666243379555b2f',
    'application/json': '9fdd5117d611874c57b6514c5265c94aee7b716f33906836f9ebda1b56cbc119',
}
# Vector B: AttachNetworkInterface through the official Python SDK (body as the SDK serialises it).
B_BODY = b'{"nicId": "nic-example-0001", "instanceId": "ins-example-0001"}'
B_AUTHORIZATION = ('ZC2-HMAC-SHA256 Credential=TESTAKID1234567890, SignedHeaders=content-type;host, '
                   'Signature=c44860737aad1c95d084b71f72645d6e58e0547792f90959462a1313ebb7ce43')

# The kind each documented code must have (DESIGN: the reconciler re-reads on conflict/invalid_state refusals).
EXPECTED_KINDS = {
    'INVALID_INSTANCE_NOT_FOUND': client.NOT_FOUND,
    'INVALID_NIC_NOT_FOUND': client.NOT_FOUND,
    'OPERATION_FAILED_RESOURCE_NOT_FOUND': client.NOT_FOUND,
    'INVALID_NIC_ATTACHED': client.INVALID_STATE,
    'INVALID_NIC_STATUS': client.INVALID_STATE,
    'OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT': client.INSTANCE_STATE,
    'INVALID_INSTANCE_PRECHECK_ABNORMAL': client.INSTANCE_STATE,
    'OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE': client.INVALID_STATE,
    'INVALID_NIC_INSTANCE_REGION_MISMATCH': client.INVALID_INPUT,
    'INVALID_NIC_PRIMARY_CANT_DETACH': client.INVALID_INPUT,
    'INVALID_NIC_LB_ASSOCIATED': client.INVALID_INPUT,
    'INVALID_INSTANCE_NIC_LIMIT': client.QUOTA,
    'AUTHFAILURE_SIGNATURE_FAILURE': client.AUTH,
    'REQUEST_LIMIT_EXCEEDED': client.THROTTLED,
    'INTERNAL_SERVER_ERROR': client.TRANSIENT,
    'SERVICE_TEMPORARY_UNAVAILABLE': client.TRANSIENT,
    'REQUEST_TIMED_OUT': client.TRANSIENT,
    'INVALID_OPERATION_TIMEOUT': client.TRANSIENT,
    'INVALID_PARAMETER': client.INVALID_INPUT,
    'UNSUPPORTED_OPERATION': client.INVALID_INPUT,
    'SECURITY_CHALLENGE': client.PERMISSION,
    'REQUEST_BLOCKED': client.PERMISSION,
}


def reference_authorization(key_id, password, body, timestamp, content_type='application/json', host='console.zenlayer.com'):
    """The reference notes' standalone signer (section 1.5), used as an independent oracle."""
    payload_hash = hashlib.sha256(body).hexdigest()
    canonical = 'POST\n/\n\n' + 'content-type:%s\nhost:%s\n' % (content_type, host) + '\n' + 'content-type;host\n' + payload_hash
    s2s = 'ZC2-HMAC-SHA256\n%s\n%s' % (timestamp, hashlib.sha256(canonical.encode('utf-8')).hexdigest())
    sig = hmac.new(password.encode('utf-8'), s2s.encode('utf-8'), hashlib.sha256).hexdigest()
    return 'ZC2-HMAC-SHA256 Credential=%s, SignedHeaders=content-type;host, Signature=%s' % (key_id, sig)


def dialect(endpoint=zenlayer.DEFAULT_ENDPOINT):
    return zenlayer.ZecDialect(endpoint, KEY_ID, PASSWORD, now=lambda: '1700000000')


def answer(status, body, headers=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode('utf-8')
    return Response(status, headers or {}, raw)


def parse_error(response, action='AttachNetworkInterface'):
    with pytest.raises(ApiError) as caught:
        dialect().parse(action, response)
    return caught.value


def nic_info(nic_id='nic-1', status='AVAILABLE', instance_id=None, nic_type='Secondary'):
    return {'nicId': nic_id, 'name': 'web', 'status': status, 'nicType': nic_type, 'regionId': 'asia-east-1', 'instanceId': instance_id,
            'primaryIpv4': '10.0.0.12', 'privateIpList': ['10.0.0.12'], 'macAddress': 'fa:16:3e:00:00:01',
            'resourceGroup': {'resourceGroupId': 'rg-1', 'resourceGroupName': 'default'}}


def described(*items):
    return {'requestId': 'T1', 'response': {'requestId': 'T1', 'totalCount': len(items), 'dataSet': list(items)}}


def adapter():
    return zenlayer.VnicAdapter(Client(dialect(), sleep=lambda _seconds: None))


def sent(call):
    return call.request.headers['X-ZC-Action'], json.loads(call.request.body)


# signing

@pytest.mark.parametrize('content_type', sorted(A_SIGNATURES))
def test_signer_reproduces_vector_a(content_type):
    assert zenlayer.zc2_signature(A_PASSWORD, '1673361177', A_BODY, content_type, 'console.zenlayer.com') == A_SIGNATURES[content_type]


def test_signer_reproduces_vector_b():
    signature = zenlayer.zc2_signature(PASSWORD, '1700000000', B_BODY, 'application/json', 'console.zenlayer.com')
    assert zenlayer.zc2_authorization(KEY_ID, signature) == B_AUTHORIZATION


def test_signature_depends_on_host_and_timestamp():
    base = zenlayer.zc2_signature(PASSWORD, '1700000000', B_BODY, 'application/json', 'console.zenlayer.com')
    assert zenlayer.zc2_signature(PASSWORD, '1700000001', B_BODY, 'application/json', 'console.zenlayer.com') != base
    assert zenlayer.zc2_signature(PASSWORD, '1700000000', B_BODY, 'application/json', '127.0.0.1:8080') != base


# prepare

def test_prepare_posts_compact_json_with_zec_headers():
    call = dialect().prepare('AttachNetworkInterface', {'nicId': 'nic-example-0001', 'instanceId': 'ins-example-0001'})
    assert (call.method, call.url, call.params) == ('POST', URL, None)
    assert call.body == b'{"nicId":"nic-example-0001","instanceId":"ins-example-0001"}'
    assert call.headers == {
        'Host': 'console.zenlayer.com',
        'Content-Type': 'application/json',
        'X-ZC-Action': 'AttachNetworkInterface',
        'X-ZC-Version': '2025-09-01',
        'X-ZC-Service': 'zec',
        'X-ZC-Timestamp': '1700000000',
        'X-ZC-Signature-Method': 'ZC2-HMAC-SHA256',
        'Authorization': reference_authorization(KEY_ID, PASSWORD, call.body, '1700000000'),
        'Accept': 'application/json',
    }


def test_prepare_signs_the_host_as_sent_for_another_endpoint():
    call = dialect('http://127.0.0.1:8080/').prepare('DescribeNetworkInterfaces', {'nicIds': ['n1']})
    assert call.url == 'http://127.0.0.1:8080/api/v2/zec'
    assert call.headers['Host'] == '127.0.0.1:8080'
    assert call.headers['Authorization'] == reference_authorization(KEY_ID, PASSWORD, b'{"nicIds":["n1"]}', '1700000000',
                                                                    host='127.0.0.1:8080')


def test_prepare_keeps_a_path_prefix_of_the_endpoint():
    assert dialect('https://gateway.example.com/zenlayer').prepare('X', {}).url == 'https://gateway.example.com/zenlayer/api/v2/zec'


def test_prepare_sends_an_empty_object_without_parameters():
    assert dialect().prepare('DescribeNetworkInterfaceRegions', {}).body == b'{}'


def test_prepare_takes_a_fresh_timestamp_for_every_attempt():
    times = iter(['1700000000', '1700000005'])
    zec = zenlayer.ZecDialect(zenlayer.DEFAULT_ENDPOINT, KEY_ID, PASSWORD, now=lambda: next(times))
    first, second = zec.prepare('X', {}), zec.prepare('X', {})
    assert first.headers['X-ZC-Timestamp'] != second.headers['X-ZC-Timestamp']
    assert first.headers['Authorization'] != second.headers['Authorization']


# parse

def test_parse_returns_the_response_object():
    assert dialect().parse('AttachNetworkInterface', answer(200, {'requestId': 'T1', 'response': {'requestId': 'T1'}})) == {'requestId': 'T1'}


@pytest.mark.parametrize('code', sorted(EXPECTED_KINDS))
def test_every_documented_code_has_its_kind_and_a_hint(code):
    err = parse_error(answer(400, {'requestId': 'T9', 'code': code, 'message': 'refused'}))
    assert (err.code, err.kind, err.message, err.request_id, err.http_status) == (code, EXPECTED_KINDS[code], 'refused', 'T9', 400)
    assert err.hint and err.hint.strip()
    assert err.action == 'AttachNetworkInterface'


def test_error_table_covers_exactly_the_documented_codes():
    assert set(zenlayer.ERRORS.entries) == set(EXPECTED_KINDS)


def test_kind_comes_from_the_code_not_the_http_status():
    assert parse_error(answer(403, {'code': 'OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT', 'message': 'x'})).kind == client.INSTANCE_STATE
    assert parse_error(answer(500, {'code': 'INVALID_NIC_STATUS', 'message': 'x'})).kind == client.INVALID_STATE


def test_cloudflare_challenge_is_a_security_challenge():
    err = parse_error(answer(403, b'<html>Just a moment...</html>', {'cf-mitigated': 'challenge', 'cf-ray': '8a1b2c3d4e5f-HKG'}))
    assert (err.code, err.kind, err.http_status, err.request_id) == ('SECURITY_CHALLENGE', client.PERMISSION, 403, '8a1b2c3d4e5f-HKG')
    assert 'Cloudflare' in err.hint and 'egress' in err.hint


def test_a_plain_403_is_read_from_its_body():
    err = parse_error(answer(403, {'code': 'OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE', 'message': 'x'}))
    assert err.code == 'OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE'


def test_http_451_is_request_blocked_whatever_the_body():
    err = parse_error(answer(451, b'blocked'))
    assert (err.code, err.kind, err.http_status) == ('REQUEST_BLOCKED', client.PERMISSION, 451)


@pytest.mark.parametrize('status, body, kind', [
    (502, b'<html>Bad Gateway</html>', client.TRANSIENT),
    (200, b'', client.MALFORMED),
    (200, b'not json', client.MALFORMED),
    (200, b'[1, 2]', client.MALFORMED),
])
def test_bodies_that_are_not_json_objects_are_malformed(status, body, kind):
    err = parse_error(answer(status, body))
    assert (err.code, err.kind, err.http_status) == ('MalformedResponse', kind, status)


@pytest.mark.parametrize('body', [{'requestId': 'T1'}, {'requestId': 'T1', 'response': None}, {'response': ['x']}])
def test_success_without_a_response_object_is_malformed(body):
    err = parse_error(answer(200, body))
    assert (err.code, err.kind) == ('MalformedResponse', client.MALFORMED)


def test_error_without_a_code_falls_back_on_the_http_status():
    err = parse_error(answer(503, {'requestId': 'T2'}))
    assert (err.code, err.kind, err.request_id) == ('HTTP503', client.TRANSIENT, 'T2')
    assert err.message == 'HTTP 503 without an error message'


def test_unknown_code_falls_back_on_the_http_status():
    assert parse_error(answer(409, {'code': 'SOMETHING_NEW', 'message': 'x'})).kind == client.CONFLICT


# status map and facts

@pytest.mark.parametrize('status, phase', [
    ('AVAILABLE', interface.AVAILABLE), ('ATTACHING', interface.ATTACHING), ('USED', interface.ATTACHED),
    ('DETACHING', interface.DETACHING), ('PENDING', interface.CREATING), ('DELETING', interface.GONE_OR_BROKEN),
    ('CREATE_FAILED', interface.GONE_OR_BROKEN),
])
def test_status_map(status, phase):
    nic = zenlayer.interface_from_zec(nic_info(status=status))
    assert (nic.status, nic.phase, nic.known) == (status, phase, True)


def test_unknown_status_is_gone_or_broken_and_not_known():
    nic = zenlayer.interface_from_zec(nic_info(status='RESIZING'))
    assert (nic.status, nic.phase, nic.known, nic.settling) == ('RESIZING', interface.GONE_OR_BROKEN, False, True)


@pytest.mark.parametrize('phase', [interface.AVAILABLE, interface.ATTACHING, interface.ATTACHED, interface.DETACHING])
def test_status_word_round_trips(phase):
    assert zenlayer.STATUS_PHASES[zenlayer.VnicAdapter.status_word(phase)] == phase


def test_interface_facts_are_snake_case_and_primary_comes_from_nic_type():
    nic = zenlayer.interface_from_zec(nic_info(status='USED', instance_id='ins-1', nic_type='Primary'))
    assert (nic.id, nic.instance_id, nic.primary, nic.placement) == ('nic-1', 'ins-1', True, {})
    assert nic.view() == {
        'id': 'nic-1', 'instance_id': 'ins-1', 'status': 'USED', 'name': 'web', 'nic_type': 'Primary', 'region_id': 'asia-east-1',
        'primary_ipv4': '10.0.0.12', 'private_ip_list': ['10.0.0.12'], 'mac_address': 'fa:16:3e:00:00:01',
        'resource_group': {'resource_group_id': 'rg-1', 'resource_group_name': 'default'},
    }
    assert zenlayer.interface_from_zec(nic_info()).primary is False


# the adapter over HTTP

@responses.activate
def test_get_asks_for_one_nic_by_id():
    responses.add(responses.POST, URL, json=described(nic_info(status='USED', instance_id='ins-1')))
    nic = adapter().get('nic-1')
    assert (nic.id, nic.phase, nic.instance_id) == ('nic-1', interface.ATTACHED, 'ins-1')
    assert sent(responses.calls[0]) == ('DescribeNetworkInterfaces', {'nicIds': ['nic-1']})
    assert responses.calls[0].request.headers['Authorization'].startswith('ZC2-HMAC-SHA256 Credential=%s, ' % KEY_ID)


@responses.activate
def test_get_returns_none_for_an_empty_data_set():
    responses.add(responses.POST, URL, json=described())
    assert adapter().get('nic-1') is None


@responses.activate
def test_get_returns_none_for_a_null_data_set_with_total_count_zero():
    responses.add(responses.POST, URL, json={'requestId': 'T1', 'response': {'requestId': 'T1', 'totalCount': 0, 'dataSet': None}})
    assert adapter().get('nic-1') is None


@responses.activate
def test_get_ignores_other_nics_in_the_answer():
    responses.add(responses.POST, URL, json=described(nic_info(nic_id='nic-2')))
    assert adapter().get('nic-1') is None


@responses.activate
@pytest.mark.parametrize('code', ['INVALID_NIC_NOT_FOUND', 'OPERATION_FAILED_RESOURCE_NOT_FOUND'])
def test_get_returns_none_when_the_api_says_not_found(code):
    responses.add(responses.POST, URL, status=404, json={'requestId': 'T1', 'code': code, 'message': 'x'})
    assert adapter().get('nic-1') is None


@responses.activate
def test_get_raises_on_a_response_without_a_data_set():
    responses.add(responses.POST, URL, json={'requestId': 'T1', 'response': {'requestId': 'T1'}})
    with pytest.raises(ApiError) as caught:
        zenlayer.VnicAdapter(Client(dialect(), sleep=lambda _s: None, retry=client.RetryPolicy(max_attempts=1))).get('nic-1')
    assert (caught.value.code, caught.value.kind) == ('MalformedResponse', client.MALFORMED)


@responses.activate
def test_get_is_retried_when_throttled():
    responses.add(responses.POST, URL, status=429, json={'requestId': 'T1', 'code': 'REQUEST_LIMIT_EXCEEDED', 'message': 'slow down'})
    responses.add(responses.POST, URL, json=described(nic_info()))
    assert adapter().get('nic-1').id == 'nic-1'
    assert len(responses.calls) == 2


@responses.activate
def test_attach_sends_nic_and_instance():
    responses.add(responses.POST, URL, json={'requestId': 'T1', 'response': {'requestId': 'T1'}})
    adapter().attach(zenlayer.interface_from_zec(nic_info()), 'ins-9', {})
    assert sent(responses.calls[0]) == ('AttachNetworkInterface', {'nicId': 'nic-1', 'instanceId': 'ins-9'})


@responses.activate
def test_detach_sends_the_nic_only():
    responses.add(responses.POST, URL, json={'requestId': 'T1', 'response': {'requestId': 'T1'}})
    adapter().detach(zenlayer.interface_from_zec(nic_info(status='USED', instance_id='ins-1')))
    assert sent(responses.calls[0]) == ('DetachNetworkInterface', {'nicId': 'nic-1'})


@responses.activate
def test_a_timed_out_attach_is_not_repeated_and_its_outcome_is_unknown():
    responses.add(responses.POST, URL, status=500, json={'requestId': 'T1', 'code': 'INVALID_OPERATION_TIMEOUT', 'message': 'x'})
    with pytest.raises(ApiError) as caught:
        adapter().attach(zenlayer.interface_from_zec(nic_info()), 'ins-9', {})
    assert caught.value.outcome_unknown is True
    assert len(responses.calls) == 1


# options

@pytest.mark.parametrize('value, expected', [
    ('   ', 'must not be empty or blank'),
    ('nic 1', 'contains characters an id cannot have'),
    (' 1475945014486896967', 'contains characters an id cannot have'),
    ('eni-bp17pdijfczax1huji4b', 'looks like an Alibaba Cloud id'),
])
def test_bad_nic_ids(value, expected):
    assert expected in zenlayer.bad_id('nic_id', value)


def test_alibaba_instance_id_is_refused():
    assert 'looks like an Alibaba Cloud id' in zenlayer.bad_id('instance_id', 'i-bp67acfmxazb4ph9g5yq')


@pytest.mark.parametrize('value', ['1475945014486896967', 'nic-emu-1', 'ins-example-0001', None])
def test_good_ids(value):
    assert zenlayer.bad_id('nic_id', value) is None


def test_connection_options_and_their_environment():
    spec = zenlayer.connection_argument_spec()
    assert spec['access_key_id']['no_log'] is False
    assert spec['access_key_password']['no_log'] is True
    assert spec['access_key_id']['fallback'][1] == ['ZENLAYERCLOUD_ACCESS_KEY_ID']
    assert spec['access_key_password']['fallback'][1] == ['ZENLAYERCLOUD_ACCESS_KEY_PASSWORD']
    assert spec['endpoint']['fallback'][1] == ['ZENLAYERCLOUD_ENDPOINT']
    assert {'validate_certs', 'ca_path', 'timeout'} <= set(spec)


def params(**overrides):
    values = {'access_key_id': KEY_ID, 'access_key_password': PASSWORD, 'endpoint': None, 'timeout': 30, 'wait_timeout': 300,
              'validate_certs': True, 'ca_path': None}
    values.update(overrides)
    return values


def test_connection_problems_name_the_environment_variables():
    problems = zenlayer.connection_problems(params(access_key_id=None, access_key_password=''))
    assert len(problems) == 2
    assert 'ZENLAYERCLOUD_ACCESS_KEY_ID' in problems[0] and 'ZENLAYERCLOUD_ACCESS_KEY_PASSWORD' in problems[1]


@pytest.mark.parametrize('endpoint, expected', [
    ('console.zenlayer.com', 'is not a URL'),
    ('https://console.zenlayer.com/api/v2/zec', 'must be the base URL without /api/v2/zec'),
])
def test_connection_problems_with_the_endpoint(endpoint, expected):
    (problem,) = zenlayer.connection_problems(params(endpoint=endpoint))
    assert expected in problem


def test_no_connection_problems_for_good_params():
    assert zenlayer.connection_problems(params(endpoint='http://127.0.0.1:8080')) == []


def test_adapter_for_uses_the_default_endpoint_and_transport_options():
    vnics = zenlayer.adapter_for(params(timeout=12, validate_certs=False))
    assert (vnics.noun, vnics.where) == ('vNIC', 'in this Zenlayer account')
    assert (vnics.client.timeout, vnics.client.verify) == (12, False)
    assert vnics.client.dialect.url == URL
