# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real ``zenlayer_vnic_info`` module through ``main()``, with ZEC mocked at the HTTP boundary (``ScriptedZec``)."""

from __future__ import annotations

import pytest
import responses

from ansible_collections.cloudnet.nic.plugins.modules import zenlayer_vnic_info
from ansible_collections.cloudnet.nic.tests.unit.plugins.modules.fake_zec import KEY_ID, PASSWORD, TARGET, ScriptedZec, refused


def info(number, status='AVAILABLE', instance_id=None):
    return {'nicId': str(1000 + number), 'status': status, 'nicType': 'Secondary', 'regionId': 'asia-east-1', 'instanceId': instance_id,
            'vpcId': 'vpc-1', 'privateIpList': ['10.0.0.%d' % (number % 250)]}


def page(numbers, total, **fields):
    return 200, {'requestId': 'T-p', 'response': {'requestId': 'T-p', 'totalCount': total, 'dataSet': [info(n, **fields) for n in numbers]}}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, instant_waits):
    for name in ('ZENLAYERCLOUD_ACCESS_KEY_ID', 'ZENLAYERCLOUD_ACCESS_KEY_PASSWORD', 'ZENLAYERCLOUD_ENDPOINT'):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def zec():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield ScriptedZec(mock)


@pytest.fixture
def run(run_module):
    def run_it(check_mode=False, **args):
        args = dict({'access_key_id': KEY_ID, 'access_key_password': PASSWORD}, **args)
        result = run_module(zenlayer_vnic_info.main, args, check_mode=check_mode)
        assert PASSWORD not in result['stdout'] + result['stderr']
        return result
    return run_it


def sent(zec):
    return [params for _action, params in zec.calls]


def test_follows_every_page_and_returns_the_attachment_shape(zec, run):
    zec.on('DescribeNetworkInterfaces', page(range(100), 230), page(range(100, 200), 230), page(range(200, 230), 230))
    result = run(region_id='asia-east-1', status='AVAILABLE')
    assert (result['rc'], result['changed']) == (0, False)
    assert [nic['id'] for nic in result['network_interfaces']] == [str(1000 + number) for number in range(230)]
    first = result['network_interfaces'][0]
    assert (first['status'], first['instance_id'], first['nic_type'], first['private_ip_list']) == ('AVAILABLE', None, 'Secondary', ['10.0.0.0'])
    assert [(params['pageNum'], params['pageSize'], params['regionId'], params['status']) for params in sent(zec)] == [
        (number, 100, 'asia-east-1', 'AVAILABLE') for number in (1, 2, 3)]


def test_a_full_last_page_stops_at_the_total_count(zec, run):
    zec.on('DescribeNetworkInterfaces', page(range(100), 200), page(range(100, 200), 200))
    assert len(run()['network_interfaces']) == 200
    assert [params['pageNum'] for params in sent(zec)] == [1, 2]


def test_every_filter_reaches_the_api_under_its_zec_name(zec, run):
    zec.on('DescribeNetworkInterfaces', page([], 0))
    run(instance_id=TARGET, nic_type='Primary', vpc_id='vpc-9', subnet_id='sub-9', security_group_id='sg-9', resource_group_id='rg-9', name='web')
    params = sent(zec)[0]
    assert {key: params[key] for key in ('instanceId', 'nicType', 'vpcId', 'subnetId', 'securityGroupId', 'resourceGroupId', 'name')} == {
        'instanceId': TARGET, 'nicType': 'Primary', 'vpcId': 'vpc-9', 'subnetId': 'sub-9', 'securityGroupId': 'sg-9',
        'resourceGroupId': 'rg-9', 'name': 'web'}
    assert 'regionId' not in params and 'status' not in params


