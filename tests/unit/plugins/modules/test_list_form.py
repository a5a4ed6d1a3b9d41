# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The list form (``attachments``) of both attachment modules, through ``main()``, with a small stateful cloud mocked at
the HTTP boundary: it answers reads by the ids asked for, and applies an attach or a detach at once."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from ansible_collections.cloudnet.nic.plugins.modules import alicloud_eni_attachment, zenlayer_vnic_attachment

ECS_URL = 'https://ecs.cn-hangzhou.aliyuncs.com'
ZEC_URL = 'https://console.zenlayer.com/api/v2/zec'
SECRET = 'list-form-secret-0001'


class World:
    """Interfaces ``{id: [status, instance_id]}``; attaches to an instance in ``refuse`` are refused with its code."""

    def __init__(self, words, interfaces, refuse=None):
        self.available, self.attached = words
        self.interfaces = dict((nic_id, list(state)) for nic_id, state in interfaces.items())
        self.refuse = refuse or {}
        self.calls = []

    def attach(self, nic_id, instance_id):
        if instance_id in self.refuse:
            return self.refuse[instance_id]
        self.interfaces[nic_id] = [self.attached, instance_id]
        return None

    def detach(self, nic_id):
        self.interfaces[nic_id] = [self.available, None]
        return None


class Ecs(World):
    def answer(self, request):
        action = request.headers['x-acs-action']
        query = dict(parse_qsl(urlsplit(request.url).query))
        self.calls.append((action, query))
        if action == 'DescribeNetworkInterfaces':
            ids = [value for key, value in query.items() if key.startswith('NetworkInterfaceId.')]
            items = [{'NetworkInterfaceId': nic_id, 'Status': self.interfaces[nic_id][0], 'Type': 'Secondary',
                      'InstanceId': self.interfaces[nic_id][1] or ''} for nic_id in ids if nic_id in self.interfaces]
            return self._ok({'NetworkInterfaceSets': {'NetworkInterfaceSet': items}, 'NextToken': ''})
        if action == 'DescribeInstances':
            ids = json.loads(query['InstanceIds'])
            return self._ok({'Instances': {'Instance': [{'InstanceId': instance_id, 'Status': 'Running'} for instance_id in ids]}})
        code = self.attach(query['NetworkInterfaceId'], query['InstanceId']) if action == 'AttachNetworkInterface' else \
            self.detach(query['NetworkInterfaceId'])
        if code:
            return 403, {}, json.dumps({'RequestId': 'R-err', 'Code': code, 'Message': 'refused'})
        return self._ok({})

    @staticmethod
    def _ok(body):
        return 200, {'Content-Type': 'application/json'}, json.dumps(dict(body, RequestId='R-ok'))


class Zec(World):
    def answer(self, request):
        action = request.headers['X-ZC-Action']
        body = json.loads(request.body)
        self.calls.append((action, body))
        if action == 'DescribeNetworkInterfaces':
            items = [{'nicId': nic_id, 'status': self.interfaces[nic_id][0], 'nicType': 'Secondary', 'instanceId': self.interfaces[nic_id][1]}
                     for nic_id in body['nicIds'] if nic_id in self.interfaces]
            return self._ok({'totalCount': len(items), 'dataSet': items})
        if action == 'DescribeInstances':
            return self._ok({'totalCount': 1, 'dataSet': [{'instanceId': instance_id, 'status': 'RUNNING', 'nics': []}
                                                          for instance_id in body['instanceIds']]})
        code = self.attach(body['nicId'], body['instanceId']) if action == 'AttachNetworkInterface' else self.detach(body['nicId'])
        if code:
            return 400, {}, json.dumps({'requestId': 'T-err', 'code': code, 'message': 'refused'})
        return self._ok({})

    @staticmethod
    def _ok(data):
        return 200, {'Content-Type': 'application/json'}, json.dumps({'requestId': 'T', 'response': dict(data, requestId='T')})


