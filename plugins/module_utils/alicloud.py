# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Alibaba Cloud ECS adapter: ACS3-HMAC-SHA256 signing, ENI calls, error table, status map.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.

Facts behind this file: the ECS RPC API, version 2014-05-26 (``../shared/reference/alibaba-ecs.md``).
Parameters travel in the query string of a POST with an empty body, as the official SDK sends them.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import os
import re
import time
from urllib.parse import quote, urlsplit

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.cloudnet.nic.plugins.module_utils import options
from ansible_collections.cloudnet.nic.plugins.module_utils.attachment import AdapterBase
from ansible_collections.cloudnet.nic.plugins.module_utils.interface import (
    ATTACHED, ATTACHING, AVAILABLE, CREATING, DETACHING, GONE_OR_BROKEN, READY, REFUSING, STARTING_OR_STOPPING, Instance, Nic,
)
from ansible_collections.cloudnet.nic.plugins.module_utils.listing import chunks, many_by_id
from ansible_collections.cloudnet.nic.plugins.module_utils.client import (
    AUTH, BUSY, CONFLICT, INSTANCE_STATE, INVALID_INPUT, INVALID_STATE, NOT_FOUND, PERMISSION, QUOTA, THROTTLED, TRANSIENT,
    ApiError, Client, ErrorTable, PreparedCall, decode_json, malformed,
)

API_VERSION = '2014-05-26'
ALGORITHM = 'ACS3-HMAC-SHA256'
EMPTY_BODY_SHA256 = hashlib.sha256(b'').hexdigest()

ENV = {
    'access_key_id': ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALICLOUD_ACCESS_KEY'],
    'access_key_secret': ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_SECRET_KEY'],
    'security_token': ['ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_SECURITY_TOKEN'],
    'region': ['ALIBABA_CLOUD_REGION_ID', 'ALICLOUD_REGION'],
    'endpoint': ['ALIBABA_CLOUD_ENDPOINT_ECS'],
}

PAGE_SIZE = 100
# alicloud_eni_info filter option -> (DescribeNetworkInterfaces parameter, the values it allows or None for any)
FILTERS = {
    'instance_id': ('InstanceId', None),
    'status': ('Status', ('Available', 'Attaching', 'InUse', 'Detaching', 'Deleting')),
    'type': ('Type', ('Primary', 'Secondary')),
    'vpc_id': ('VpcId', None),
    'vswitch_id': ('VSwitchId', None),
    'security_group_id': ('SecurityGroupId', None),
    'primary_ip_address': ('PrimaryIpAddress', None),
    'name': ('NetworkInterfaceName', None),
    'resource_group_id': ('ResourceGroupId', None),
}
API_NAME = 'ECS'
ENI_ID = ('eni-', 'eni-bp17pdijfczax1huji4b')
INSTANCE_ID = ('i-', 'i-bp67acfmxazb4ph9g5yq')
ID_SHAPES = {'eni_id': ENI_ID, 'eni_ids': ENI_ID, 'instance_id': INSTANCE_ID}
_REGION = re.compile(r'^[a-z]{2,}(-[a-z0-9]+)+$')

STATUS_PHASES = {
    'Available': AVAILABLE,
    'Attaching': ATTACHING,
    'InUse': ATTACHED,
    'Detaching': DETACHING,
    'Deleting': GONE_OR_BROKEN,
    'Creating': CREATING,
    'CreateFailed': GONE_OR_BROKEN,
}
PHASE_STATUS = {
    AVAILABLE: 'Available',
    ATTACHING: 'Attaching',
    ATTACHED: 'InUse',
    DETACHING: 'Detaching',
}
# Instance statuses (DescribeInstances): attach and detach need Running or Stopped (AttachNetworkInterface and
# DetachNetworkInterface pages); Pending, Starting and Stopping pass by themselves.
INSTANCE_STATES = {'Running': READY, 'Stopped': READY, 'Pending': STARTING_OR_STOPPING, 'Starting': STARTING_OR_STOPPING,
                   'Stopping': STARTING_OR_STOPPING}

