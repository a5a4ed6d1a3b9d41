# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real ``zenlayer_vnic_attachment`` module, run through ``main()`` with the ZEC API mocked at the HTTP boundary.

Each test scripts the API's answers per action, runs the module, reads the JSON it prints, and checks which calls
it made. Every run's whole output is searched for the access key password.
"""

from __future__ import annotations

import json

import pytest
import responses

from ansible_collections.cloudnet.nic.plugins.module_utils import client, zenlayer
from ansible_collections.cloudnet.nic.plugins.modules import zenlayer_vnic_attachment
from ansible_collections.cloudnet.nic.tests.unit.plugins.modules import decision_table
from ansible_collections.cloudnet.nic.tests.unit.plugins.modules.fake_zec import KEY_ID, PASSWORD, TARGET, ScriptedZec, refused

NIC = '1475945014486896967'
OTHER = '1478001766933994055'
ACCEPTED = {'requestId': 'T-ok', 'response': {'requestId': 'T-ok'}}


def vnic(status, instance_id=None, nic_type='Secondary'):
    info = {'nicId': NIC, 'name': 'web', 'status': status, 'nicType': nic_type, 'regionId': 'asia-east-1', 'instanceId': instance_id,
            'primaryIpv4': '10.0.0.12', 'privateIpList': ['10.0.0.12'], 'publicIpList': [], 'macAddress': 'fa:16:3e:00:00:01'}
    return 200, {'requestId': 'T-d', 'response': {'requestId': 'T-d', 'totalCount': 1, 'dataSet': [info]}}


NOT_THERE = (200, {'requestId': 'T-d', 'response': {'requestId': 'T-d', 'totalCount': 0, 'dataSet': []}})


def instance(status='RUNNING', region='asia-east-1'):
    """A DescribeInstances answer for the target instance (its region shows only through its vNICs')."""
    info = {'instanceId': TARGET, 'status': status, 'zoneId': region + 'a',
            'nics': [{'nicId': 'primary', 'nicType': 'Primary', 'regionId': region}]}
    return 200, {'requestId': 'T-i', 'response': {'requestId': 'T-i', 'totalCount': 1, 'dataSet': [info]}}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, instant_waits):
    for name in ('ZENLAYERCLOUD_ACCESS_KEY_ID', 'ZENLAYERCLOUD_ACCESS_KEY_PASSWORD', 'ZENLAYERCLOUD_ENDPOINT'):
        monkeypatch.delenv(name, raising=False)
    return instant_waits


@pytest.fixture
def zec():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield ScriptedZec(mock)


@pytest.fixture
def run(run_module):
    """Run the module with ``args`` (credentials added unless given); returns its result with ``rc`` and ``stderr``."""

    def run_it(check_mode=False, diff=False, credentials=True, **args):
        if credentials:
            args = dict({'access_key_id': KEY_ID, 'access_key_password': PASSWORD}, **args)
        result = run_module(zenlayer_vnic_attachment.main, args, check_mode=check_mode, diff=diff)
        assert PASSWORD not in result['stdout'] + result['stderr']
        reported = dict((key, value) for key, value in result.items() if key not in ('invocation', 'stdout'))
        assert '********' not in json.dumps(reported) + result['stderr']
        return result

    return run_it


def present(**extra):
    return dict(nic_id=NIC, instance_id=TARGET, **extra)


def test_attach_changes_and_waits_for_used(zec, run):
    zec.on('DescribeNetworkInterfaces', vnic('AVAILABLE'), vnic('USED', TARGET)).on('AttachNetworkInterface', (200, ACCEPTED))
    result = run(**present())
    assert (result['rc'], result['changed']) == (0, True)
    assert (result['network_interface']['status'], result['network_interface']['instance_id']) == ('USED', TARGET)
    assert result['network_interface']['id'] == NIC and result['network_interface']['primary_ipv4'] == '10.0.0.12'
    assert zec.actions == ['DescribeNetworkInterfaces', 'AttachNetworkInterface', 'DescribeNetworkInterfaces']
    assert zec.calls[1][1] == {'nicId': NIC, 'instanceId': TARGET}


