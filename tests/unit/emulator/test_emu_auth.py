# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication through the running emulator: keys, signatures, clock skew, nonces, STS, envelopes."""

from __future__ import annotations

import time

import pytest

from ansible_collections.cloudnet.nic.tests.unit.emulator.emu_clients import ECS_STS, REGION, Ecs, Zec

DESCRIBE = {'RegionId': REGION, 'NetworkInterfaceId.1': 'eni-emu-1'}
ECS_ERROR_KEYS = {'RequestId', 'HostId', 'Code', 'Message', 'Recommend'}


def code_of(result):
    status, body = result
    return status, body.get('Code') or body.get('code')


@pytest.mark.parametrize('scheme, options', [('v3', {}), ('v1', {}), ('v1', {'method': 'GET'}), ('v1', {'form': True})],
                         ids=['v3', 'v1-post-query', 'v1-get', 'v1-form-body'])
def test_ecs_accepts_each_signature_style(emu, scheme, options):
    status, body = Ecs(emu.url, scheme=scheme).call('DescribeNetworkInterfaces', DESCRIBE, **options)
    assert status == 200, body
    assert body['NetworkInterfaceSets']['NetworkInterfaceSet'][0]['NetworkInterfaceId'] == 'eni-emu-1'
    assert emu.calls(cloud='ecs')[-1]['auth'] == scheme


def test_ecs_success_and_error_envelopes(ecs):
    response = ecs.raw('DescribeNetworkInterfaces', DESCRIBE)
    assert response.headers['x-acs-request-id'] == response.json()['RequestId']
    response = ecs.raw('DescribeNetworkInterfaces', {'RegionId': 'xx-nowhere-1'})
    body = response.json()
    assert (response.status_code, set(body)) == (400, ECS_ERROR_KEYS)
    assert body['Code'] == 'InvalidOperation.InvalidRegion'
    assert response.headers['x-acs-request-id'] == body['RequestId']
    assert 'q=InvalidOperation.InvalidRegion' in body['Recommend']


@pytest.mark.parametrize('scheme', ['v3', 'v1'])
def test_ecs_unknown_key_and_wrong_secret(emu, scheme):
    assert code_of(Ecs(emu.url, key=('LTAI5tNOSUCHKEY', 'x'), scheme=scheme).call('DescribeNetworkInterfaces', DESCRIBE)) == (
        404, 'InvalidAccessKeyId.NotFound')
    assert code_of(Ecs(emu.url, scheme=scheme).call('DescribeNetworkInterfaces', DESCRIBE, secret='wrong')) == (400, 'SignatureDoesNotMatch')


@pytest.mark.parametrize('scheme', ['v3', 'v1'])
def test_ecs_request_changed_after_signing(emu, scheme):
    status, body = Ecs(emu.url, scheme=scheme).call('DescribeNetworkInterfaces', DESCRIBE, tamper_query={'RegionId': 'cn-shanghai'})
    assert (status, body['Code']) == (400, 'SignatureDoesNotMatch')


def test_ecs_v3_body_hash_must_match(ecs):
    response = ecs.raw('DescribeNetworkInterfaces', DESCRIBE, body=b'', unsigned_headers={'x-acs-content-sha256': '0' * 64})
    assert (response.status_code, response.json()['Code']) == (400, 'SignatureDoesNotMatch')
    assert 'x-acs-content-sha256' in response.json()['Message']


def test_ecs_v3_incomplete_signature(ecs):
    response = ecs.raw('DescribeNetworkInterfaces', DESCRIBE, unsigned_headers={'Authorization': 'ACS3-HMAC-SHA256 Credential=x'})
    assert (response.status_code, response.json()['Code']) == (400, 'IncompleteSignature')
    response = ecs.raw('DescribeNetworkInterfaces', DESCRIBE, unsigned_headers={'x-acs-extra': 'unsigned'})
    assert (response.status_code, response.json()['Code']) == (400, 'IncompleteSignature')
    assert 'x-acs-extra' in response.json()['Message']


@pytest.mark.parametrize('scheme', ['v3', 'v1'])
def test_ecs_nonce_replay_is_refused(emu, scheme):
    client = Ecs(emu.url, scheme=scheme)
    assert client.call('DescribeNetworkInterfaces', DESCRIBE, nonce='fixed-nonce-1')[0] == 200
    assert code_of(client.call('DescribeNetworkInterfaces', DESCRIBE, nonce='fixed-nonce-1')) == (400, 'SignatureNonceUsed')
    emu.reset()
    assert client.call('DescribeNetworkInterfaces', DESCRIBE, nonce='fixed-nonce-1')[0] == 200


@pytest.mark.parametrize('scheme', ['v3', 'v1'])
def test_ecs_timestamp_window_is_15_minutes(emu, scheme):
    client = Ecs(emu.url, scheme=scheme)
    assert client.call('DescribeNetworkInterfaces', DESCRIBE, when=time.time() - 14 * 60)[0] == 200
    assert code_of(client.call('DescribeNetworkInterfaces', DESCRIBE, when=time.time() - 16 * 60)) == (400, 'InvalidTimeStamp.Expired')
    assert code_of(client.call('DescribeNetworkInterfaces', DESCRIBE, when=time.time() + 16 * 60)) == (400, 'InvalidTimeStamp.Expired')