_CHECK_IDS = 'Check the ENI and instance ids: an ENI id starts with eni-, an instance id with i-.'
_CHECK_CREDENTIALS = ('check access_key_id and access_key_secret (or the ALIBABA_CLOUD_ACCESS_KEY_* variables); '
                      'with STS credentials, also security_token.')
_RAM = 'Grant the RAM user ecs:DescribeNetworkInterfaces, ecs:AttachNetworkInterface and ecs:DetachNetworkInterface.'
_RETRY_LATER = 'The request was retried and still failed; try again later.'
_BUSY = 'Another operation on the ENI or the instance kept running until the task\'s wait_timeout; run the task again later.'
_THROTTLED = 'ECS throttled the account\'s API calls and retries ran out; lower forks or run the task again later.'

ERRORS = ErrorTable({
    'MissingParameter': (INVALID_INPUT, 'A required parameter was not sent; report this as a bug in cloudnet.nic.'),
    'UnsupportedParameter': (INVALID_INPUT, 'The endpoint does not support a parameter that was sent; check the endpoint option.'),
    'InvalidParameter': (INVALID_INPUT, 'Check the ids and network_card_index given to the task.'),
    'InvalidParameter.Conflict': (INVALID_INPUT, 'Check the ids and network_card_index given to the task.'),
    'InvalidInstanceID.Malformed': (INVALID_INPUT, _CHECK_IDS),
    'InvalidParams.EniId': (INVALID_INPUT, _CHECK_IDS),
    'InvalidEniId.Malformed': (INVALID_INPUT, _CHECK_IDS),
    'InvalidOperation.InvalidRegion': (INVALID_INPUT, 'Check the region option: it must be an ECS region id such as cn-hangzhou.'),
    'Forbidden.RegionId': (INVALID_INPUT, 'ECS is not available to this account in that region; check the region option.'),
    'InvalidOperation.InvalidEcsState': (INSTANCE_STATE, 'The instance must be Running or Stopped (some instance types need Stopped); '
                                                         'start or stop it, then run the task again.'),
    'IncorrectInstanceStatus': (INSTANCE_STATE, 'The instance must be Running or Stopped; start or stop it, then run the task again.'),
    'InvalidOperation.InvalidEniState': (INVALID_STATE, 'The ENI is not in a state that allows this; run the task again once it settles.'),
    'InvalidOperation.HasMemberEniAttached': (INVALID_STATE, 'Detach the member ENIs of this trunk ENI first.'),
    'InvalidOperation.EniLinked': (CONFLICT, 'The ENI is linked to other ENIs of the instance; unlink them first, then run the task '
                                             'again.'),
    'InvalidParameter.EniNotBelongEcs': (INVALID_STATE, 'The ENI is not attached to that instance (any more); run the task again.'),
    'InvalidOperation.DetachPrimaryEniNotAllowed': (INVALID_INPUT, 'The primary ENI of an instance cannot be detached; choose a secondary ENI.'),
    'InvalidOperation.InvalidEniType': (INVALID_INPUT, 'Only secondary ENIs can be attached or detached; choose a secondary ENI.'),
    'InvalidOperation.EniServiceManaged': (PERMISSION, 'This ENI is managed by another Alibaba Cloud service; manage it there.'),
    'InvalidUserType.NotSupported': (PERMISSION, 'This account type cannot perform the operation; use a regular Alibaba Cloud account.'),
    'Forbidden.NotSupportRAM': (PERMISSION, 'This operation is not open to RAM users; use the account owner\'s credentials.'),
    'Forbidden.SubUser': (PERMISSION, _RAM),
    'Forbidden.RAM': (PERMISSION, _RAM),
    'Forbidden': (PERMISSION, _RAM),
    'Abs.InvalidAccount.NotFound': (AUTH, 'The account does not exist or the AccessKey has expired; ' + _CHECK_CREDENTIALS),
    'MaxEniCountExceeded': (QUOTA, 'The account reached its ENI quota; raise it in Quota Center or release unused ENIs.'),
    'EniPerInstanceLimitExceeded': (QUOTA, 'The instance type allows no more ENIs; detach another ENI or use a larger instance type.'),
    'SecurityGroupInstanceLimitExceed': (QUOTA, 'The ENI\'s security group holds the maximum number of instances; use another group.'),
    'InvalidOperation.AvailabilityZoneMismatch': (INVALID_INPUT, 'The ENI\'s vSwitch and the instance are in different zones; '
                                                                 'use an ENI in the instance\'s zone.'),
    'InvalidOperation.VpcMismatch': (INVALID_INPUT, 'The ENI and the instance are in different VPCs; use an ENI in the instance\'s VPC.'),
    'InvalidSecurityGroupId.NotVpc': (INVALID_INPUT, 'The ENI\'s security group is not a VPC security group.'),
    'Operation.Conflict': (BUSY, _BUSY),
    'OperationConflict': (BUSY, _BUSY),
    'InvalidOperation.Conflict': (BUSY, _BUSY),
    'InvalidEcsId.NotFound': (NOT_FOUND, 'No such instance in this region; check instance_id and region.'),
    'InvalidInstanceId.NotFound': (NOT_FOUND, 'No such instance in this region; check instance_id and region.'),
    'InvalidEniId.NotFound': (NOT_FOUND, 'No such ENI in this region; check eni_id and region.'),
    'InvalidVSwitchId.NotFound': (NOT_FOUND, 'The ENI\'s vSwitch no longer exists.'),
    'InvalidSecurityGroupId.NotFound': (NOT_FOUND, 'The ENI\'s security group no longer exists.'),
    'ServiceUnavailable': (TRANSIENT, _RETRY_LATER),
    'InternalError': (TRANSIENT, _RETRY_LATER),
    'UnknownError': (TRANSIENT, _RETRY_LATER),
    'InvalidAccessKeyId.NotFound': (AUTH, 'The AccessKey id is unknown; ' + _CHECK_CREDENTIALS),
    'InvalidAccessKeyId.Inactive': (AUTH, 'The AccessKey is disabled; enable it or use another one.'),
    'SignatureDoesNotMatch': (AUTH, 'The AccessKey secret does not match the id; ' + _CHECK_CREDENTIALS),
    'IncompleteSignature': (AUTH, 'The request signature was rejected; ' + _CHECK_CREDENTIALS),
    'InvalidTimeStamp.Expired': (AUTH, 'The clock of the host running the module is off by more than 15 minutes; sync it (NTP).'),
    'SignatureNonceUsed': (AUTH, 'The request nonce was replayed; run the task again.'),
    'InvalidSecurityToken.Expired': (AUTH, 'The STS security_token has expired; request new STS credentials.'),
    'InvalidSecurityToken.Malformed': (AUTH, 'The STS security_token is not valid; ' + _CHECK_CREDENTIALS),
    'InvalidSecurityToken.MismatchWithAccessKey': (AUTH, 'The STS security_token belongs to another AccessKey; ' + _CHECK_CREDENTIALS),
}, prefixes={
    'Throttling': (THROTTLED, _THROTTLED),
    'Rejected.Throttling': (THROTTLED, _THROTTLED),
}, throttled_hint=_THROTTLED)