CLOUDS = {
    'ecs': dict(module=alicloud_eni_attachment, id='eni_id', world=Ecs, url=re.compile(re.escape(ECS_URL) + r'/.*'),
                words=('Available', 'InUse'), ids=['eni-%02d' % number for number in range(8)], instances=('i-a', 'i-b', 'i-full'),
                quota='EniPerInstanceLimitExceeded',
                credentials={'access_key_id': 'LTAI5tLIST', 'access_key_secret': SECRET, 'region': 'cn-hangzhou'}),
    'zec': dict(module=zenlayer_vnic_attachment, id='nic_id', world=Zec, url=ZEC_URL, words=('AVAILABLE', 'USED'),
                ids=[str(1000 + number) for number in range(8)], instances=('2001', '2002', '2999'), quota='INVALID_INSTANCE_NIC_LIMIT',
                credentials={'access_key_id': 'ZLLIST', 'access_key_password': SECRET}),
}


@pytest.fixture(params=sorted(CLOUDS))
def cloud(request, instant_waits, monkeypatch):
    for name in ('ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_REGION_ID', 'ALIBABA_CLOUD_ENDPOINT_ECS',
                 'ZENLAYERCLOUD_ACCESS_KEY_ID', 'ZENLAYERCLOUD_ACCESS_KEY_PASSWORD', 'ZENLAYERCLOUD_ENDPOINT'):
        monkeypatch.delenv(name, raising=False)
    return dict(CLOUDS[request.param], name=request.param)


def run(cloud, run_module, world, check_mode=False, diff=False, **args):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, cloud['url'], callback=world.answer)
        result = run_module(cloud['module'].main, dict(cloud['credentials'], **args), check_mode=check_mode, diff=diff)
    assert SECRET not in result['stdout'] + result['stderr']
    return result


def mixed_world(cloud):
    available, attached = cloud['words']
    ids, (a, b, full) = cloud['ids'], cloud['instances']
    world = cloud['world'](cloud['words'], {ids[0]: (attached, a), ids[1]: (available, None), ids[2]: (attached, b), ids[3]: (attached, a),
                                            ids[5]: (available, None)}, refuse={full: cloud['quota']})
    items = [{cloud['id']: ids[0]}, {cloud['id']: ids[1]}, {cloud['id']: ids[2], 'force': True}, {cloud['id']: ids[3], 'state': 'absent'},
             {cloud['id']: ids[4]}, {cloud['id']: ids[5], 'instance_id': full}]
    return world, items


def test_a_mixed_list_reports_every_item_and_fails_for_the_failed_ones(cloud, run_module):
    world, items = mixed_world(cloud)
    a = cloud['instances'][0]
    result = run(cloud, run_module, world, attachments=items, instance_id=a)
    assert (result['rc'], result['changed']) == (1, True)
    summary = [(item['id'], item['changed'], item['failed'], (item.get('error') or {}).get('code')) for item in result['attachments']]
    ids = cloud['ids']
    assert summary == [(ids[0], False, False, None), (ids[1], True, False, None), (ids[2], True, False, None), (ids[3], True, False, None),
                       (ids[4], False, True, 'NotFound'), (ids[5], False, True, cloud['quota'])]
    assert result['msg'].startswith('2 of 6 attachments failed: %s: ' % ids[4]) and '; %s: ' % ids[5] in result['msg']
    assert result['error']['code'] == 'NotFound' and result['network_interface'] == {}
    assert result['attachments'][1]['network_interface']['instance_id'] == a
    reads = [call for call in world.calls if call[0] == 'DescribeNetworkInterfaces']
    asked = [sorted(value for key, value in call[1].items() if key.startswith('NetworkInterfaceId.')) or sorted(call[1].get('nicIds', []))
             for call in reads]
    # the first read of all six; one poll round for the three writes; the move's attach (a quota refusal needs no read)
    assert asked == [sorted(ids[:6]), [ids[1], ids[2], ids[3]], [ids[2]]]