def test_converged_task_makes_exactly_one_call(zec, run):
    zec.on('DescribeNetworkInterfaces', vnic('USED', TARGET))
    result = run(**present())
    assert (result['rc'], result['changed'], result['network_interface']['status']) == (0, False, 'USED')
    assert zec.calls == [('DescribeNetworkInterfaces', {'nicIds': [NIC]})]


def test_check_mode_predicts_without_mutating(zec, run):
    zec.on('DescribeNetworkInterfaces', vnic('AVAILABLE')).on('DescribeInstances', instance())
    result = run(check_mode=True, **present())
    assert (result['rc'], result['changed']) == (0, True)
    assert (result['network_interface']['status'], result['network_interface']['instance_id']) == ('USED', TARGET)
    assert zec.actions == ['DescribeNetworkInterfaces', 'DescribeInstances']
    assert zec.calls[1][1] == {'instanceIds': [TARGET], 'pageSize': 100, 'pageNum': 1}


@pytest.mark.parametrize('answer, code', [
    ((200, {'requestId': 'T-i', 'response': {'requestId': 'T-i', 'totalCount': 0, 'dataSet': []}}), 'INVALID_INSTANCE_NOT_FOUND'),
    (instance(status='BOOTING'), None),
    (instance(status='STOPPED'), 'OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT'),
    (instance(region='asia-southeast-1'), 'INVALID_NIC_INSTANCE_REGION_MISMATCH'),
], ids=['missing', 'booting-waits', 'stopped', 'other-region'])
def test_check_mode_predicts_the_refusal_a_real_run_would_get(zec, run, answer, code):
    zec.on('DescribeNetworkInterfaces', vnic('AVAILABLE')).on('DescribeInstances', answer)
    result = run(check_mode=True, **present())
    assert zec.actions == ['DescribeNetworkInterfaces', 'DescribeInstances']
    if code is None:
        assert (result['rc'], result['changed']) == (0, True)
        return
    assert (result['rc'], result['changed'], result['error']['code']) == (1, False, code)
    assert result['msg'].startswith('AttachNetworkInterface failed for vNIC %s: predicted in check mode: ' % NIC)
    assert result['msg'].endswith(zenlayer.ERRORS.entries[code][1])


def test_diff_shows_the_attachment_before_and_after(zec, run):
    zec.on('DescribeNetworkInterfaces', vnic('AVAILABLE'), vnic('USED', TARGET)).on('AttachNetworkInterface', (200, ACCEPTED))
    result = run(diff=True, **present())
    assert result['diff'] == {'before': {'instance_id': None, 'status': 'AVAILABLE'}, 'after': {'instance_id': TARGET, 'status': 'USED'}}


def test_absent_detaches_and_waits_for_available(zec, run):
    zec.on('DescribeNetworkInterfaces', vnic('USED', TARGET), vnic('AVAILABLE')).on('DetachNetworkInterface', (200, ACCEPTED))
    result = run(nic_id=NIC, state='absent', diff=True)
    assert (result['rc'], result['changed']) == (0, True)
    assert (result['network_interface']['status'], result['network_interface']['instance_id']) == ('AVAILABLE', None)
    assert result['diff']['before'] == {'instance_id': TARGET, 'status': 'USED'}
    assert zec.calls[1] == ('DetachNetworkInterface', {'nicId': NIC})


def test_absent_for_a_missing_vnic_is_unchanged(zec, run):
    zec.on('DescribeNetworkInterfaces', NOT_THERE)
    result = run(nic_id=NIC, state='absent')
    assert (result['rc'], result['changed'], result['network_interface']) == (0, False, {})
    assert zec.actions == ['DescribeNetworkInterfaces']


def test_present_for_a_missing_vnic_fails_not_found(zec, run):
    zec.on('DescribeNetworkInterfaces', NOT_THERE)
    result = run(**present())
    assert result['failed'] and result['error']['code'] == 'NotFound'
    assert 'vNIC %s was not found in this Zenlayer account' % NIC in result['msg']