def percent_encode(value):
    """RFC 3986 encoding as Alibaba Cloud signs it: only A-Z a-z 0-9 - _ . ~ stay as they are."""
    return quote(str(value), safe='-_.~')


def canonical_query(params):
    return '&'.join('%s=%s' % (percent_encode(key), percent_encode(value)) for key, value in sorted(params.items()))


def acs3_authorization(method, path, query, headers, body_sha256, access_key_id, access_key_secret):
    """The ``Authorization`` header value for ACS3-HMAC-SHA256, signing every header given."""
    signed = dict((name.lower(), str(value).strip()) for name, value in headers.items())
    names = sorted(signed)
    canonical_request = '\n'.join([
        method, path, query, ''.join('%s:%s\n' % (name, signed[name]) for name in names), ';'.join(names), body_sha256,
    ])
    string_to_sign = '%s\n%s' % (ALGORITHM, hashlib.sha256(canonical_request.encode('utf-8')).hexdigest())
    signature = hmac.new(access_key_secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()
    return '%s Credential=%s,SignedHeaders=%s,Signature=%s' % (ALGORITHM, access_key_id, ';'.join(names), signature)


# Regions whose ECS endpoint is not ecs.<region>.aliyuncs.com: the endpoint map of the official SDK
# (alibabacloud-ecs20140526 7.11.8, alibabacloud_ecs20140526/client.py, Client.__init__ _endpoint_map). cn-hangzhou
# is left out: ecs.cn-hangzhou.aliyuncs.com serves it too (ECS endpoint page, api-ecs-2014-05-26-endpoint).
ENDPOINT_MAP = {
    'cn-shanghai-finance-1': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-shenzhen-finance-1': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-north-2-gov-1': 'ecs.aliyuncs.com',
    'ap-northeast-2-pop': 'ecs.aliyuncs.com',
    'cn-beijing-finance-pop': 'ecs.aliyuncs.com',
    'cn-beijing-gov-1': 'ecs.aliyuncs.com',
    'cn-beijing-nu16-b01': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-edge-1': 'ecs.cn-qingdao-nebula.aliyuncs.com',
    'cn-fujian': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-haidian-cm12-c01': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-hangzhou-bj-b01': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-hangzhou-finance': 'ecs.aliyuncs.com',
    'cn-hangzhou-internal-prod-1': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-hangzhou-internal-test-1': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-hangzhou-internal-test-2': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-hangzhou-internal-test-3': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-hangzhou-test-306': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-hongkong-finance-pop': 'ecs.aliyuncs.com',
    'cn-huhehaote-nebula-1': 'ecs.cn-qingdao-nebula.aliyuncs.com',
    'cn-shanghai-et15-b01': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-shanghai-et2-b01': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-shanghai-inner': 'ecs.aliyuncs.com',
    'cn-shanghai-internal-test-1': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-shenzhen-inner': 'ecs.aliyuncs.com',
    'cn-shenzhen-st4-d01': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-shenzhen-su18-b01': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-wuhan': 'ecs.aliyuncs.com',
    'cn-yushanfang': 'ecs.aliyuncs.com',
    'cn-zhangbei': 'ecs.aliyuncs.com',
    'cn-zhangbei-na61-b01': 'ecs-cn-hangzhou.aliyuncs.com',
    'cn-zhangjiakou-na62-a01': 'ecs.cn-zhangjiakou.aliyuncs.com',
    'cn-zhengzhou-nebula-1': 'ecs.cn-qingdao-nebula.aliyuncs.com',
    'eu-west-1-oxs': 'ecs.cn-shenzhen-cloudstone.aliyuncs.com',
    'rus-west-1-pop': 'ecs.aliyuncs.com',
}


def default_endpoint(region):
    return 'https://%s' % ENDPOINT_MAP.get(region, 'ecs.%s.aliyuncs.com' % region)


def _utc_now():
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())


