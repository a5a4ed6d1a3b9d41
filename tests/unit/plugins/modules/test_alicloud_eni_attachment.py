# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real ``alicloud_eni_attachment`` module, run through ``main()`` with ECS mocked at the HTTP boundary.

A small ECS stand-in (``responses`` callback) checks every request's ACS3 signature with the reference notes' own signer
and the test's secret, answering ``SignatureDoesNotMatch`` as ECS does when it differs; otherwise it answers each action
from its own queue of scripted replies. Time is a fake clock (``instant_waits``): no test really sleeps. Every run's
whole output is searched for the secret and for Ansible's no_log mask (a masked secret is still a leak).
"""

from __future__ import annotations

import json
import re

import pytest
import responses

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.cloudnet.nic.plugins.module_utils import alicloud, client
from ansible_collections.cloudnet.nic.plugins.modules import alicloud_eni_attachment
from ansible_collections.cloudnet.nic.tests.unit.plugins.modules import decision_table
from ansible_collections.cloudnet.nic.tests.unit.plugins.modules.fake_ecs import ENDPOINT, ENI, KEY_ID, SECRET, TARGET, TOKEN, FakeEcs, refused

OTHER = 'i-bp1g6zv0ce8oghu7k9xx'
ACCEPTED = (200, {'RequestId': 'R-ok'})
ENV_NAMES = ('ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALICLOUD_ACCESS_KEY', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_SECRET_KEY',
             'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_SECURITY_TOKEN', 'ALIBABA_CLOUD_REGION_ID', 'ALICLOUD_REGION',
             'ALIBABA_CLOUD_ENDPOINT_ECS')


def eni(status, instance_id=None, eni_type='Secondary', card=None):
    item = {'NetworkInterfaceId': ENI, 'Status': status, 'Type': eni_type, 'InstanceId': instance_id or '',
            'VpcId': 'vpc-1', 'VSwitchId': 'vsw-1', 'ZoneId': 'cn-hangzhou-i', 'MacAddress': '00:16:3e:12:34:56',
            'PrivateIpAddress': '172.16.0.12', 'SecurityGroupIds': {'SecurityGroupId': ['sg-1']},
            'Attachment': {'InstanceId': instance_id, 'NetworkCardIndex': card} if instance_id else {}}
    return 200, {'RequestId': 'R-d', 'TotalCount': 1, 'NetworkInterfaceSets': {'NetworkInterfaceSet': [item]}}


NOT_THERE = (200, {'RequestId': 'R-d', 'TotalCount': 0, 'NetworkInterfaceSets': {'NetworkInterfaceSet': []}})


def instance(status='Running', zone='cn-hangzhou-i', vpc='vpc-1', instance_type=None, enis=1):
    """A DescribeInstances answer for the target instance."""
    item = {'InstanceId': TARGET, 'Status': status, 'ZoneId': zone, 'VpcAttributes': {'VpcId': vpc},
            'NetworkInterfaces': {'NetworkInterface': [{'NetworkInterfaceId': 'eni-%d' % number} for number in range(enis)]}}
    if instance_type:
        item['InstanceType'] = instance_type
    return 200, {'RequestId': 'R-i', 'Instances': {'Instance': [item]}}


def instance_type(name, eni_quantity):
    return 200, {'RequestId': 'R-t', 'InstanceTypes': {'InstanceType': [{'InstanceTypeId': name, 'EniQuantity': eni_quantity}]}}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, instant_waits):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    return instant_waits


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def ecs(http):
    return FakeEcs(http)


@pytest.fixture
def run(run_module):
    def run_it(check_mode=False, diff=False, credentials=True, **args):
        if credentials:
            args = dict({'access_key_id': KEY_ID, 'access_key_secret': SECRET, 'region': 'cn-hangzhou'}, **args)
        result = run_module(alicloud_eni_attachment.main, args, check_mode=check_mode, diff=diff)
        whole = result['stdout'] + result['stderr']
        for secret in (SECRET, TOKEN):
            assert secret not in whole
        # Ansible masks no_log values it finds in the output: a mask outside the echoed arguments is a leak too.
        reported = dict((key, value) for key, value in result.items() if key not in ('invocation', 'stdout'))
        assert '********' not in json.dumps(reported) + result['stderr']
        return result
    return run_it


def present(**extra):
    return dict(eni_id=ENI, instance_id=TARGET, **extra)


# ---------------------------------------------------------------------------------------------------------------------
# The main paths


def test_attach_changes_and_waits_for_in_use(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('Available'), eni('Attaching', TARGET), eni('InUse', TARGET))
    ecs.on('AttachNetworkInterface', ACCEPTED)
    result = run(**present())
    assert (result['rc'], result['changed']) == (0, True)
    nic = result['network_interface']
    assert (nic['id'], nic['status'], nic['instance_id']) == (ENI, 'InUse', TARGET)
    assert (nic['vpc_id'], nic['security_group_ids'], nic['type']) == ('vpc-1', ['sg-1'], 'Secondary')
    assert ecs.actions == ['DescribeNetworkInterfaces', 'AttachNetworkInterface', 'DescribeNetworkInterfaces',
                           'DescribeNetworkInterfaces']
    assert ecs.calls[0][1] == {'RegionId': 'cn-hangzhou', 'NetworkInterfaceId.1': ENI}
    assert ecs.calls[1][1] == {'RegionId': 'cn-hangzhou', 'NetworkInterfaceId': ENI, 'InstanceId': TARGET}
    assert 'diff' not in result


def test_converged_task_makes_exactly_one_call(ecs, http, run):
    ecs.on('DescribeNetworkInterfaces', eni('InUse', TARGET))
    result = run(**present())
    assert (result['rc'], result['changed'], result['network_interface']['status']) == (0, False, 'InUse')
    assert len(http.calls) == 1
    assert ecs.actions == ['DescribeNetworkInterfaces']


def test_check_mode_predicts_without_mutating(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('Available')).on('DescribeInstances', instance())
    result = run(check_mode=True, **present())
    assert (result['rc'], result['changed']) == (0, True)
    assert (result['network_interface']['status'], result['network_interface']['instance_id']) == ('InUse', TARGET)
    assert ecs.actions == ['DescribeNetworkInterfaces', 'DescribeInstances']
    assert ecs.calls[1][1]['InstanceIds'] == '["%s"]' % TARGET


@pytest.mark.parametrize('answer, code', [
    ((200, {'RequestId': 'R-i', 'Instances': {'Instance': []}}), 'InvalidEcsId.NotFound'),
    (instance(status='Stopping'), None),
    (instance(status='Expired'), 'InvalidOperation.InvalidEcsState'),
    (instance(zone='cn-hangzhou-h'), 'InvalidOperation.AvailabilityZoneMismatch'),
    (instance(vpc='vpc-2'), 'InvalidOperation.VpcMismatch'),
], ids=['missing', 'stopping-waits', 'refusing-status', 'other-zone', 'other-vpc'])
def test_check_mode_predicts_the_refusal_a_real_run_would_get(ecs, run, answer, code):
    ecs.on('DescribeNetworkInterfaces', eni('Available')).on('DescribeInstances', answer)
    result = run(check_mode=True, **present())
    assert ecs.actions == ['DescribeNetworkInterfaces', 'DescribeInstances']
    if code is None:
        assert (result['rc'], result['changed']) == (0, True)
        return
    assert (result['rc'], result['changed'], result['error']['code']) == (1, False, code)
    assert result['error']['action'] == 'AttachNetworkInterface'
    assert result['msg'].startswith('AttachNetworkInterface failed for ENI %s: predicted in check mode: ' % ENI)
    assert result['msg'].endswith(alicloud.ERRORS.entries[code][1])


def test_check_mode_on_a_converged_eni_is_unchanged(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('InUse', TARGET))
    result = run(check_mode=True, diff=True, **present())
    assert (result['rc'], result['changed']) == (0, False)
    assert result['diff']['before'] == result['diff']['after'] == {'instance_id': TARGET, 'status': 'InUse'}
    assert ecs.actions == ['DescribeNetworkInterfaces']


@pytest.mark.parametrize('enis, code', [(1, None), (2, 'EniPerInstanceLimitExceeded')])
def test_check_mode_reads_the_eni_limit_of_the_instance_type(ecs, run, enis, code):
    ecs.on('DescribeNetworkInterfaces', eni('Available')).on('DescribeInstances', instance(instance_type='ecs.g6.large', enis=enis))
    ecs.on('DescribeInstanceTypes', instance_type('ecs.g6.large', 2))
    result = run(check_mode=True, **present())
    assert ecs.actions == ['DescribeNetworkInterfaces', 'DescribeInstances', 'DescribeInstanceTypes']
    assert ecs.calls[2][1] == {'InstanceTypes.1': 'ecs.g6.large'}
    assert (result['changed'], (result.get('error') or {}).get('code')) == (code is None, code)


def test_check_mode_force_move_is_predicted_without_mutating(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('InUse', OTHER)).on('DescribeInstances', instance())
    result = run(check_mode=True, force=True, **present())
    assert (result['rc'], result['changed'], result['network_interface']['instance_id']) == (0, True, TARGET)
    assert 'attachment' not in result['network_interface']  # the old attachment is not predicted to stay
    assert ecs.actions == ['DescribeNetworkInterfaces', 'DescribeInstances']


def test_diff_shows_the_attachment_before_and_after(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('Available'), eni('InUse', TARGET)).on('AttachNetworkInterface', ACCEPTED)
    result = run(diff=True, **present())
    assert result['diff'] == {'before': {'instance_id': None, 'status': 'Available'},
                              'after': {'instance_id': TARGET, 'status': 'InUse'}}


def test_absent_detaches_and_waits_for_available(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('InUse', OTHER), eni('Detaching', OTHER), eni('Available'))
    ecs.on('DetachNetworkInterface', ACCEPTED)
    result = run(eni_id=ENI, state='absent', diff=True)
    assert (result['rc'], result['changed']) == (0, True)
    assert (result['network_interface']['status'], result['network_interface']['instance_id']) == ('Available', None)
    assert result['diff'] == {'before': {'instance_id': OTHER, 'status': 'InUse'}, 'after': {'instance_id': None, 'status': 'Available'}}
    assert ecs.calls[1][:2] == ('DetachNetworkInterface', {'RegionId': 'cn-hangzhou', 'NetworkInterfaceId': ENI, 'InstanceId': OTHER})


def test_absent_for_a_missing_eni_is_unchanged(ecs, run):
    ecs.on('DescribeNetworkInterfaces', NOT_THERE)
    result = run(eni_id=ENI, state='absent')
    assert (result['rc'], result['changed'], result['network_interface']) == (0, False, {})
    assert ecs.actions == ['DescribeNetworkInterfaces']


def test_absent_with_another_instance_leaves_the_eni_alone(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('InUse', OTHER))
    result = run(eni_id=ENI, instance_id=TARGET, state='absent')
    assert (result['rc'], result['changed'], result['network_interface']['instance_id']) == (0, False, OTHER)
    assert ecs.actions == ['DescribeNetworkInterfaces']


def test_alias_and_network_card_index_are_passed(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('Available'), eni('InUse', TARGET, card=0)).on('AttachNetworkInterface', ACCEPTED)
    result = run(network_interface_id=ENI, instance_id=TARGET, network_card_index=0)
    assert (result['rc'], result['changed'], result['network_interface']['network_card_index']) == (0, True, 0)
    assert ecs.calls[1][1]['NetworkCardIndex'] == '0'


def test_present_for_a_missing_eni_fails_not_found(ecs, run):
    ecs.on('DescribeNetworkInterfaces', NOT_THERE)
    result = run(**present())
    assert (result['rc'], result['failed'], result['error']['code'], result['error']['kind']) == (1, True, 'NotFound', 'not_found')
    assert result['msg'] == 'ENI %s was not found in region cn-hangzhou.' % ENI


def test_attached_elsewhere_without_force_fails_naming_the_instance(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('InUse', OTHER))
    result = run(**present())
    assert (result['rc'], result['changed'], result['error']['code']) == (1, False, 'AttachedElsewhere')
    assert OTHER in result['msg'] and 'force=true' in result['msg']
    assert result['network_interface']['instance_id'] == OTHER
    assert ecs.actions == ['DescribeNetworkInterfaces']


def test_force_moves_the_eni(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('InUse', OTHER), eni('Available'), eni('InUse', TARGET))
    ecs.on('DetachNetworkInterface', ACCEPTED).on('AttachNetworkInterface', ACCEPTED)
    result = run(force=True, **present())
    assert (result['rc'], result['changed'], result['network_interface']['instance_id']) == (0, True, TARGET)
    assert ecs.actions == ['DescribeNetworkInterfaces', 'DetachNetworkInterface', 'DescribeNetworkInterfaces',
                           'AttachNetworkInterface', 'DescribeNetworkInterfaces']


def test_primary_eni_is_never_detached(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('InUse', TARGET, eni_type='Primary'))
    result = run(eni_id=ENI, state='absent')
    assert (result['rc'], result['error']['code']) == (1, 'PrimaryInterface')
    assert ecs.actions == ['DescribeNetworkInterfaces']


# ---------------------------------------------------------------------------------------------------------------------
# API failures, races, retries, waits


def test_refused_attach_fails_with_the_ecs_error(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('Available')).on('AttachNetworkInterface', refused(403, 'EniPerInstanceLimitExceeded'))
    result = run(**present())
    assert (result['rc'], result['changed']) == (1, False)
    assert result['error'] == {'code': 'EniPerInstanceLimitExceeded', 'message': 'refused', 'http_status': 403,
                               'request_id': 'R-err', 'action': 'AttachNetworkInterface', 'kind': 'quota'}
    assert result['msg'].startswith('AttachNetworkInterface failed for ENI %s: refused (EniPerInstanceLimitExceeded, request R-err).'
                                    % ENI)
    assert 'larger instance type' in result['msg']
    assert result['network_interface']['status'] == 'Available'


def test_attach_refused_because_someone_attached_it_meanwhile_converges(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('Available'), eni('InUse', TARGET))
    ecs.on('AttachNetworkInterface', refused(400, 'InvalidOperation.InvalidEniState'))
    result = run(**present())
    assert (result['rc'], result['changed'], result['network_interface']['status']) == (0, False, 'InUse')


def test_attach_with_a_5xx_is_not_resent_and_the_reread_decides(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('Available'), eni('InUse', TARGET))
    ecs.on('AttachNetworkInterface', refused(500, 'InternalError'))
    result = run(**present())
    assert (result['rc'], result['changed']) == (0, True)
    assert ecs.actions.count('AttachNetworkInterface') == 1


def test_throttled_describe_is_retried_after_the_advised_pause(ecs, run, clean_environment):
    ecs.on('DescribeNetworkInterfaces', refused(400, 'Throttling.User') + ({'x-acs-retry-after': '1500'},), eni('InUse', TARGET))
    result = run(**present())
    assert (result['rc'], result['changed']) == (0, False)
    assert ecs.actions == ['DescribeNetworkInterfaces'] * 2
    assert clean_environment.sleeps == [1.5]


def test_wait_timeout_fails_and_reports_the_change_made(ecs, run, clean_environment):
    ecs.on('DescribeNetworkInterfaces', eni('Available'), eni('Attaching', TARGET)).on('AttachNetworkInterface', ACCEPTED)
    result = run(wait_timeout=5, **present())
    assert (result['rc'], result['changed'], result['error']['code'], result['error']['kind']) == (1, True, 'WaitTimeout', 'timeout')
    assert result['network_interface']['status'] == 'Attaching'
    assert clean_environment.elapsed == 5


def test_no_wait_returns_attaching(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('Available')).on('AttachNetworkInterface', ACCEPTED)
    result = run(wait=False, **present())
    assert (result['rc'], result['changed'], result['network_interface']['status']) == (0, True, 'Attaching')
    assert ecs.actions == ['DescribeNetworkInterfaces', 'AttachNetworkInterface']


# ---------------------------------------------------------------------------------------------------------------------
# Credentials, TLS and bad input


def test_wrong_secret_fails_with_signature_does_not_match(http, run):
    FakeEcs(http, secret='the-secret-ecs-knows')
    result = run(**present())
    assert (result['rc'], result['changed']) == (1, False)
    assert result['error']['code'] == 'SignatureDoesNotMatch'
    assert (result['error']['http_status'], result['error']['kind'], result['error']['request_id']) == (400, 'auth', 'R-sig')
    assert 'access_key_secret' in result['msg']
    assert len(http.calls) == 1


def test_the_right_secret_is_accepted_by_the_signature_check(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('InUse', TARGET))
    assert run(**present())['rc'] == 0


def test_security_token_is_sent_signed_and_never_printed(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('InUse', TARGET))
    result = run(security_token=TOKEN, **present())
    assert result['rc'] == 0
    request = ecs.calls[0][2]
    assert request.headers['x-acs-security-token'] == TOKEN
    assert 'x-acs-security-token' in request.headers['Authorization']


def test_credentials_and_region_from_the_environment(ecs, run, monkeypatch):
    monkeypatch.setenv('ALICLOUD_ACCESS_KEY', KEY_ID)
    monkeypatch.setenv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', SECRET)
    monkeypatch.setenv('ALIBABA_CLOUD_REGION_ID', 'cn-hangzhou')
    ecs.on('DescribeNetworkInterfaces', eni('InUse', TARGET))
    result = run(credentials=False, **present())
    assert result['rc'] == 0
    assert 'Credential=%s,' % KEY_ID in ecs.calls[0][2].headers['Authorization']


def test_endpoint_from_the_environment(http, run, monkeypatch):
    monkeypatch.setenv('ALIBABA_CLOUD_ENDPOINT_ECS', 'http://127.0.0.1:8099')
    http.add(responses.POST, re.compile(r'http://127\.0\.0\.1:8099/.*'), json={
        'RequestId': 'R', 'NetworkInterfaceSets': {'NetworkInterfaceSet': []}})
    result = run(eni_id=ENI, state='absent')
    assert (result['rc'], result['changed']) == (0, False)
    assert http.calls[0].request.headers['host'] == '127.0.0.1:8099'


@pytest.mark.parametrize('missing, env', [
    ('access_key_id', 'ALIBABA_CLOUD_ACCESS_KEY_ID'),
    ('access_key_secret', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'),
    ('region', 'ALIBABA_CLOUD_REGION_ID'),
])
def test_missing_credentials_name_the_environment_variable(http, run, missing, env):
    args = dict({'access_key_id': KEY_ID, 'access_key_secret': SECRET, 'region': 'cn-hangzhou'}, **present())
    del args[missing]
    result = run(credentials=False, **args)
    assert (result['rc'], result['failed']) == (1, True)
    assert '%s is required' % missing in result['msg'] and env in result['msg']
    assert len(http.calls) == 0


@pytest.mark.parametrize('args, words', [
    ({'eni_id': '  '}, 'eni_id must not be empty or blank.'),
    ({'eni_id': ''}, 'eni_id must not be empty or blank.'),
    ({'eni_id': 'nic-1475945014486896967'}, "it must start with 'eni-'"),
    ({'eni_id': 'eni-1 eni-2'}, 'contains characters an id cannot have'),
    ({'instance_id': 'ins-123'}, "instance_id 'ins-123' does not look like an id of this cloud"),
    ({'wait_timeout': 0}, 'wait_timeout must be a number of seconds greater than 0 and at most 86400, not 0.'),
    ({'wait_timeout': -1}, 'wait_timeout must be a number of seconds greater than 0 and at most 86400, not -1.'),
    ({'timeout': 0}, 'timeout must be a number of seconds greater than 0'),
    ({'endpoint': 'ecs.cn-hangzhou.aliyuncs.com'}, "endpoint 'ecs.cn-hangzhou.aliyuncs.com' is not a URL"),
    ({'endpoint': 'ftp://ecs.test'}, 'is not a URL'),
    ({'region': 'Hangzhou'}, "region 'Hangzhou' is not an ECS region id"),
    ({'network_card_index': -1}, 'network_card_index must be 0 or greater, not -1.'),
    ({'state': 'attached'}, 'value of state must be one of: present, absent'),
    ({'instance_id': None}, 'instance_id is required when state is present.'),
], ids=['blank-eni', 'empty-eni', 'nic-id', 'two-ids', 'bad-instance', 'wait-timeout-0', 'wait-timeout-neg', 'timeout-0',
        'endpoint-no-scheme', 'endpoint-ftp', 'bad-region', 'card-neg', 'bad-state', 'no-instance'])
def test_bad_input_fails_before_any_call(http, run, args, words):
    args = dict(present(), **args)
    result = run(**dict((key, value) for key, value in args.items() if value is not None))
    assert (result['rc'], result['failed']) == (1, True)
    assert words in result['msg']
    assert len(http.calls) == 0


def test_several_problems_are_reported_together(http, run):
    result = run(**dict(present(), eni_id='nic-1', wait_timeout=0))
    assert "start with 'eni-'" in result['msg'] and 'wait_timeout' in result['msg']
    assert len(http.calls) == 0


def test_validate_certs_false_warns_and_turns_verification_off(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('InUse', TARGET))
    result = run(validate_certs=False, **present())
    assert result['rc'] == 0
    assert result['warning_texts'] == ['validate_certs is false: the TLS certificate of the ECS endpoint is not verified.']
    assert ecs.calls[0][2].req_kwargs['verify'] is False


def test_ca_path_and_timeout_reach_the_request(ecs, run, tmp_path):
    bundle = tmp_path / 'ecs-ca.pem'
    bundle.write_text('-----BEGIN CERTIFICATE-----\n')
    ecs.on('DescribeNetworkInterfaces', eni('InUse', TARGET))
    result = run(ca_path=str(bundle), timeout=9, **present())
    assert (result['rc'], result['warning_texts']) == (0, [])
    kwargs = ecs.calls[0][2].req_kwargs
    assert (kwargs['verify'], kwargs['timeout']) == (str(bundle), 9)


def test_missing_requests_fails_with_missing_required_lib(http, run, monkeypatch):
    monkeypatch.setattr(client, 'requests', None)
    result = run(**present())
    assert (result['rc'], result['msg']) == (1, missing_required_lib('requests'))
    assert len(http.calls) == 0


def test_connection_failure_is_reported_without_a_traceback(http, run):
    http.add(responses.POST, re.compile(re.escape(ENDPOINT) + r'/.*'), body=client.requests.exceptions.SSLError('bad cert'))
    result = run(**present())
    assert (result['rc'], result['error']['code'], result['error']['kind']) == (1, 'TLSError', 'tls')
    assert 'ca_path' in result['msg'] and 'Traceback' not in result['stdout'] + result['stderr']


def test_the_module_file_runs_main_as_a_script(ecs, run_module):
    ecs.on('DescribeNetworkInterfaces', eni('InUse', TARGET))
    path = alicloud_eni_attachment.__file__
    with open(path, encoding='utf-8') as source:
        script = compile(source.read(), path, 'exec')
    result = run_module(lambda: exec(script, {'__name__': '__main__', '__file__': path}),  # pylint: disable=exec-used
                        dict(present(), access_key_id=KEY_ID, access_key_secret=SECRET, region='cn-hangzhou'))
    assert (result['rc'], result['changed']) == (0, False)
    assert ecs.actions == ['DescribeNetworkInterfaces']


# ---------------------------------------------------------------------------------------------------------------------
# Every code of the error table, through the module: the code, its kind, a message naming the cause and what to do

DETACH_CODES = ('InvalidOperation.DetachPrimaryEniNotAllowed', 'InvalidOperation.HasMemberEniAttached')
READ_KINDS = (client.AUTH, client.THROTTLED, client.TRANSIENT)
TABLE = sorted(alicloud.ERRORS.entries.items()) + [
    (code, alicloud.ERRORS.prefixes[prefix]) for code, prefix in (
        ('Throttling', 'Throttling'), ('Throttling.User', 'Throttling'), ('Throttling.Api', 'Throttling'),
        ('Rejected.Throttling', 'Rejected.Throttling'))]


def _status_for(kind):
    return {client.TRANSIENT: 503, client.AUTH: 400, client.PERMISSION: 403, client.NOT_FOUND: 404}.get(kind, 400)


@pytest.mark.parametrize('code, kind, hint', [(code, kind, hint) for code, (kind, hint) in TABLE], ids=[code for code, _entry in TABLE])
def test_every_mapped_error_code_fails_with_its_code_kind_and_hint(ecs, run, code, kind, hint):
    error = refused(_status_for(kind), code, 'ECS says %s' % code)
    if kind == client.THROTTLED:
        error += ({'x-acs-retry-after': '1'},)  # 1 ms: every attempt fits in the time bound, so the count is exact
    ecs.on('DescribeInstances', instance())  # for the refusals that make the module look at the instance
    if kind in READ_KINDS:
        # Credentials, throttling and outages surface on the first call: the read (retried where the kind allows).
        ecs.on('DescribeNetworkInterfaces', error)
        result = run(**present())
        action = 'DescribeNetworkInterfaces'
    elif code in DETACH_CODES:
        ecs.on('DescribeNetworkInterfaces', eni('InUse', TARGET)).on('DetachNetworkInterface', error)
        result = run(eni_id=ENI, state='absent')
        action = 'DetachNetworkInterface'
    else:
        ecs.on('DescribeNetworkInterfaces', eni('Available')).on('AttachNetworkInterface', error)
        result = run(**present())
        action = 'AttachNetworkInterface'
    assert (result['rc'], result['failed'], result['changed']) == (1, True, False)
    assert (result['error']['code'], result['error']['kind'], result['error']['action']) == (code, kind, action)
    assert result['msg'].startswith('%s failed for ENI %s: ECS says %s (%s, request R-err).' % (action, ENI, code, code))
    assert result['msg'].endswith(hint)
    attempts = {client.THROTTLED: client.RetryPolicy().throttled_attempts, client.TRANSIENT: client.RetryPolicy().max_attempts}
    if kind in (client.BUSY, client.INVALID_STATE, client.INSTANCE_STATE):
        # Still moving, or the read may lag (an instance refused for its state yet reading Running): retried with backoff
        # (within wait_timeout, or the read-lag grace) first.
        assert ecs.actions.count(action) > 2
    else:
        assert ecs.actions.count(action) == attempts.get(kind, 1)
    assert (ecs.actions.count('DescribeInstances') > 2) == (kind == client.INSTANCE_STATE)
    mutations = [name for name in ecs.actions if name not in ('DescribeNetworkInterfaces', 'DescribeInstances')]
    assert set(mutations) == (set() if kind in READ_KINDS else {action})


def test_an_unmapped_code_keeps_the_cloud_message_and_a_kind_from_the_http_status(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('Available')).on('AttachNetworkInterface', refused(403, 'Brand.NewCode', 'New reason.'))
    result = run(**present())
    assert (result['rc'], result['changed'], result['error']['code'], result['error']['kind']) == (1, False, 'Brand.NewCode', 'permission')
    assert result['msg'] == 'AttachNetworkInterface failed for ENI %s: New reason (Brand.NewCode, request R-err).' % ENI


# ---------------------------------------------------------------------------------------------------------------------
# The reconciler's decision table, row by row, through the module (and again in check mode)

ECS_WORDS = {'available': 'Available', 'attaching': 'Attaching', 'attached': 'InUse', 'detaching': 'Detaching',
             'deleting': 'Deleting', 'unknown': 'Martian'}
INSTANCES = {'target': TARGET, 'other': OTHER}
VERBS = {'AttachNetworkInterface': 'attach', 'DetachNetworkInterface': 'detach'}


def ecs_read(read):
    state, instance, primary = decision_table.parse_read(read)
    if state == 'missing':
        return NOT_THERE
    return eni(ECS_WORDS[state], INSTANCES.get(instance), eni_type='Primary' if primary else 'Secondary')


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
@pytest.mark.parametrize('row', decision_table.ROWS, ids=[row.name for row in decision_table.ROWS])
def test_decision_table(ecs, run, row, check_mode):
    ecs.on('DescribeNetworkInterfaces', *[ecs_read(read) for read in row.reads])
    ecs.on('AttachNetworkInterface', ACCEPTED).on('DetachNetworkInterface', ACCEPTED).on('DescribeInstances', instance())
    result = run(check_mode=check_mode, **decision_table.task_args(row, 'eni_id', ENI, TARGET))
    mutations = [VERBS[action] for action in ecs.actions if action in VERBS]
    decision_table.check_outcome(row, result, mutations, ECS_WORDS, INSTANCES, check_mode)
    if check_mode:  # one read, and one of the target instance where an attach is predicted
        assert ecs.actions == ['DescribeNetworkInterfaces'] + ['DescribeInstances'] * ('attach' in row.calls)


def test_a_force_move_refused_by_the_target_puts_the_eni_back_and_says_so(ecs, run):
    ecs.on('DescribeNetworkInterfaces', eni('InUse', OTHER), eni('Available'), eni('Available'), eni('InUse', OTHER))
    ecs.on('DetachNetworkInterface', ACCEPTED)
    ecs.on('AttachNetworkInterface', refused(400, 'InvalidOperation.AvailabilityZoneMismatch', 'zone mismatch'), ACCEPTED)
    result = run(force=True, **present())
    assert (result['rc'], result['changed'], result['error']['code']) == (1, True, 'InvalidOperation.AvailabilityZoneMismatch')
    assert result['msg'].endswith('ENI %s was attached back to %s, where it was before this task.' % (ENI, OTHER))
    assert [query.get('InstanceId') for action, query, _request in ecs.calls if action != 'DescribeNetworkInterfaces'] == [
        OTHER, TARGET, OTHER]
    assert result['network_interface']['instance_id'] == OTHER