def test_attached_elsewhere_without_force_fails_naming_the_instance(zec, run):
    zec.on('DescribeNetworkInterfaces', vnic('USED', OTHER))
    result = run(**present())
    assert (result['rc'], result['changed'], result['error']['code']) == (1, False, 'AttachedElsewhere')
    assert OTHER in result['msg'] and 'force=true' in result['msg']
    assert zec.actions == ['DescribeNetworkInterfaces']


def test_force_moves_the_vnic(zec, run):
    zec.on('DescribeNetworkInterfaces', vnic('USED', OTHER), vnic('AVAILABLE'), vnic('USED', TARGET))
    zec.on('DetachNetworkInterface', (200, ACCEPTED)).on('AttachNetworkInterface', (200, ACCEPTED))
    result = run(force=True, **present())
    assert (result['rc'], result['changed'], result['network_interface']['instance_id']) == (0, True, TARGET)
    assert zec.actions == ['DescribeNetworkInterfaces', 'DetachNetworkInterface', 'DescribeNetworkInterfaces',
                           'AttachNetworkInterface', 'DescribeNetworkInterfaces']


def test_primary_vnic_is_never_detached(zec, run):
    zec.on('DescribeNetworkInterfaces', vnic('USED', TARGET, nic_type='Primary'))
    result = run(nic_id=NIC, state='absent')
    assert (result['rc'], result['error']['code']) == (1, 'PrimaryInterface')
    assert zec.actions == ['DescribeNetworkInterfaces']


def test_refused_attach_fails_with_the_code_and_hint(zec, run):
    zec.on('DescribeNetworkInterfaces', vnic('AVAILABLE')).on('AttachNetworkInterface', refused(400, 'INVALID_INSTANCE_NIC_LIMIT'))
    result = run(**present())
    assert (result['rc'], result['changed']) == (1, False)
    assert (result['error']['code'], result['error']['kind'], result['error']['action']) == (
        'INVALID_INSTANCE_NIC_LIMIT', 'quota', 'AttachNetworkInterface')
    assert 'INVALID_INSTANCE_NIC_LIMIT' in result['msg'] and 'detach another vNIC' in result['msg']


def test_attach_refused_because_someone_attached_it_meanwhile_converges(zec, run):
    zec.on('DescribeNetworkInterfaces', vnic('AVAILABLE'), vnic('USED', TARGET))
    zec.on('AttachNetworkInterface', refused(400, 'INVALID_NIC_ATTACHED'))
    result = run(**present())
    assert (result['rc'], result['changed'], result['network_interface']['status']) == (0, False, 'USED')


def test_cloudflare_challenge_fails_with_an_actionable_message(zec, run):
    zec.on('DescribeNetworkInterfaces', (403, '<html>Just a moment...</html>', {'cf-mitigated': 'challenge', 'Content-Type': 'text/html'}))
    result = run(**present())
    assert (result['rc'], result['error']['code'], result['error']['kind']) == (1, 'SECURITY_CHALLENGE', 'permission')
    assert 'Cloudflare' in result['msg']


def test_wrong_credentials_never_show_the_password(zec, run):
    zec.on('DescribeNetworkInterfaces', refused(401, 'AUTHFAILURE_SIGNATURE_FAILURE', 'The signature does not match.'))
    result = run(**present())
    assert (result['rc'], result['error']['kind']) == (1, 'auth')
    assert 'ZENLAYERCLOUD_ACCESS_KEY_PASSWORD' in result['msg']


def test_credentials_and_endpoint_come_from_the_environment(zec, run, monkeypatch):
    monkeypatch.setenv('ZENLAYERCLOUD_ACCESS_KEY_ID', KEY_ID)
    monkeypatch.setenv('ZENLAYERCLOUD_ACCESS_KEY_PASSWORD', PASSWORD)
    monkeypatch.setenv('ZENLAYERCLOUD_ENDPOINT', 'https://console.zenlayer.com')
    zec.on('DescribeNetworkInterfaces', vnic('USED', TARGET))
    result = run(credentials=False, **present())
    assert (result['rc'], result['changed']) == (0, False)