def _new_nonce():
    return binascii.hexlify(os.urandom(16)).decode('ascii')  # as random as uuid4().hex, without importing uuid


class EcsDialect:
    """Signs ECS RPC calls (V3) and reads ECS answers into data or ``ApiError``."""

    def __init__(self, endpoint, access_key_id, access_key_secret, security_token=None, now=_utc_now, nonce=_new_nonce):
        parts = urlsplit(endpoint)
        self.base_url = '%s://%s/' % (parts.scheme, parts.netloc)
        self.host = parts.netloc
        self._access_key_id = access_key_id
        self._access_key_secret = access_key_secret
        self._security_token = security_token
        self._now = now
        self._nonce = nonce

    def prepare(self, action, params):
        query = canonical_query(params)
        headers = {
            'host': self.host,
            'x-acs-action': action,
            'x-acs-version': API_VERSION,
            'x-acs-date': self._now(),
            'x-acs-signature-nonce': self._nonce(),
            'x-acs-content-sha256': EMPTY_BODY_SHA256,
        }
        if self._security_token:
            headers['x-acs-security-token'] = self._security_token
        headers['Authorization'] = acs3_authorization(
            'POST', '/', query, headers, EMPTY_BODY_SHA256, self._access_key_id, self._access_key_secret)
        headers['Accept'] = 'application/json'
        return PreparedCall('POST', self.base_url + ('?' + query if query else ''), headers=headers)

    def parse(self, action, response):
        data = decode_json(response, action)
        if 200 <= response.status < 300:
            return data
        code = data.get('Code') or data.get('code') or 'HTTP%s' % response.status
        message = data.get('Message') or data.get('message') or 'HTTP %s without an error message' % response.status
        request_id = data.get('RequestId') or data.get('requestId') or response.headers.get('x-acs-request-id')
        raise ERRORS.error(code, message, response.status, request_id, action)