def test_a_rerun_of_the_same_list_changes_nothing_and_makes_one_call(cloud, run_module):
    world, items = mixed_world(cloud)
    a = cloud['instances'][0]
    converged = [item for item in items if item.get('instance_id') is None and item[cloud['id']] != cloud['ids'][4]]
    run(cloud, run_module, world, attachments=converged, instance_id=a)
    world.calls = []
    result = run(cloud, run_module, world, attachments=converged, instance_id=a)
    assert (result['rc'], result['changed']) == (0, False)
    assert [call[0] for call in world.calls] == ['DescribeNetworkInterfaces']


def test_check_mode_predicts_the_list_and_reads_the_instances_in_one_call(cloud, run_module):
    world, items = mixed_world(cloud)
    items = [item for item in items if item[cloud['id']] != cloud['ids'][4]]
    result = run(cloud, run_module, world, check_mode=True, diff=True, attachments=items, instance_id=cloud['instances'][0])
    assert [call[0] for call in world.calls] == ['DescribeNetworkInterfaces', 'DescribeInstances']
    assert result['changed'] is True and [item['changed'] for item in result['attachments']] == [False, True, True, True, True]
    assert [entry['before_header'] for entry in result['diff']] == [item[cloud['id']] for item in items[1:]]


@pytest.mark.parametrize('args, words', [
    ({'attachments': [{'ID': 'A'}, {'ID': 'A'}]}, 'more than once'),
    ({'attachments': [{'ID': 'A', 'instance_id': 'I'}, {'ID': 'B'}]}, 'attachments[1].instance_id is required when its state is present'),
    ({'attachments': [{'ID': 'A', 'instance_id': 'I'}], 'ID': 'A'}, 'mutually exclusive'),
    ({'attachments': [{'ID': 'A', 'instance_id': 'I'}], 'concurrency': 0}, 'concurrency must be from 1 to 50, not 0.'),
    ({'attachments': [{'ID': 'A', 'instance_id': 'I'}], 'max_calls_per_second': 0}, 'max_calls_per_second must be from 0.1 to 1000'),
    ({'attachments': [{'ID': 'A', 'instance_id': 'I', 'state': 'attached'}]}, 'attachments'),
    ({}, 'one of the following is required'),
    # ansible-core's own words for these name no option; the module names it, as ansible-core words a type error, which
    # is also what ansible-lint's args rule skips when the value is a template it cannot render
    ({'attachments': "{{ groups['backends'] | map('extract', hostvars, 'nic') | list }}"},
     "option 'attachments' is of type str and must be a list of dictionaries"),
    ({'attachments': ['A']}, "option 'attachments' is of type list and must be a list of dictionaries"),
])
def test_bad_lists_are_refused_before_any_call(cloud, run_module, args, words):
    ids, instance = cloud['ids'], cloud['instances'][0]
    text = json.dumps(args).replace('"ID"', '"%s"' % cloud['id']).replace('"A"', '"%s"' % ids[0]).replace('"B"', '"%s"' % ids[1])
    world = cloud['world'](cloud['words'], {})
    result = run(cloud, run_module, world, **json.loads(text.replace('"I"', '"%s"' % instance)))
    assert (result['rc'], result['error']['code']) == (1, 'InvalidInput')
    assert words in result['msg'] and world.calls == []


def test_an_empty_list_is_nothing_to_do(cloud, run_module):
    world = cloud['world'](cloud['words'], {})
    result = run(cloud, run_module, world, attachments=[])
    assert (result['rc'], result['changed'], result['attachments']) == (0, False, []) and world.calls == []


def test_a_bad_id_in_a_list_names_its_item(cloud, run_module):
    world = cloud['world'](cloud['words'], {})
    result = run(cloud, run_module, world, attachments=[{cloud['id']: cloud['ids'][0]}, {cloud['id']: ' '}], instance_id=cloud['instances'][0])
    assert 'attachments[1].%s must not be empty or blank.' % cloud['id'] in result['msg'] and world.calls == []
