# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real ``alicloud_eni_info`` module through ``main()``, with ECS mocked at the HTTP boundary (``FakeEcs``)."""

from __future__ import annotations

import pytest

from ansible_collections.cloudnet.nic.plugins.modules import alicloud_eni_info
from ansible_collections.cloudnet.nic.tests.unit.plugins.modules.fake_ecs import ENI, KEY_ID, SECRET, TARGET, FakeEcs, refused


def item(number, status='Available', instance_id=''):
    return {'NetworkInterfaceId': 'eni-%04d' % number, 'Status': status, 'Type': 'Secondary', 'InstanceId': instance_id,
            'VpcId': 'vpc-1', 'VSwitchId': 'vsw-1', 'SecurityGroupIds': {'SecurityGroupId': ['sg-1']}}


def page(numbers, token=None, **fields):
    body = {'RequestId': 'R-p', 'NetworkInterfaceSets': {'NetworkInterfaceSet': [item(number, **fields) for number in numbers]}}
    if token:
        body['NextToken'] = token
    return 200, body


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, instant_waits):
    for name in ('ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_REGION_ID', 'ALIBABA_CLOUD_ENDPOINT_ECS'):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def ecs(http):
    return FakeEcs(http)


@pytest.fixture
def http():
    import responses
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def run(run_module):
    def run_it(check_mode=False, **args):
        args = dict({'access_key_id': KEY_ID, 'access_key_secret': SECRET, 'region': 'cn-hangzhou'}, **args)
        result = run_module(alicloud_eni_info.main, args, check_mode=check_mode)
        assert SECRET not in result['stdout'] + result['stderr']
        return result
    return run_it


def queries(ecs):
    return [query for _action, query, _request in ecs.calls]


def test_follows_every_page_and_returns_the_attachment_shape(ecs, run):
    ecs.on('DescribeNetworkInterfaces', page(range(100), token='t2'), page(range(100, 200), token='t3'), page(range(200, 250)))
    result = run(vpc_id='vpc-1', status='Available')
    assert (result['rc'], result['changed']) == (0, False)
    assert [nic['id'] for nic in result['network_interfaces']] == ['eni-%04d' % number for number in range(250)]
    first = result['network_interfaces'][0]
    assert (first['status'], first['instance_id'], first['vswitch_id'], first['security_group_ids']) == ('Available', None, 'vsw-1', ['sg-1'])
    sent = queries(ecs)
    assert [query.get('NextToken') for query in sent] == [None, 't2', 't3']
    assert all((query['VpcId'], query['Status'], query['MaxResults'], query['RegionId']) == ('vpc-1', 'Available', '100', 'cn-hangzhou')
               for query in sent)


def test_every_filter_reaches_the_api_under_its_ecs_name(ecs, run):
    ecs.on('DescribeNetworkInterfaces', page([]))
    run(instance_id=TARGET, type='Secondary', vswitch_id='vsw-9', security_group_id='sg-9', primary_ip_address='10.0.0.9',
        name='web', resource_group_id='rg-9')
    query = queries(ecs)[0]
    assert {key: query[key] for key in ('InstanceId', 'Type', 'VSwitchId', 'SecurityGroupId', 'PrimaryIpAddress', 'NetworkInterfaceName',
                                        'ResourceGroupId')} == {
        'InstanceId': TARGET, 'Type': 'Secondary', 'VSwitchId': 'vsw-9', 'SecurityGroupId': 'sg-9', 'PrimaryIpAddress': '10.0.0.9',
        'NetworkInterfaceName': 'web', 'ResourceGroupId': 'rg-9'}


def test_ids_are_sent_100_at_a_time_and_repeats_are_dropped(ecs, run):
    ids = ['eni-%04d' % number for number in range(150)]
    ecs.on('DescribeNetworkInterfaces', page(range(100)), page(range(99, 150)))
    result = run(eni_ids=ids)
    sent = queries(ecs)
    assert [sum(key.startswith('NetworkInterfaceId.') for key in query) for query in sent] == [100, 50]
    assert sent[1]['NetworkInterfaceId.1'] == 'eni-0100'
    assert [nic['id'] for nic in result['network_interfaces']] == ids


def test_check_mode_reads_the_same(ecs, run):
    ecs.on('DescribeNetworkInterfaces', page([1], status='InUse', instance_id=TARGET))
    result = run(check_mode=True, eni_ids=['eni-0001'])
    assert (result['rc'], result['changed'], result['network_interfaces'][0]['instance_id']) == (0, False, TARGET)


def test_nothing_found_is_an_empty_list(ecs, run):
    ecs.on('DescribeNetworkInterfaces', page([]))
    assert run(eni_ids=[ENI])['network_interfaces'] == []


def test_api_failure_names_the_call_the_code_and_the_hint(ecs, run):
    ecs.on('DescribeNetworkInterfaces', refused(403, 'Forbidden.SubUser', 'not authorized'))
    result = run(vpc_id='vpc-1')
    assert (result['rc'], result['error']['code'], result['error']['kind']) == (1, 'Forbidden.SubUser', 'permission')
    assert result['msg'].startswith('DescribeNetworkInterfaces failed for reading ENIs in region cn-hangzhou: not authorized')
    assert 'ecs:DescribeNetworkInterfaces' in result['msg']


@pytest.mark.parametrize('args, words', [
    ({'eni_ids': ['eni-1', ' ']}, 'eni_ids must not be empty'),
    ({'eni_ids': ['nic-1']}, "eni_ids 'nic-1' does not look like an id of this cloud"),
    ({'instance_id': 'ins-1'}, "instance_id 'ins-1' does not look like an id of this cloud"),
    ({'status': 'USED'}, 'value of status must be one of'),
])
def test_bad_input_fails_before_any_call(ecs, run, args, words):
    result = run(**args)
    assert (result['rc'], result['failed']) == (1, True) and words in result['msg']
    assert ecs.calls == []


def test_a_next_token_that_does_not_advance_fails_instead_of_looping(ecs, run):
    ecs.on('DescribeNetworkInterfaces', page(range(100), token='same'))
    result = run()
    assert (result['rc'], result['error']['code'], result['error']['kind']) == (1, 'MalformedResponse', 'malformed_response')
    assert "answered NextToken 'same' twice: paging does not advance" in result['msg']
    assert len(ecs.calls) == 2