# camel_dict_to_snake_dict splits VSwitchId as V-Switch-Id; the ECS parameter (and our option) is vswitch_id.
RENAMED_FACTS = {'v_switch_id': 'vswitch_id'}


def interface_from_ecs(item):
    """A ``Nic`` from one NetworkInterfaceSet item of DescribeNetworkInterfaces."""
    facts = camel_dict_to_snake_dict(_unwrap_lists(item))
    for generic, documented in RENAMED_FACTS.items():
        if generic in facts:
            facts[documented] = facts.pop(generic)
    nic_id = facts.pop('network_interface_id')
    status = facts.pop('status', None)
    attached = facts.get('attachment') or {}
    instance_id = facts.pop('instance_id', None) or attached.get('instance_id')
    placement = {'network_card_index': attached.get('network_card_index')}
    phase = STATUS_PHASES.get(status, GONE_OR_BROKEN)
    return Nic(nic_id, status, phase, instance_id=instance_id, primary=facts.get('type') == 'Primary',
               placement=placement, facts=facts, known=status in STATUS_PHASES)


def instance_from_ecs(item):
    """An ``Instance`` from one Instances.Instance item of DescribeInstances."""
    status = item.get('Status')
    vpc = item.get('VpcAttributes') or {}
    interfaces = (item.get('NetworkInterfaces') or {}).get('NetworkInterface')
    return Instance(item.get('InstanceId'), status, INSTANCE_STATES.get(status, REFUSING),
                    location={'zone_id': item.get('ZoneId'), 'vpc_id': vpc.get('VpcId')},
                    interfaces=len(interfaces) if isinstance(interfaces, list) else None)


def _unwrap_lists(value):
    """ECS wraps lists as ``{"SecurityGroupIds": {"SecurityGroupId": [...]}}``; keep just the list."""
    if isinstance(value, dict):
        if len(value) == 1:
            (only,) = value.values()
            if isinstance(only, list):
                return [_unwrap_lists(entry) for entry in only]
        return dict((key, _unwrap_lists(entry)) for key, entry in value.items())
    if isinstance(value, list):
        return [_unwrap_lists(entry) for entry in value]
    return value