def test_ids_are_sent_100_at_a_time_and_repeats_are_dropped(zec, run):
    ids = [str(1000 + number) for number in range(150)]
    zec.on('DescribeNetworkInterfaces', page(range(100), 100), page(range(99, 150), 51))
    result = run(nic_ids=ids)
    assert [len(params['nicIds']) for params in sent(zec)] == [100, 50]
    assert [nic['id'] for nic in result['network_interfaces']] == ids


def test_check_mode_reads_the_same(zec, run):
    zec.on('DescribeNetworkInterfaces', page([1], 1, status='USED', instance_id=TARGET))
    result = run(check_mode=True, vnic_ids=['1001'])
    assert (result['rc'], result['changed'], result['network_interfaces'][0]['instance_id']) == (0, False, TARGET)


def test_api_failure_names_the_call_the_code_and_the_hint(zec, run):
    zec.on('DescribeNetworkInterfaces', refused(401, 'AUTHFAILURE_SIGNATURE_FAILURE', 'signature mismatch'))
    result = run()
    assert (result['rc'], result['error']['code'], result['error']['kind']) == (1, 'AUTHFAILURE_SIGNATURE_FAILURE', 'auth')
    assert result['msg'].startswith('DescribeNetworkInterfaces failed for reading vNICs in this Zenlayer account: signature mismatch')


@pytest.mark.parametrize('args, words', [
    ({'nic_ids': ['1001', '']}, 'nic_ids must not be empty'),
    ({'nic_ids': ['eni-bp1']}, "nic_ids 'eni-bp1' looks like an Alibaba Cloud id"),
    ({'instance_id': 'i-bp1'}, "instance_id 'i-bp1' looks like an Alibaba Cloud id"),
    ({'status': 'InUse'}, 'value of status must be one of'),
])
def test_bad_input_fails_before_any_call(zec, run, args, words):
    result = run(**args)
    assert (result['rc'], result['failed']) == (1, True) and words in result['msg']
    assert zec.calls == []


def test_a_page_number_that_is_ignored_fails_instead_of_looping(zec, run):
    zec.on('DescribeNetworkInterfaces', (200, {'requestId': 'T-p', 'response': {'requestId': 'T-p', 'dataSet': [info(n) for n in range(100)]}}))
    result = run()
    assert (result['rc'], result['error']['code'], result['error']['kind']) == (1, 'MalformedResponse', 'malformed_response')
    assert 'answered page 2 with the same vNICs as page 1: paging does not advance' in result['msg']
    assert len(zec.calls) == 2


def test_a_listing_whose_total_changed_between_pages_is_read_again(zec, run):
    # Page 1 is read while 230 vNICs match; one is deleted before page 2, which then starts one vNIC later (skipping one).
    zec.on('DescribeNetworkInterfaces', page(range(100), 230), page(range(101, 201), 229), page(range(201, 230), 229),
           page(range(100), 229), page(range(100, 200), 229), page(range(200, 229), 229))
    result = run()
    assert [nic['id'] for nic in result['network_interfaces']] == [str(1000 + number) for number in range(229)]
    assert [params['pageNum'] for params in sent(zec)] == [1, 2, 3, 1, 2, 3]


def test_a_listing_that_repeats_a_moved_vnic_is_read_again(zec, run):
    zec.on('DescribeNetworkInterfaces', page(range(100), 150), page(range(99, 150), 150), page(range(100), 150), page(range(100, 150), 150))
    result = run()
    assert len(result['network_interfaces']) == 150
    assert [params['pageNum'] for params in sent(zec)] == [1, 2, 1, 2]


def test_a_listing_that_never_holds_still_fails_and_says_so(zec, run):
    drifting = [page(range(100), 230), page(range(101, 201), 229), page(range(201, 230), 229)]
    zec.on('DescribeNetworkInterfaces', *(drifting * 3))
    result = run()
    assert (result['rc'], result['error']['code'], result['error']['kind']) == (1, 'ListingUnstable', 'transient')
    assert 'kept changing' in result['msg'] and result['network_interfaces'] == []
    assert len(sent(zec)) == 9