def test_ecs_server_clock_offset_simulates_skew(emu, ecs):
    emu.settings(clock_offset_seconds=20 * 60)
    assert code_of(ecs.call('DescribeNetworkInterfaces', DESCRIBE)) == (400, 'InvalidTimeStamp.Expired')
    assert ecs.call('DescribeNetworkInterfaces', DESCRIBE, when=time.time() + 20 * 60)[0] == 200


def test_ecs_v1_missing_timestamp_and_bad_format(ecs_v1):
    assert code_of(ecs_v1.call('DescribeNetworkInterfaces', DESCRIBE, drop=['Timestamp'])) == (400, 'MissingParameter')
    status, body = ecs_v1.call('DescribeNetworkInterfaces', DESCRIBE, tamper_query={'Timestamp': 'yesterday'})
    assert (status, body['Code']) == (400, 'InvalidTimeStamp.Format')


@pytest.mark.parametrize('scheme', ['v3', 'v1'])
def test_ecs_sts_token(emu, scheme):
    key = ECS_STS[:2]
    assert Ecs(emu.url, key=key, token=ECS_STS[2], scheme=scheme).call('DescribeNetworkInterfaces', DESCRIBE)[0] == 200
    assert code_of(Ecs(emu.url, key=key, scheme=scheme).call('DescribeNetworkInterfaces', DESCRIBE)) == (400, 'InvalidSecurityToken.Malformed')
    assert code_of(Ecs(emu.url, key=key, token='forged', scheme=scheme).call('DescribeNetworkInterfaces', DESCRIBE)) == (
        400, 'InvalidSecurityToken.Malformed')
    assert code_of(Ecs(emu.url, token=ECS_STS[2], scheme=scheme).call('DescribeNetworkInterfaces', DESCRIBE)) == (
        400, 'InvalidSecurityToken.Malformed')


def test_ecs_sts_token_expiry(emu):
    state = emu.state()
    state['ecs']['sts_credentials'][0]['expiration'] = '2020-01-01T00:00:00Z'
    emu.put_state(state)
    client = Ecs(emu.url, key=ECS_STS[:2], token=ECS_STS[2])
    assert code_of(client.call('DescribeNetworkInterfaces', DESCRIBE)) == (403, 'InvalidSecurityToken.Expired')


def test_ecs_version_and_action(ecs, ecs_v1):
    assert code_of(ecs.call('DescribeNetworkInterfaces', DESCRIBE, version='2016-01-01')) == (400, 'InvalidVersion')
    assert code_of(ecs_v1.call('DescribeNetworkInterfaces', DESCRIBE, version='2016-01-01')) == (400, 'InvalidVersion')
    assert code_of(ecs.call('RebootEverything', {'RegionId': REGION})) == (404, 'InvalidAction.NotFound')


def test_zec_accepts_signed_request_and_envelope(zec, emu):
    status, body = zec.call('DescribeNetworkInterfaces', {'nicIds': ['nic-emu-1']})
    assert status == 200
    assert set(body) == {'requestId', 'response'}
    assert body['response']['requestId'] == body['requestId']
    assert body['response']['dataSet'][0]['nicId'] == 'nic-emu-1'
    assert emu.calls(cloud='zec')[-1]['auth'] == 'zc2'


def test_zec_old_version_accepted_and_unknown_version_refused(zec):
    assert zec.call('DescribeNetworkInterfaces', {}, version='2024-04-01')[0] == 200
    status, body = zec.call('DescribeNetworkInterfaces', {}, version='2019-01-01')
    assert (status, body['code']) == (400, 'INVALID_PARAMETER')
    assert set(body) == {'requestId', 'code', 'message'}


@pytest.mark.parametrize('options, words', [
    ({'password': 'wrong'}, 'signature does not match'),
    ({'when': time.time() - 400}, 'skewed'),
    ({'sent_content_type': 'application/json; charset=utf-8'}, 'signature does not match'),
    ({'sign_host': 'console.zenlayer.com'}, 'signature does not match'),
    ({'extra_headers': {'Authorization': 'Bearer something'}}, 'not a valid'),
    ({'extra_headers': {'X-ZC-Timestamp': 'now'}}, 'Unix time'),
], ids=['password', 'skew', 'content-type-verbatim', 'host-as-received', 'malformed', 'timestamp'])
def test_zec_refusals_are_401_with_a_reason(zec, options, words):
    status, body = zec.call('DescribeNetworkInterfaces', {}, **options)
    assert (status, body['code']) == (401, 'AUTHFAILURE_SIGNATURE_FAILURE')
    assert words in body['message']


def test_zec_unknown_key_and_clock_offset(emu, zec):
    status, body = Zec(emu.url, key=('ZLNOSUCHKEY', 'x')).call('DescribeNetworkInterfaces', {})
    assert (status, body['code']) == (401, 'AUTHFAILURE_SIGNATURE_FAILURE')
    assert 'access key id' in body['message']
    assert zec.call('DescribeNetworkInterfaces', {}, when=time.time() - 250)[0] == 200
    emu.settings(clock_offset_seconds=100)
    assert zec.call('DescribeNetworkInterfaces', {}, when=time.time() - 250)[0] == 401


def test_zec_unknown_action_and_bad_body(zec):
    assert code_of(zec.call('LaunchRocket', {})) == (400, 'UNSUPPORTED_OPERATION')
    assert code_of(zec.call('DescribeNetworkInterfaces', raw_body='[1, 2]')) == (400, 'INVALID_PARAMETER')