def test_validate_certs_false_warns(zec, run):
    zec.on('DescribeNetworkInterfaces', vnic('USED', TARGET))
    result = run(validate_certs=False, **present())
    assert result['warning_texts'] == ['validate_certs is false: the TLS certificate of the ZEC endpoint is not verified.']


@pytest.mark.parametrize('args, expected', [
    (dict(nic_id='   ', instance_id=TARGET), 'nic_id must not be empty or blank'),
    (dict(nic_id=NIC, instance_id='ins 1'), "instance_id 'ins 1' contains characters"),
    (dict(nic_id='eni-bp17pdijfczax1huji4b', instance_id=TARGET), 'looks like an Alibaba Cloud id'),
    (present(wait_timeout=0), 'wait_timeout must be a number of seconds greater than 0'),
    (present(timeout=-1), 'timeout must be a number of seconds greater than 0'),
    (present(endpoint='console.zenlayer.com'), "endpoint 'console.zenlayer.com' is not a URL"),
    (present(endpoint='https://console.zenlayer.com/api/v2/zec'), 'must be the base URL without /api/v2/zec'),
    (present(access_key_password=''), 'access_key_password is required: set the access_key_password option or one of the '
                                      'environment variables ZENLAYERCLOUD_ACCESS_KEY_PASSWORD'),
])
def test_bad_input_fails_before_any_api_call(zec, run, args, expected):
    result = run(**args)
    assert result['rc'] == 1 and expected in result['msg']
    assert zec.calls == []


def test_missing_credentials_name_the_environment_variables(zec, run):
    result = run(credentials=False, **present())
    assert 'ZENLAYERCLOUD_ACCESS_KEY_ID' in result['msg'] and 'ZENLAYERCLOUD_ACCESS_KEY_PASSWORD' in result['msg']
    assert zec.calls == []


def test_present_requires_an_instance(zec, run):
    result = run(nic_id=NIC)
    assert result['rc'] == 1 and 'instance_id' in result['msg']
    assert zec.calls == []


def test_vnic_id_is_an_alias(zec, run):
    zec.on('DescribeNetworkInterfaces', vnic('USED', TARGET))
    assert run(vnic_id=NIC, instance_id=TARGET)['network_interface']['id'] == NIC


# ---------------------------------------------------------------------------------------------------------------------
# Every code of the error table, through the module: the code, its kind, a message naming the cause and what to do

DETACH_CODES = ('INVALID_NIC_PRIMARY_CANT_DETACH', 'OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE', 'INVALID_NIC_LB_ASSOCIATED')
READ_KINDS = (client.AUTH, client.THROTTLED, client.TRANSIENT)
EDGE_REPLIES = {
    'SECURITY_CHALLENGE': (403, '<html>Just a moment...</html>', {'cf-mitigated': 'challenge', 'Content-Type': 'text/html'}),
    'REQUEST_BLOCKED': (451, '<html>Unavailable For Legal Reasons</html>', {'Content-Type': 'text/html'}),
}
TABLE = sorted(zenlayer.ERRORS.entries.items())


def _reply_for(code, kind):
    if code in EDGE_REPLIES:
        return EDGE_REPLIES[code]
    status = {client.THROTTLED: 429, client.TRANSIENT: 503, client.AUTH: 401, client.PERMISSION: 403, client.NOT_FOUND: 404}.get(kind, 400)
    if kind == client.THROTTLED:
        return refused(status, code, 'ZEC says %s' % code) + ({'Retry-After': '0'},)  # every attempt fits: the count is exact
    return refused(status, code, 'ZEC says %s' % code)


