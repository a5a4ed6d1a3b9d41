# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Alibaba Cloud ECS adapter: ACS3 signing against the reference vectors, envelopes, error table, ENI calls.

Reference vectors: ``/work/shared/reference/alibaba-ecs.md`` section 1.6 (A3, B7). HTTP is mocked with ``responses``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import responses

from ansible_collections.cloudnet.nic.plugins.module_utils import alicloud, client, interface
from ansible_collections.cloudnet.nic.plugins.module_utils.client import ApiError, Client, Response, RetryPolicy

EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
SECRET = 'ALIBABA-SECRET-MARKER-9d41-never-print'
TOKEN = 'STS-TOKEN-MARKER-77aa'
URL = 'https://ecs.cn-hangzhou.aliyuncs.com/'

A3 = dict(
    host='ecs.cn-shanghai.aliyuncs.com',
    query={'ImageId': 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', 'RegionId': 'cn-shanghai'},
    action='RunInstances', date='2023-10-26T10:22:32Z', nonce='3156853299f313e23d1673dc12e1703d',
    key_id='YourAccessKeyId', secret='YourAccessKeySecret',
    signature='06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
)
B7 = dict(
    host='ecs-cn-hangzhou.aliyuncs.com',
    query={'InstanceId': 'i-123456', 'NetworkInterfaceId': 'eni-123456', 'RegionId': 'cn-hangzhou'},
    action='AttachNetworkInterface', date='2024-01-02T03:04:05Z', nonce='0123456789abcdef0123456789abcdef',
    key_id='testid', secret='testsecret',
    signature='e45e287b17fd43c4b99e19de051a6f3e88664842692451891ee1613530947daa',
)
SIGNED = 'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version'


def vector_headers(vector):
    return {'host': vector['host'], 'x-acs-action': vector['action'], 'x-acs-version': '2014-05-26',
            'x-acs-date': vector['date'], 'x-acs-signature-nonce': vector['nonce'], 'x-acs-content-sha256': EMPTY_SHA256}


def reference_authorization(method, host, query, headers, key_id, secret):
    """The reference notes' own stdlib signer (section 1.5), used as an independent oracle."""
    def pct(value):
        return quote(str(value), safe='-_.~')
    signed = {name.lower(): str(value).strip() for name, value in headers.items()}
    signed['host'] = host
    signed['x-acs-content-sha256'] = payload = hashlib.sha256(b'').hexdigest()
    names = sorted(signed)
    canonical = '\n'.join([method, '/', '&'.join('%s=%s' % (pct(k), pct(v)) for k, v in sorted(query.items())),
                           ''.join('%s:%s\n' % (name, signed[name]) for name in names), ';'.join(names), payload])
    signature = hmac.new(secret.encode(), ('ACS3-HMAC-SHA256\n' + hashlib.sha256(canonical.encode()).hexdigest()).encode(),
                         hashlib.sha256).hexdigest()
    return 'ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s' % (key_id, ';'.join(names), signature)


# ---------------------------------------------------------------------------------------------------------------------
# Signing


@pytest.mark.parametrize('vector', [A3, B7], ids=['A3-RunInstances-doc', 'B7-AttachNetworkInterface'])
def test_acs3_authorization_reproduces_the_reference_vector(vector):
    authorization = alicloud.acs3_authorization('POST', '/', alicloud.canonical_query(vector['query']), vector_headers(vector),
                                                EMPTY_SHA256, vector['key_id'], vector['secret'])
    assert authorization == 'ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s' % (
        vector['key_id'], SIGNED, vector['signature'])


def test_b7_authorization_byte_for_byte():
    authorization = alicloud.acs3_authorization('POST', '/', alicloud.canonical_query(B7['query']), vector_headers(B7),
                                                EMPTY_SHA256, 'testid', 'testsecret')
    assert authorization == (
        'ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;'
        'x-acs-signature-nonce;x-acs-version,Signature=e45e287b17fd43c4b99e19de051a6f3e88664842692451891ee1613530947daa')


def test_header_names_are_lowercased_and_values_trimmed_before_signing():
    shouting = {name.upper(): ' %s ' % value for name, value in vector_headers(B7).items()}
    authorization = alicloud.acs3_authorization('POST', '/', alicloud.canonical_query(B7['query']), shouting,
                                                EMPTY_SHA256, 'testid', 'testsecret')
    assert authorization.endswith('Signature=' + B7['signature'])


@pytest.mark.parametrize('vector', [A3, B7], ids=['A3', 'B7'])
def test_dialect_prepare_reproduces_the_reference_vector(vector):
    dialect = alicloud.EcsDialect('https://%s' % vector['host'], vector['key_id'], vector['secret'],
                                  now=lambda: vector['date'], nonce=lambda: vector['nonce'])
    prepared = dialect.prepare(vector['action'], vector['query'])
    assert prepared.method == 'POST'
    assert prepared.headers['Authorization'] == 'ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s' % (
        vector['key_id'], SIGNED, vector['signature'])
    assert prepared.url == 'https://%s/?%s' % (vector['host'], alicloud.canonical_query(vector['query']))
    assert prepared.body == b'' and prepared.params is None
    assert prepared.headers['Accept'] == 'application/json'
    for name, value in vector_headers(vector).items():
        assert prepared.headers[name] == value


def test_security_token_is_sent_and_signed():
    dialect = alicloud.EcsDialect('https://ecs-cn-hangzhou.aliyuncs.com', 'testid', 'testsecret', security_token='testtoken',
                                  now=lambda: B7['date'], nonce=lambda: B7['nonce'])
    prepared = dialect.prepare('AttachNetworkInterface', B7['query'])
    assert prepared.headers['x-acs-security-token'] == 'testtoken'
    expected = reference_authorization('POST', B7['host'], B7['query'], dict(vector_headers(B7), **{
        'x-acs-security-token': 'testtoken'}), 'testid', 'testsecret')
    assert prepared.headers['Authorization'] == expected
    assert ';x-acs-date;x-acs-security-token;x-acs-signature-nonce;' in expected
    assert B7['signature'] not in expected


def test_without_a_token_no_token_header():
    prepared = alicloud.EcsDialect(URL, 'id', 'secret').prepare('DescribeNetworkInterfaces', {'RegionId': 'cn-hangzhou'})
    assert not any(name.lower() == 'x-acs-security-token' for name in prepared.headers)


def test_prepare_takes_a_fresh_nonce_and_date_for_every_attempt():
    dialect = alicloud.EcsDialect(URL, 'id', 'secret')
    first, second = dialect.prepare('X', {}), dialect.prepare('X', {})
    assert first.headers['x-acs-signature-nonce'] != second.headers['x-acs-signature-nonce']
    assert len(first.headers['x-acs-date']) == len('2024-01-02T03:04:05Z') and first.headers['x-acs-date'].endswith('Z')


def test_prepare_without_parameters_has_no_query():
    assert alicloud.EcsDialect(URL, 'id', 'secret').prepare('X', {}).url == URL


def test_prepare_signs_host_and_port_of_the_endpoint():
    dialect = alicloud.EcsDialect('http://127.0.0.1:8080', 'id', 'secret', now=lambda: B7['date'], nonce=lambda: B7['nonce'])
    prepared = dialect.prepare('X', {'RegionId': 'cn-hangzhou'})
    assert prepared.headers['host'] == '127.0.0.1:8080'
    assert prepared.url == 'http://127.0.0.1:8080/?RegionId=cn-hangzhou'
    headers = dict((k, v) for k, v in prepared.headers.items() if k.startswith('x-acs-'))
    expected = reference_authorization('POST', '127.0.0.1:8080', {'RegionId': 'cn-hangzhou'}, headers, 'id', 'secret')
    assert prepared.headers['Authorization'] == expected


def test_secret_is_not_in_the_prepared_call():
    prepared = alicloud.EcsDialect(URL, 'id', SECRET, security_token=TOKEN).prepare('X', {'RegionId': 'cn-hangzhou'})
    assert SECRET not in prepared.url + json.dumps(prepared.headers)


@pytest.mark.parametrize('value, encoded', [
    ('a b', 'a%20b'), ('a*b', 'a%2Ab'), ('a~b-_.', 'a~b-_.'), ('a/b:c', 'a%2Fb%3Ac'), ('+=&', '%2B%3D%26'),
    ('é', '%C3%A9'), (3, '3'),
])
def test_percent_encoding(value, encoded):
    assert alicloud.percent_encode(value) == encoded


def test_canonical_query_sorts_in_byte_order():
    assert alicloud.canonical_query({'b': '1', 'B': '2', 'a': 'x y'}) == 'B=2&a=x%20y&b=1'


def test_default_endpoint():
    assert alicloud.default_endpoint('cn-hangzhou') == 'https://ecs.cn-hangzhou.aliyuncs.com'


# ---------------------------------------------------------------------------------------------------------------------
# Envelopes and the error table


def answer(status, body, headers=None):
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return Response(status, dict({'Content-Type': 'application/json'}, **(headers or {})), raw)


def parse_error(response, action='AttachNetworkInterface'):
    with pytest.raises(ApiError) as raised:
        alicloud.EcsDialect(URL, 'id', 'secret').parse(action, response)
    return raised.value


def test_parse_success_returns_the_body():
    body = {'RequestId': 'R-1'}
    assert alicloud.EcsDialect(URL, 'id', 'secret').parse('AttachNetworkInterface', answer(200, body)) == body


def test_parse_error_envelope():
    err = parse_error(answer(403, {'RequestId': 'R-7', 'HostId': 'ecs.cn-hangzhou.aliyuncs.com', 'Code': 'InvalidOperation.VpcMismatch',
                                   'Message': 'The VPC differs.', 'Recommend': 'https://api.alibabacloud.com/troubleshoot'}))
    assert (err.code, err.message, err.http_status, err.request_id, err.action, err.kind) == (
        'InvalidOperation.VpcMismatch', 'The VPC differs.', 403, 'R-7', 'AttachNetworkInterface', client.INVALID_INPUT)
    assert 'different VPCs' in err.hint


def test_parse_lowercase_envelope():
    err = parse_error(answer(404, {'requestId': 'r-2', 'code': 'InvalidEniId.NotFound', 'message': 'no eni'}))
    assert (err.code, err.message, err.request_id, err.kind) == ('InvalidEniId.NotFound', 'no eni', 'r-2', client.NOT_FOUND)


def test_request_id_from_the_header_when_the_body_has_none():
    err = parse_error(answer(400, {'Code': 'InvalidParameter', 'Message': 'bad'}, {'x-acs-request-id': 'HDR-1'}))
    assert err.request_id == 'HDR-1'


def test_body_request_id_wins_over_the_header():
    err = parse_error(answer(400, {'Code': 'InvalidParameter', 'RequestId': 'BODY-1'}, {'x-acs-request-id': 'HDR-1'}))
    assert err.request_id == 'BODY-1'


def test_error_without_code_or_message_falls_back_on_the_status():
    err = parse_error(answer(503, {}))
    assert (err.code, err.message, err.kind) == ('HTTP503', 'HTTP 503 without an error message', client.TRANSIENT)


def test_html_error_is_malformed():
    err = parse_error(answer(403, '<html>Access denied</html>', {'Content-Type': 'text/html'}))
    assert (err.code, err.kind) == ('MalformedResponse', client.MALFORMED)


KINDS = {client.NOT_FOUND, client.CONFLICT, client.INVALID_STATE, client.BUSY, client.INSTANCE_STATE, client.QUOTA, client.PERMISSION,
         client.AUTH, client.THROTTLED, client.TRANSIENT, client.INVALID_INPUT}


@pytest.mark.parametrize('code', sorted(alicloud.ERRORS.entries))
def test_every_code_in_the_table_has_a_kind_and_a_hint(code):
    err = parse_error(answer(400, {'Code': code, 'Message': 'm', 'RequestId': 'R'}))
    assert err.kind in KINDS
    assert err.hint and err.hint.strip().endswith('.')
    assert (err.kind, err.hint) == alicloud.ERRORS.entries[code]


@pytest.mark.parametrize('code, kind', [
    ('InvalidOperation.InvalidEniState', client.INVALID_STATE),
    ('InvalidOperation.InvalidEcsState', client.INSTANCE_STATE),
    ('IncorrectInstanceStatus', client.INSTANCE_STATE),
    ('Operation.Conflict', client.BUSY),
    ('OperationConflict', client.BUSY),
    ('InvalidOperation.Conflict', client.BUSY),
    ('InvalidEniId.NotFound', client.NOT_FOUND),
    ('InvalidInstanceId.NotFound', client.NOT_FOUND),
    ('MaxEniCountExceeded', client.QUOTA),
    ('EniPerInstanceLimitExceeded', client.QUOTA),
    ('Forbidden.SubUser', client.PERMISSION),
    ('SignatureDoesNotMatch', client.AUTH),
    ('InvalidAccessKeyId.NotFound', client.AUTH),
    ('ServiceUnavailable', client.TRANSIENT),
    ('InternalError', client.TRANSIENT),
])
def test_documented_codes_have_the_kind_the_reconciler_needs(code, kind):
    assert alicloud.ERRORS.classify(code, 400)[0] == kind


@pytest.mark.parametrize('code', ['Throttling', 'Throttling.User', 'Throttling.Api', 'Throttling.Resource', 'Rejected.Throttling'])
def test_throttling_codes_by_prefix(code):
    err = parse_error(answer(400, {'Code': code, 'Message': 'Request was denied due to request throttling.'}))
    assert err.kind == client.THROTTLED
    assert 'throttled' in err.hint


def test_documented_attach_and_detach_codes_are_all_in_the_table():
    documented = {
        'MissingParameter', 'UnsupportedParameter', 'InvalidParameter', 'InvalidInstanceID.Malformed',
        'InvalidOperation.InvalidRegion', 'InvalidOperation.InvalidEcsState', 'InvalidOperation.InvalidEniState',
        'InvalidOperation.DetachPrimaryEniNotAllowed', 'InvalidParams.EniId', 'InvalidEniId.Malformed', 'Forbidden.RegionId',
        'InvalidParameter.Conflict', 'InvalidUserType.NotSupported', 'Abs.InvalidAccount.NotFound', 'Forbidden.NotSupportRAM',
        'Forbidden.SubUser', 'MaxEniCountExceeded', 'EniPerInstanceLimitExceeded', 'InvalidOperation.AvailabilityZoneMismatch',
        'InvalidOperation.VpcMismatch', 'SecurityGroupInstanceLimitExceed', 'InvalidSecurityGroupId.NotVpc',
        'InvalidOperation.InvalidEniType', 'InvalidOperation.EniServiceManaged', 'Operation.Conflict',
        'InvalidEcsId.NotFound', 'InvalidInstanceId.NotFound', 'InvalidEniId.NotFound', 'InvalidVSwitchId.NotFound',
        'InvalidSecurityGroupId.NotFound', 'OperationConflict', 'InvalidOperation.HasMemberEniAttached', 'InternalError',
        'ServiceUnavailable', 'InvalidOperation.Conflict', 'IncorrectInstanceStatus',
    }
    assert documented - set(alicloud.ERRORS.entries) == set()


def test_unknown_code_falls_back_on_the_http_status():
    assert alicloud.ERRORS.classify('Brand.New', 404) == (client.NOT_FOUND, None)


# ---------------------------------------------------------------------------------------------------------------------
# Interfaces from DescribeNetworkInterfaces


def ecs_item(status='InUse', instance_id='i-target', eni_type='Secondary', card=1, eni_id='eni-1', **extra):
    item = {
        'NetworkInterfaceId': eni_id, 'NetworkInterfaceName': 'web', 'Description': '', 'Status': status, 'Type': eni_type,
        'InstanceId': instance_id, 'VpcId': 'vpc-1', 'VSwitchId': 'vsw-1', 'ZoneId': 'cn-hangzhou-i',
        'MacAddress': '00:16:3e:12:34:56', 'PrivateIpAddress': '172.16.0.12', 'CreationTime': '2024-01-02T03:04:05Z',
        'OwnerId': '1234', 'ResourceGroupId': 'rg-1', 'ServiceManaged': False, 'DeleteOnRelease': True,
        'SecurityGroupIds': {'SecurityGroupId': ['sg-1', 'sg-2']},
        'PrivateIpSets': {'PrivateIpSet': [{'PrivateIpAddress': '172.16.0.12', 'Primary': True,
                                            'AssociatedPublicIp': {'PublicIpAddress': '', 'AllocationId': ''}}]},
        'Ipv6Sets': {'Ipv6Set': []},
        'Tags': {'Tag': [{'TagKey': 'env', 'TagValue': 'prod'}]},
        'Attachment': {'InstanceId': instance_id, 'DeviceIndex': 1, 'NetworkCardIndex': card},
    }
    item.update(extra)
    return item


def test_interface_from_a_realistic_item():
    nic = alicloud.interface_from_ecs(ecs_item())
    assert (nic.id, nic.status, nic.phase, nic.instance_id, nic.primary, nic.known) == (
        'eni-1', 'InUse', interface.ATTACHED, 'i-target', False, True)
    assert nic.placement == {'network_card_index': 1}
    view = nic.view()
    assert view['security_group_ids'] == ['sg-1', 'sg-2']
    assert view['private_ip_sets'] == [{'private_ip_address': '172.16.0.12', 'primary': True,
                                        'associated_public_ip': {'public_ip_address': '', 'allocation_id': ''}}]
    assert view['tags'] == [{'tag_key': 'env', 'tag_value': 'prod'}]
    assert view['ipv6_sets'] == []
    assert (view['vpc_id'], view['zone_id'], view['mac_address'], view['private_ip_address'], view['type']) == (
        'vpc-1', 'cn-hangzhou-i', '00:16:3e:12:34:56', '172.16.0.12', 'Secondary')
    assert (view['id'], view['status'], view['instance_id'], view['network_card_index']) == ('eni-1', 'InUse', 'i-target', 1)
    assert 'network_interface_id' not in view
    assert not any(key[0].isupper() for key in view)


def test_vswitch_id_is_returned_under_its_documented_name():
    assert alicloud.interface_from_ecs(ecs_item()).view()['vswitch_id'] == 'vsw-1'


def test_primary_interface():
    assert alicloud.interface_from_ecs(ecs_item(eni_type='Primary')).primary is True


def test_available_interface_has_no_instance():
    nic = alicloud.interface_from_ecs(ecs_item(status='Available', instance_id='', Attachment={}))
    assert (nic.instance_id, nic.phase, nic.placement) == (None, interface.AVAILABLE, {'network_card_index': None})


def test_instance_id_falls_back_on_the_attachment():
    nic = alicloud.interface_from_ecs(ecs_item(eni_type='Member', instance_id='', Attachment={'InstanceId': 'i-target'}))
    nic2 = alicloud.interface_from_ecs(dict((k, v) for k, v in ecs_item().items() if k != 'InstanceId'))
    assert nic.instance_id == 'i-target' and nic2.instance_id == 'i-target'


def test_minimal_item():
    nic = alicloud.interface_from_ecs({'NetworkInterfaceId': 'eni-9', 'Status': 'Available'})
    assert (nic.id, nic.instance_id, nic.placement, nic.primary) == ('eni-9', None, {'network_card_index': None}, False)


@pytest.mark.parametrize('status, phase', sorted(alicloud.STATUS_PHASES.items()))
def test_status_map(status, phase):
    nic = alicloud.interface_from_ecs(ecs_item(status=status))
    assert (nic.phase, nic.known) == (phase, True)


@pytest.mark.parametrize('status', ['Linking', 'Unlinking', 'Linked', 'inuse', None])
def test_unknown_status_is_gone_or_broken_and_not_known(status):
    nic = alicloud.interface_from_ecs(ecs_item(status=status))
    assert (nic.phase, nic.known, nic.settling) == (interface.GONE_OR_BROKEN, False, True)


@pytest.mark.parametrize('phase', [interface.AVAILABLE, interface.ATTACHING, interface.ATTACHED, interface.DETACHING])
def test_status_word_round_trips(phase):
    assert alicloud.STATUS_PHASES[alicloud.EniAdapter.status_word(phase)] == phase


def test_unwrap_lists_keeps_single_key_dicts_that_hold_no_list():
    assert alicloud._unwrap_lists({'A': {'B': 1}, 'C': {'D': [{'E': {'F': [1]}}]}, 'G': [{'H': []}]}) == {
        'A': {'B': 1}, 'C': [{'E': [1]}], 'G': [[]]}


# ---------------------------------------------------------------------------------------------------------------------
# EniAdapter over HTTP


@pytest.fixture
def ecs():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def adapter(fake_clock=None):
    dialect = alicloud.EcsDialect(URL, 'testid', SECRET)
    kwargs = dict(clock=fake_clock.monotonic, sleep=fake_clock.sleep) if fake_clock else {}
    return alicloud.EniAdapter(Client(dialect, retry=RetryPolicy(rand=lambda low, high: high), **kwargs), 'cn-hangzhou')


def described(*items, **extra):
    return dict({'RequestId': 'R-d', 'TotalCount': len(items), 'NetworkInterfaceSets': {'NetworkInterfaceSet': list(items)}},
                **extra)


def reply(mock, body, status=200, headers=None):
    mock.add(responses.POST, URL, status=status, json=body, headers=headers or {})


def sent(call):
    query = dict(parse_qsl(urlsplit(call.request.url).query))
    return call.request.headers['x-acs-action'], query


def test_adapter_noun_and_where():
    eni = adapter()
    assert (eni.noun, eni.where, eni.region) == ('ENI', 'in region cn-hangzhou', 'cn-hangzhou')


def test_get_asks_for_one_eni_in_the_region(ecs):
    reply(ecs, described(ecs_item()))
    nic = adapter().get('eni-1')
    assert (nic.id, nic.status, nic.instance_id) == ('eni-1', 'InUse', 'i-target')
    assert sent(ecs.calls[0]) == ('DescribeNetworkInterfaces', {'RegionId': 'cn-hangzhou', 'NetworkInterfaceId.1': 'eni-1'})
    assert ecs.calls[0].request.method == 'POST' and ecs.calls[0].request.body in (None, b'', '')


def test_get_returns_none_for_an_empty_set(ecs):
    reply(ecs, described())
    assert adapter().get('eni-1') is None


def test_get_ignores_other_enis_in_the_answer(ecs):
    reply(ecs, described(ecs_item(eni_id='eni-other')))
    assert adapter().get('eni-1') is None


def test_get_returns_none_when_ecs_says_not_found(ecs):
    reply(ecs, {'Code': 'InvalidEniId.NotFound', 'Message': 'gone', 'RequestId': 'R'}, status=404)
    assert adapter().get('eni-1') is None


def test_get_raises_other_errors(ecs):
    reply(ecs, {'Code': 'Forbidden.SubUser', 'Message': 'no', 'RequestId': 'R'}, status=403)
    with pytest.raises(ApiError) as raised:
        adapter().get('eni-1')
    assert (raised.value.code, raised.value.kind, raised.value.action) == ('Forbidden.SubUser', client.PERMISSION,
                                                                           'DescribeNetworkInterfaces')


@pytest.mark.parametrize('body', [
    {'RequestId': 'R-x'},
    {'RequestId': 'R-x', 'NetworkInterfaceSets': []},
    {'RequestId': 'R-x', 'NetworkInterfaceSets': {'NetworkInterfaceSet': {'NetworkInterfaceId': 'eni-1'}}},
    {'RequestId': 'R-x', 'NetworkInterfaceSets': {}},
])
def test_get_raises_malformed_on_a_wrong_shape(ecs, body):
    reply(ecs, body)
    with pytest.raises(ApiError) as raised:
        adapter().get('eni-1')
    err = raised.value
    assert (err.code, err.kind, err.request_id, err.action) == ('MalformedResponse', client.MALFORMED, 'R-x',
                                                                'DescribeNetworkInterfaces')
    assert 'endpoint' in err.hint


def test_get_is_retried_when_throttled(ecs, fake_clock):
    reply(ecs, {'Code': 'Throttling.User', 'Message': 'slow', 'RequestId': 'R'}, status=400, headers={'x-acs-retry-after': '1200'})
    reply(ecs, described(ecs_item()))
    assert adapter(fake_clock).get('eni-1').status == 'InUse'
    assert (len(ecs.calls), fake_clock.sleeps) == (2, [1.2])


def test_attach_sends_eni_instance_and_region(ecs):
    reply(ecs, {'RequestId': 'R-a'})
    nic = alicloud.interface_from_ecs(ecs_item(status='Available', instance_id=''))
    adapter().attach(nic, 'i-target', {})
    assert sent(ecs.calls[0]) == ('AttachNetworkInterface', {'RegionId': 'cn-hangzhou', 'NetworkInterfaceId': 'eni-1',
                                                             'InstanceId': 'i-target'})


@pytest.mark.parametrize('card', [0, 2])
def test_attach_sends_the_network_card_index_when_given(ecs, card):
    reply(ecs, {'RequestId': 'R-a'})
    nic = alicloud.interface_from_ecs(ecs_item(status='Available', instance_id=''))
    adapter().attach(nic, 'i-target', {'network_card_index': card})
    assert sent(ecs.calls[0])[1]['NetworkCardIndex'] == str(card)


def test_attach_is_a_write_not_retried_on_5xx(ecs):
    reply(ecs, {'Code': 'InternalError', 'Message': 'oops', 'RequestId': 'R'}, status=500)
    nic = alicloud.interface_from_ecs(ecs_item(status='Available', instance_id=''))
    with pytest.raises(ApiError) as raised:
        adapter().attach(nic, 'i-target', {})
    assert (raised.value.outcome_unknown, len(ecs.calls)) == (True, 1)


def test_detach_sends_eni_its_instance_and_region(ecs):
    reply(ecs, {'RequestId': 'R-d'})
    adapter().detach(alicloud.interface_from_ecs(ecs_item(instance_id='i-other')))
    assert sent(ecs.calls[0]) == ('DetachNetworkInterface', {'RegionId': 'cn-hangzhou', 'NetworkInterfaceId': 'eni-1',
                                                             'InstanceId': 'i-other'})


def test_find_follows_next_token(ecs):
    reply(ecs, described(ecs_item(eni_id='eni-1'), NextToken='page-2'))
    reply(ecs, described(ecs_item(eni_id='eni-2')))
    found = list(adapter().find(status='InUse', vpc_id='vpc-1', name=None))
    assert [nic.id for nic in found] == ['eni-1', 'eni-2']
    first, second = sent(ecs.calls[0])[1], sent(ecs.calls[1])[1]
    assert first == {'RegionId': 'cn-hangzhou', 'Status': 'InUse', 'VpcId': 'vpc-1', 'MaxResults': '100'}
    assert second == dict(first, NextToken='page-2')


def test_find_sends_ids_a_hundred_at_a_time(ecs):
    reply(ecs, described())
    ids = ['eni-%03d' % number for number in range(150)]
    assert list(adapter().find(eni_ids=ids)) == []
    assert len(ecs.calls) == 2
    first, second = sent(ecs.calls[0])[1], sent(ecs.calls[1])[1]
    assert (first['NetworkInterfaceId.1'], first['NetworkInterfaceId.100']) == ('eni-000', 'eni-099')
    assert 'NetworkInterfaceId.101' not in first
    assert (second['NetworkInterfaceId.1'], second['NetworkInterfaceId.50']) == ('eni-100', 'eni-149')


def test_no_secret_in_errors_from_ecs(ecs):
    reply(ecs, {'Code': 'SignatureDoesNotMatch', 'Message': 'The request signature does not conform. server string to sign is:POST',
                'RequestId': 'R'}, status=400)
    with pytest.raises(ApiError) as raised:
        adapter().get('eni-1')
    err = raised.value
    assert err.kind == client.AUTH
    assert SECRET not in str(err) + json.dumps(err.as_dict()) + (err.hint or '')


# ---------------------------------------------------------------------------------------------------------------------
# Connection options


def params(**overrides):
    base = {'access_key_id': 'id', 'access_key_secret': 'secret', 'security_token': None, 'region': 'cn-hangzhou',
            'endpoint': None, 'validate_certs': True, 'ca_path': None, 'timeout': 30}
    base.update(overrides)
    return base


def test_good_options_have_no_problems():
    assert alicloud.connection_problems(params()) == []
    assert alicloud.connection_problems(params(endpoint='http://127.0.0.1:8080', region='ap-southeast-1')) == []


@pytest.mark.parametrize('option, envs', [
    ('access_key_id', ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALICLOUD_ACCESS_KEY']),
    ('access_key_secret', ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_SECRET_KEY']),
    ('region', ['ALIBABA_CLOUD_REGION_ID', 'ALICLOUD_REGION']),
])
@pytest.mark.parametrize('empty', [None, ''])
def test_missing_option_names_its_environment_variables(option, envs, empty):
    (problem,) = alicloud.connection_problems(params(**{option: empty}))
    assert problem.startswith('%s is required' % option)
    for env in envs:
        assert env in problem


def test_all_missing_credentials_are_reported_together():
    problems = alicloud.connection_problems(params(access_key_id=None, access_key_secret=None, region=None))
    assert len(problems) == 3


@pytest.mark.parametrize('region', ['CN-HANGZHOU', 'hangzhou', 'cn_hangzhou', 'cn-hangzhou ', 'https://cn-hangzhou'])
def test_bad_region(region):
    (problem,) = alicloud.connection_problems(params(region=region))
    assert 'region %r is not an ECS region id' % region in problem


@pytest.mark.parametrize('endpoint', ['ecs.cn-hangzhou.aliyuncs.com', 'ftp://ecs.test', 'https://', 'not a url'])
def test_bad_endpoint(endpoint):
    (problem,) = alicloud.connection_problems(params(endpoint=endpoint))
    assert 'endpoint %r is not a URL' % endpoint in problem


@pytest.mark.parametrize('endpoint', ['https://proxy.example/ecs', 'http://127.0.0.1:8899/v1/'])
def test_endpoint_with_a_path_is_refused_rather_than_dropped(endpoint):
    (problem,) = alicloud.connection_problems(params(endpoint=endpoint))
    assert 'endpoint %r must be a base URL without a path' % endpoint in problem


@pytest.mark.parametrize('endpoint', ['https://ecs.cn-hangzhou.aliyuncs.com', 'http://127.0.0.1:8899/'])
def test_base_url_endpoints_are_accepted(endpoint):
    assert alicloud.connection_problems(params(endpoint=endpoint)) == []


@pytest.mark.parametrize('timeout', [0, -5])
def test_timeout_must_be_positive(timeout):
    (problem,) = alicloud.connection_problems(params(timeout=timeout))
    assert 'timeout must be a number of seconds greater than 0' in problem


def test_connection_argument_spec_env_fallbacks_and_no_log():
    spec = alicloud.connection_argument_spec()
    assert spec['access_key_secret']['no_log'] is True and spec['security_token']['no_log'] is True
    assert spec['access_key_id']['no_log'] is False
    for option, envs in alicloud.ENV.items():
        assert spec[option]['fallback'][1] == envs
    assert {'validate_certs', 'ca_path', 'timeout'} <= set(spec)


def test_adapter_for_builds_a_client_for_the_default_endpoint():
    eni = alicloud.adapter_for(params(security_token='tok', timeout=9, validate_certs=False))
    assert eni.region == 'cn-hangzhou'
    assert eni.client.dialect.base_url == 'https://ecs.cn-hangzhou.aliyuncs.com/'
    assert (eni.client.timeout, eni.client.verify) == (9, False)
    assert eni.client.dialect.prepare('X', {}).headers['x-acs-security-token'] == 'tok'


def test_adapter_for_uses_the_endpoint_and_ca_path():
    eni = alicloud.adapter_for(params(endpoint='http://127.0.0.1:8080', ca_path='/ca.pem'))
    assert eni.client.dialect.base_url == 'http://127.0.0.1:8080/'
    assert eni.client.verify == '/ca.pem'