class EniAdapter(AdapterBase):
    """The three ENI calls the reconciler needs, for one region."""

    noun = 'ENI'

    PHASE_STATUS = PHASE_STATUS
    # DetachNetworkInterface names the instance: a late copy after a move is refused, so every call is pinned.
    # An ENI stuck in Detaching can take the detach again (DetachNetworkInterface page: "re-initiate the request").
    REDETACH_WHILE_DETACHING = True
    # DescribeNetworkInterfaces reports Attachment.NetworkCardIndex only for an InUse ENI attached with an index (SDK
    # model doc string of DescribeNetworkInterfaceAttribute's Attachment.NetworkCardIndex). ECS does not document which
    # card an ENI attached without one is on; this collection defines it as the instance's default card, index 0 (as
    # EC2 documents for its AttachNetworkInterface), so that an ENI attached without an index is converged for index 0.
    PLACEMENT_DEFAULTS = {'network_card_index': 0}
    ATTACHMENT_FACTS = ('attachment',)

    def __init__(self, client, region):
        super().__init__(client)
        self.region = region
        self.where = 'in region %s' % region

    def get(self, nic_id):
        try:
            data = self.client.call('DescribeNetworkInterfaces', {'RegionId': self.region, 'NetworkInterfaceId.1': nic_id})
        except ApiError as err:
            if err.code == 'InvalidEniId.NotFound':
                return None
            raise
        items = _items(data)
        matching = [item for item in items if item.get('NetworkInterfaceId') == nic_id]
        return interface_from_ecs(matching[0]) if matching else None

    def find(self, eni_ids=None, **filters):
        """Every ENI matching the filters, following NextToken to the last page (ids sent 100 at a time)."""
        base = dict((FILTERS[name][0], value) for name, value in filters.items() if value is not None)
        base['RegionId'] = self.region
        found = []
        for chunk in chunks(eni_ids) if eni_ids else [None]:
            params = dict(base)
            for number, eni_id in enumerate(chunk or (), start=1):
                params['NetworkInterfaceId.%d' % number] = eni_id
            found.extend(self._pages(params))
        return found

    def _pages(self, params):
        params = dict(params, MaxResults=PAGE_SIZE)
        while True:
            data = self.client.call('DescribeNetworkInterfaces', params)
            for item in _items(data):
                yield interface_from_ecs(item)
            token = data.get('NextToken')
            if not token:
                return
            if token == params.get('NextToken'):
                raise malformed('DescribeNetworkInterfaces', 'answered NextToken %r twice: paging does not advance' % token,
                                data.get('RequestId'), api='the ECS API')
            params['NextToken'] = token

    def get_many(self, eni_ids):
        """``{eni_id: Nic or None}`` in ceil(n/100) reads (more only if ECS pages them)."""
        return many_by_id(self, eni_ids)

    def get_instance(self, instance_id, with_limit=False):
        return self.get_instances([instance_id], with_limit)[instance_id]

    def get_instances(self, instance_ids, with_limit=False):
        """``{instance_id: Instance or None}``, 100 per DescribeInstances; ``with_limit`` also reads each instance
        type's ENI limit (DescribeInstanceTypes ``EniQuantity``, 10 types per call)."""
        found = {}
        for chunk in chunks(list(instance_ids)):
            data = self.client.call('DescribeInstances', {'RegionId': self.region, 'InstanceIds': json.dumps(chunk), 'MaxResults': 100})
            instances = (data.get('Instances') or {}).get('Instance')
            if not isinstance(instances, list):
                raise malformed('DescribeInstances', 'answered without an Instances list', data.get('RequestId'), api='the ECS API')
            for item in instances:
                if isinstance(item, dict) and item.get('InstanceId') in chunk:
                    found[item['InstanceId']] = (instance_from_ecs(item), item.get('InstanceType'))
        if with_limit:
            limits = self._eni_limits(set(kind for _instance, kind in found.values() if kind))
            for instance, kind in found.values():
                instance.interface_limit = limits.get(kind)
        return dict((instance_id, found[instance_id][0] if instance_id in found else None) for instance_id in instance_ids)

    def _eni_limits(self, instance_types):
        limits = {}
        for chunk in chunks(sorted(instance_types), size=10):
            params = dict(('InstanceTypes.%d' % number, kind) for number, kind in enumerate(chunk, start=1))
            data = self.client.call('DescribeInstanceTypes', params)
            types = (data.get('InstanceTypes') or {}).get('InstanceType')
            for item in types if isinstance(types, list) else ():
                if isinstance(item, dict) and isinstance(item.get('EniQuantity'), int):
                    limits[item.get('InstanceTypeId')] = item['EniQuantity']
        return limits

    def refusal(self, nic, instance):
        """The error AttachNetworkInterface would answer, in the order ECS checks (AttachNetworkInterface page)."""
        if instance is None:
            return _predicted('InvalidEcsId.NotFound', 'the instance does not exist in region %s' % self.region)
        if instance.state == REFUSING:
            return _predicted('InvalidOperation.InvalidEcsState', 'instance %s is %s; it must be Running or Stopped' % (
                instance.id, instance.status))
        for key, code in (('zone_id', 'InvalidOperation.AvailabilityZoneMismatch'), ('vpc_id', 'InvalidOperation.VpcMismatch')):
            mine, theirs = nic.facts.get(key), instance.location.get(key)
            if mine and theirs and mine != theirs:
                return _predicted(code, 'the ENI is in %s %s, instance %s in %s' % (key[:-3], mine, instance.id, theirs))
        limit = instance.interface_limit
        if limit is not None and instance.interfaces is not None and nic.instance_id != instance.id and instance.interfaces >= limit:
            return _predicted('EniPerInstanceLimitExceeded', 'instance %s already has %d ENIs, the most its type takes' % (
                instance.id, instance.interfaces))
        return None

    def attach(self, nic, instance_id, placement):
        params = {'RegionId': self.region, 'NetworkInterfaceId': nic.id, 'InstanceId': instance_id}
        if placement.get('network_card_index') is not None:
            params['NetworkCardIndex'] = placement['network_card_index']
        self.client.call('AttachNetworkInterface', params, mutating=True)

    def detach(self, nic):
        self.client.call('DetachNetworkInterface', {'RegionId': self.region, 'NetworkInterfaceId': nic.id,
                                                    'InstanceId': nic.instance_id}, mutating=True)