@pytest.mark.parametrize('code, kind, hint', [(code, kind, hint) for code, (kind, hint) in TABLE], ids=[code for code, _entry in TABLE])
def test_every_mapped_error_code_fails_with_its_code_kind_and_hint(zec, run, code, kind, hint):
    error = _reply_for(code, kind)
    zec.on('DescribeInstances', instance())  # for the refusals that make the module look at the instance
    if kind in READ_KINDS or code in EDGE_REPLIES:
        # Credentials, throttling, outages and the network edge surface on the first call: the read.
        zec.on('DescribeNetworkInterfaces', error)
        result = run(**present())
        action = 'DescribeNetworkInterfaces'
    elif code in DETACH_CODES:
        zec.on('DescribeNetworkInterfaces', vnic('USED', TARGET)).on('DetachNetworkInterface', error)
        result = run(nic_id=NIC, state='absent')
        action = 'DetachNetworkInterface'
    else:
        zec.on('DescribeNetworkInterfaces', vnic('AVAILABLE')).on('AttachNetworkInterface', error)
        result = run(**present())
        action = 'AttachNetworkInterface'
    assert (result['rc'], result['failed'], result['changed']) == (1, True, False)
    assert (result['error']['code'], result['error']['kind'], result['error']['action']) == (code, kind, action)
    assert result['msg'].startswith('%s failed for vNIC %s: ' % (action, NIC))
    assert '(%s' % code in result['msg'] and result['msg'].endswith(hint)
    attempts = {client.THROTTLED: client.RetryPolicy().throttled_attempts, client.TRANSIENT: client.RetryPolicy().max_attempts}
    if kind in (client.BUSY, client.INVALID_STATE, client.INSTANCE_STATE):
        # Still moving, or the read may lag (an instance refused for its state yet reading RUNNING): retried with backoff
        # (within wait_timeout, or the read-lag grace) first.
        assert zec.actions.count(action) > 2
    else:
        assert zec.actions.count(action) == attempts.get(kind, 1)
    assert (zec.actions.count('DescribeInstances') > 2) == (kind == client.INSTANCE_STATE)
    mutations = [name for name in zec.actions if name not in ('DescribeNetworkInterfaces', 'DescribeInstances')]
    assert set(mutations) == (set() if kind in READ_KINDS or code in EDGE_REPLIES else {action})


def test_an_unmapped_code_keeps_the_cloud_message_and_a_kind_from_the_http_status(zec, run):
    zec.on('DescribeNetworkInterfaces', vnic('AVAILABLE')).on('AttachNetworkInterface', refused(409, 'BRAND_NEW_CODE', 'New reason.'))
    result = run(**present())
    assert (result['rc'], result['changed'], result['error']['code'], result['error']['kind']) == (1, False, 'BRAND_NEW_CODE', 'conflict')
    assert result['msg'] == 'AttachNetworkInterface failed for vNIC %s: New reason (BRAND_NEW_CODE, request T-err).' % NIC


# ---------------------------------------------------------------------------------------------------------------------
# The reconciler's decision table, row by row, through the module (and again in check mode)

ZEC_WORDS = {'available': 'AVAILABLE', 'attaching': 'ATTACHING', 'attached': 'USED', 'detaching': 'DETACHING',
             'deleting': 'DELETING', 'unknown': 'MARTIAN'}
INSTANCES = {'target': TARGET, 'other': OTHER}
VERBS = {'AttachNetworkInterface': 'attach', 'DetachNetworkInterface': 'detach'}


def zec_read(read):
    state, instance, primary = decision_table.parse_read(read)
    if state == 'missing':
        return NOT_THERE
    return vnic(ZEC_WORDS[state], INSTANCES.get(instance), nic_type='Primary' if primary else 'Secondary')


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
@pytest.mark.parametrize('row', decision_table.ROWS, ids=[row.name for row in decision_table.ROWS])
def test_decision_table(zec, run, row, check_mode):
    zec.on('DescribeNetworkInterfaces', *[zec_read(read) for read in row.reads])
    zec.on('AttachNetworkInterface', (200, ACCEPTED)).on('DetachNetworkInterface', (200, ACCEPTED)).on('DescribeInstances', instance())
    result = run(check_mode=check_mode, **decision_table.task_args(row, 'nic_id', NIC, TARGET))
    mutations = [VERBS[action] for action in zec.actions if action in VERBS]
    decision_table.check_outcome(row, result, mutations, ZEC_WORDS, INSTANCES, check_mode)
    if check_mode:  # one read, and one of the target instance where an attach is predicted
        assert zec.actions == ['DescribeNetworkInterfaces'] + ['DescribeInstances'] * ('attach' in row.calls)