def _predicted(code, why):
    """The ``ApiError`` a real AttachNetworkInterface would fail with, as check mode predicts it."""
    return ERRORS.error(code, 'predicted in check mode: %s' % why, None, None, 'AttachNetworkInterface')


def _items(data):
    sets = data.get('NetworkInterfaceSets')
    items = sets.get('NetworkInterfaceSet') if isinstance(sets, dict) else None
    if not isinstance(items, list):
        raise malformed('DescribeNetworkInterfaces', 'answered without a NetworkInterfaceSets list', data.get('RequestId'), api='the ECS API')
    return items


# The placement an attachment task may pin, with its option spec.
PLACEMENT_OPTIONS = {'network_card_index': {'type': 'int'}}


def placement_problem(option, value):
    return options.bad_minimum(option, value, 0)


def bad_id(option, value):
    """Why ``value`` cannot be the ECS id that ``option`` names, or None."""
    return options.bad_id(option, value, *ID_SHAPES[option])


def connection_argument_spec():
    spec = dict(
        access_key_id=options.from_env(ENV['access_key_id'], type='str', no_log=False),
        access_key_secret=options.from_env(ENV['access_key_secret'], type='str', no_log=True),
        security_token=options.from_env(ENV['security_token'], type='str', no_log=True),
        region=options.from_env(ENV['region'], type='str'),
        endpoint=options.from_env(ENV['endpoint'], type='str'),
    )
    spec.update(options.transport_argument_spec())
    return spec


def connection_problems(params):
    problems = [options.missing(params, name, ENV[name]) for name in ('access_key_id', 'access_key_secret', 'region')]
    region = params.get('region')
    if region and not _REGION.match(region):
        problems.append('region %r is not an ECS region id: use the form cn-hangzhou or ap-southeast-1.' % region)
    endpoint = params.get('endpoint')
    if endpoint and options.bad_url('endpoint', endpoint) is None and urlsplit(endpoint).path.strip('/'):
        problems.append('endpoint %r must be a base URL without a path (ECS requests are signed for the path /), '
                        'for example https://ecs.cn-hangzhou.aliyuncs.com.' % options.url_without_secret(endpoint))
    return [problem for problem in problems + options.common_problems(params) if problem]


def adapter_for(params):
    """An ``EniAdapter`` with its own client, built from validated module parameters."""
    dialect = EcsDialect(params.get('endpoint') or default_endpoint(params['region']), params['access_key_id'],
                         params['access_key_secret'], params.get('security_token'))
    client = Client(dialect, timeout=params['timeout'], validate_certs=params['validate_certs'], ca_path=params.get('ca_path'),
                    max_rate=params.get('max_calls_per_second'), pool_size=params.get('concurrency') or 10)
    return EniAdapter(client, params['region'])
