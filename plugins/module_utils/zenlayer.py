# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Zenlayer Cloud ZEC adapter: ZC2-HMAC-SHA256 signing, vNIC calls, error table, status map.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.

Facts behind this file: Zenlayer Cloud API 2.0, service ``zec``, version 2025-09-01
(``../shared/reference/zenlayer-zec.md``). Every call is a POST of a JSON body to ``<endpoint>/api/v2/zec``;
the action travels in the ``X-ZC-Action`` header.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlsplit

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.cloudnet.nic.plugins.module_utils import options
from ansible_collections.cloudnet.nic.plugins.module_utils.attachment import AdapterBase
from ansible_collections.cloudnet.nic.plugins.module_utils.interface import (
    ATTACHED, ATTACHING, AVAILABLE, CREATING, DETACHING, GONE_OR_BROKEN, READY, REFUSING, STARTING_OR_STOPPING, Instance, Nic,
)
from ansible_collections.cloudnet.nic.plugins.module_utils.listing import chunks, many_by_id
from ansible_collections.cloudnet.nic.plugins.module_utils.client import (
    AUTH, INSTANCE_STATE, INVALID_INPUT, INVALID_STATE, NOT_FOUND, PERMISSION, QUOTA, THROTTLED, TRANSIENT,
    ApiError, Client, ErrorTable, PreparedCall, decode_json, malformed as client_malformed,
)

API_NAME = 'ZEC'
API_VERSION = '2025-09-01'
SERVICE = 'zec'
API_PATH = '/api/v2/zec'
ALGORITHM = 'ZC2-HMAC-SHA256'
SIGNED_HEADERS = 'content-type;host'
CONTENT_TYPE = 'application/json'
DEFAULT_ENDPOINT = 'https://console.zenlayer.com'

ENV = {
    'access_key_id': ['ZENLAYERCLOUD_ACCESS_KEY_ID'],
    'access_key_password': ['ZENLAYERCLOUD_ACCESS_KEY_PASSWORD'],
    'endpoint': ['ZENLAYERCLOUD_ENDPOINT'],
}

PAGE_SIZE = 100
# How often a listing whose pages do not add up (the set changed while it was read) is read again.
LISTING_ATTEMPTS = 3
# zenlayer_vnic_info filter option -> (DescribeNetworkInterfaces parameter, the values it allows or None for any)
FILTERS = {
    'instance_id': ('instanceId', None),
    'status': ('status', ('PENDING', 'AVAILABLE', 'ATTACHING', 'USED', 'DETACHING', 'DELETING', 'CREATE_FAILED')),
    'nic_type': ('nicType', ('Primary', 'Secondary')),
    'region_id': ('regionId', None),
    'vpc_id': ('vpcId', None),
    'subnet_id': ('subnetId', None),
    'security_group_id': ('securityGroupId', None),
    'resource_group_id': ('resourceGroupId', None),
    'name': ('name', None),
}
# ZEC ids have no documented format (the console shows long numbers); only ids of another cloud's shape are refused.
ID_EXAMPLES = {'nic_id': '1475945014486896967', 'nic_ids': '1475945014486896967', 'instance_id': '1478001766933994003'}
ALIBABA_ID_PREFIXES = ('eni-', 'i-')

# PENDING is "being created": the zenlayer Terraform provider names it ZecVnicStatusCreating and waits through it
# (terraform-provider-zenlayercloud zenlayercloud/services/zec/extension_zec.go; the vNIC resource's nicIsOperating).
STATUS_PHASES = {
    'AVAILABLE': AVAILABLE,
    'ATTACHING': ATTACHING,
    'USED': ATTACHED,
    'DETACHING': DETACHING,
    'PENDING': CREATING,
    'DELETING': GONE_OR_BROKEN,
    'CREATE_FAILED': GONE_OR_BROKEN,
}
PHASE_STATUS = {
    AVAILABLE: 'AVAILABLE',
    ATTACHING: 'ATTACHING',
    ATTACHED: 'USED',
    DETACHING: 'DETACHING',
}
# Instance statuses: attach and detach need RUNNING (the vNIC attach and detach pages). The statuses the Terraform
# provider waits through (extension_zec.go InstanceOperatingStatus) pass by themselves; REBOOT too (the CLI's enum).
INSTANCE_STATES = dict([('RUNNING', READY)] + [(status, STARTING_OR_STOPPING) for status in (
    'PENDING', 'DEPLOYING', 'REBUILDING', 'BOOTING', 'STOPPING', 'RELEASING', 'RECYCLING', 'RESIZING', 'REBOOT')])

_CHECK_CREDENTIALS = ('Check access_key_id and access_key_password (or ZENLAYERCLOUD_ACCESS_KEY_ID and '
                      'ZENLAYERCLOUD_ACCESS_KEY_PASSWORD), that the clock of the host running the module is right (NTP), '
                      'and that no proxy rewrites the request.')
_RETRY_LATER = 'The request was retried where that is safe and still failed; run the task again later.'
_SETTLE = 'run the task again once it settles.'
_EGRESS = ('Zenlayer\'s network edge (Cloudflare) refused this host; run the module from another network egress or ask '
           'Zenlayer support to allow this source address.')

# Every code either version of the vNIC doc pages names, and the common codes; grouped by the kind the reconciler acts on.
HINTS_BY_KIND = {
    NOT_FOUND: {
        'INVALID_INSTANCE_NOT_FOUND': 'No such instance in this Zenlayer account; check instance_id.',
        'INVALID_NIC_NOT_FOUND': 'No such vNIC in this Zenlayer account; check nic_id.',
        'OPERATION_FAILED_RESOURCE_NOT_FOUND': 'The vNIC or the instance does not exist; check nic_id and instance_id.',
    },
    INVALID_STATE: {
        'INVALID_NIC_ATTACHED': 'The vNIC is already attached to an instance; ' + _SETTLE,
        'INVALID_NIC_STATUS': 'The vNIC must be AVAILABLE to attach and USED to detach; ' + _SETTLE,
        'OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE': 'The vNIC is not attached to any instance; ' + _SETTLE,
    },
    INSTANCE_STATE: {
        'OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT': 'The instance must be RUNNING; start it, then run the task again.',
        'INVALID_INSTANCE_PRECHECK_ABNORMAL': 'The instance failed ZEC\'s pre-check: it must be RUNNING with the QEMU guest agent installed and running.',
    },
    QUOTA: {
        'INVALID_INSTANCE_NIC_LIMIT': 'The instance already has the most vNICs its instance type allows; detach another vNIC first, or use '
                                      'a larger instance type.',
    },
    INVALID_INPUT: {
        'INVALID_NIC_LB_ASSOCIATED': 'A private IP of the vNIC is a load balancer backend; remove it from the load balancer first.',
        'INVALID_NIC_INSTANCE_REGION_MISMATCH': 'The vNIC and the instance are in different regions; use a vNIC in the instance\'s region.',
        'INVALID_NIC_PRIMARY_CANT_DETACH': 'The primary vNIC of an instance cannot be detached; choose a secondary vNIC.',
        'INVALID_PARAMETER': 'ZEC refused a parameter; check nic_id and instance_id.',
        'UNSUPPORTED_OPERATION': 'The endpoint does not support this action in API version %s; check the endpoint option.' % API_VERSION,
    },
    AUTH: {
        'AUTHFAILURE_SIGNATURE_FAILURE': 'The request signature was rejected. ' + _CHECK_CREDENTIALS,
    },
    PERMISSION: {
        'SECURITY_CHALLENGE': _EGRESS,
        'REQUEST_BLOCKED': 'A Zenlayer security policy blocked the request; ask Zenlayer support to review it, quoting the request id '
                           '(if any) and the time of the run.',
    },
    THROTTLED: {
        'REQUEST_LIMIT_EXCEEDED': 'Zenlayer throttled the account\'s API calls and retries ran out; lower forks or run the task again later.',
    },
    TRANSIENT: {
        'INTERNAL_SERVER_ERROR': _RETRY_LATER,
        'SERVICE_TEMPORARY_UNAVAILABLE': _RETRY_LATER,
        'REQUEST_TIMED_OUT': _RETRY_LATER,
        'INVALID_OPERATION_TIMEOUT': 'The ZEC backend timed out on the operation; run the task again later.',
    },
}
ERRORS = ErrorTable(dict((code, (kind, hint)) for kind, hints in HINTS_BY_KIND.items() for code, hint in hints.items()),
                    throttled_hint=HINTS_BY_KIND[THROTTLED]['REQUEST_LIMIT_EXCEEDED'])


def zc2_signature(access_key_password, timestamp, body, content_type, host):
    """The hex ZC2-HMAC-SHA256 signature of a POST ``body`` (bytes), keyed with the raw access key password.

    The canonical URI is always ``/`` and the query always empty; ``content_type`` and ``host`` are signed verbatim.
    """
    canonical_request = '\n'.join([
        'POST', '/', '', 'content-type:%s\nhost:%s\n' % (content_type, host), SIGNED_HEADERS, hashlib.sha256(body).hexdigest(),
    ])
    string_to_sign = '%s\n%s\n%s' % (ALGORITHM, timestamp, hashlib.sha256(canonical_request.encode('utf-8')).hexdigest())
    return hmac.new(access_key_password.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()


def zc2_authorization(access_key_id, signature):
    return '%s Credential=%s, SignedHeaders=%s, Signature=%s' % (ALGORITHM, access_key_id, SIGNED_HEADERS, signature)


def compact_json(params):
    return json.dumps(params, separators=(',', ':')).encode('utf-8')


def _unix_now():
    return str(int(time.time()))


class ZecDialect:
    """Signs ZEC calls and reads ZEC answers into the ``response`` object or an ``ApiError``."""

    def __init__(self, endpoint, access_key_id, access_key_password, now=_unix_now):
        parts = urlsplit(endpoint)
        self.url = '%s://%s%s%s' % (parts.scheme, parts.netloc, parts.path.rstrip('/'), API_PATH)
        self.host = parts.netloc
        self._access_key_id = access_key_id
        self._access_key_password = access_key_password
        self._now = now

    def prepare(self, action, params):
        body = compact_json(params)
        timestamp = self._now()
        signature = zc2_signature(self._access_key_password, timestamp, body, CONTENT_TYPE, self.host)
        headers = {
            'Host': self.host,
            'Content-Type': CONTENT_TYPE,
            'X-ZC-Action': action,
            'X-ZC-Version': API_VERSION,
            'X-ZC-Service': SERVICE,
            'X-ZC-Timestamp': timestamp,
            'X-ZC-Signature-Method': ALGORITHM,
            'Authorization': zc2_authorization(self._access_key_id, signature),
            'Accept': CONTENT_TYPE,
        }
        return PreparedCall('POST', self.url, headers=headers, body=body)

    def parse(self, action, response):
        refusal = _edge_refusal(response)
        if refusal:
            # No API answered, so there is no requestId; Cloudflare's Ray ID is what Zenlayer support can trace.
            raise ERRORS.error(refusal[0], refusal[1], response.status, response.headers.get('cf-ray'), action)
        try:
            data = decode_json(response, action)
        except ApiError:
            if response.status == 404:
                raise self._nothing_there(action)
            raise
        if 200 <= response.status < 300 and isinstance(data.get('response'), dict):
            return data['response']
        if 200 <= response.status < 300 and not data.get('code'):
            raise malformed(action, 'answered HTTP %s without a "response" object' % response.status, data.get('requestId'))
        if response.status == 404 and not data.get('code'):
            raise self._nothing_there(action)
        code = data.get('code') or 'HTTP%s' % response.status
        message = data.get('message') or 'HTTP %s without an error message' % response.status
        raise ERRORS.error(code, message, response.status, data.get('requestId'), action)

    def _nothing_there(self, action):
        """HTTP 404 without a ZEC error code: the endpoint's path leads nowhere the API answers."""
        return ApiError('EndpointNotFound', 'HTTP 404 at %s%s: no ZEC API answers there' % (self.host, urlsplit(self.url).path), http_status=404,
                        action=action, kind=INVALID_INPUT,
                        hint='Check the endpoint option: give the base URL the API is under, such as %s (the module adds %s).' % (
                            DEFAULT_ENDPOINT, API_PATH))


def _edge_refusal(response):
    """``(code, message)`` when Zenlayer's network edge, not the API, refused the request (the SDKs' special cases)."""
    if response.status == 403 and (response.headers.get('cf-mitigated') or '').strip().lower() == 'challenge':
        return 'SECURITY_CHALLENGE', 'the request was stopped by a Cloudflare security challenge (HTTP 403), not by the API'
    if response.status == 451:
        return 'REQUEST_BLOCKED', 'the request was blocked by a security policy (HTTP 451)'
    return None


def malformed(action, what, request_id=None):
    return client_malformed(action, what, request_id, api='the Zenlayer API')


def interface_from_zec(item):
    """A ``Nic`` from one NicInfo item of DescribeNetworkInterfaces."""
    facts = camel_dict_to_snake_dict(item)
    nic_id = facts.pop('nic_id')
    status = facts.pop('status', None)
    instance_id = facts.pop('instance_id', None)
    return Nic(nic_id, status, STATUS_PHASES.get(status, GONE_OR_BROKEN), instance_id=instance_id,
               primary=item.get('nicType') == 'Primary', facts=facts, known=status in STATUS_PHASES)


def instance_from_zec(item):
    """An ``Instance`` from one InstanceInfo item of DescribeInstances.

    An instance has no regionId (SDK model InstanceInfo); its vNICs do, and they are in the instance's region.
    No ZEC read tells an instance type's vNIC limit, so it is left unknown.
    """
    status = item.get('status')
    nics = [nic for nic in item.get('nics') or () if isinstance(nic, dict)]
    regions = set(nic.get('regionId') for nic in nics if nic.get('regionId'))
    return Instance(item.get('instanceId'), status, INSTANCE_STATES.get(status, REFUSING),
                    location={'region_id': regions.pop() if len(regions) == 1 else None},
                    interfaces=len(nics) if isinstance(item.get('nics'), list) else None)


class VnicAdapter(AdapterBase):
    """The three vNIC calls the reconciler needs. vNICs are found by id across the account's regions."""

    noun = 'vNIC'
    where = 'in this Zenlayer account'

    PHASE_STATUS = PHASE_STATUS
    # DetachNetworkInterface names only the vNIC: a late copy of it detaches the vNIC from wherever it is by then.
    UNPINNED_CALLS = frozenset(['detach'])

    def get(self, nic_id):
        try:
            data = self.client.call('DescribeNetworkInterfaces', {'nicIds': [nic_id]})
        except ApiError as err:
            if err.code in ('INVALID_NIC_NOT_FOUND', 'OPERATION_FAILED_RESOURCE_NOT_FOUND'):
                return None
            raise
        matching = [item for item in _data_set(data) if item.get('nicId') == nic_id]
        return interface_from_zec(matching[0]) if matching else None

    def find(self, nic_ids=None, **filters):
        """Every vNIC matching the filters, following pageNum to the last page (ids sent 100 at a time)."""
        base = dict((FILTERS[name][0], value) for name, value in filters.items() if value is not None)
        found = []
        for chunk in chunks(nic_ids) if nic_ids else [None]:
            params = dict(base, nicIds=chunk) if chunk else dict(base)
            found.extend(self._pages(params))
        return found

    def _pages(self, params):
        """Every vNIC of one listing. Paging by number skips or repeats a vNIC when the set changes between two pages, so a
        listing whose total changed while it was read, or whose pages do not add up to it, is read again, up to
        ``LISTING_ATTEMPTS`` times."""
        for _attempt in range(LISTING_ATTEMPTS):
            items, totals = self._read_pages(params)
            distinct = set(item.get('nicId') for item in items)
            if len(set(totals)) <= 1 and (not isinstance(totals[0], int) or len(distinct) == totals[0] == len(items)):
                return [interface_from_zec(item) for item in items]
        raise ApiError('ListingUnstable', 'the vNICs matching the filters kept changing while their pages were read (%d times)'
                       % LISTING_ATTEMPTS, action='DescribeNetworkInterfaces', kind=TRANSIENT,
                       hint='Another process is creating, deleting or moving vNICs; run the task again once it settles.')

    def _read_pages(self, params):
        """``(items, the totalCount of each page)``, following pageNum to the last page."""
        number = 1
        items, totals = [], []
        previous = None
        while True:
            data = self.client.call('DescribeNetworkInterfaces', dict(params, pageSize=PAGE_SIZE, pageNum=number))
            page = _data_set(data)
            items.extend(page)
            total = data.get('totalCount')
            totals.append(total)
            page_ids = tuple(item.get('nicId') for item in page)
            if page and page_ids == previous:
                raise malformed('DescribeNetworkInterfaces', 'answered page %d with the same vNICs as page %d: paging does not advance'
                                % (number, number - 1), data.get('requestId'))
            previous = page_ids
            if len(page) < PAGE_SIZE or (isinstance(total, int) and len(items) >= total):
                return items, totals
            number += 1

    def get_many(self, nic_ids):
        """``{nic_id: Nic or None}`` in ceil(n/100) reads."""
        return many_by_id(self, nic_ids)

    def get_instance(self, instance_id, with_limit=False):
        return self.get_instances([instance_id], with_limit)[instance_id]

    def get_instances(self, instance_ids, with_limit=False):  # pylint: disable=unused-argument  # ZEC exposes no limit to read
        """``{instance_id: Instance or None}``, 100 per DescribeInstances."""
        found = {}
        for chunk in chunks(list(instance_ids)):
            data = self.client.call('DescribeInstances', {'instanceIds': chunk, 'pageSize': PAGE_SIZE, 'pageNum': 1})
            items = data.get('dataSet')
            if items is None and data.get('totalCount') == 0:
                items = []
            if not isinstance(items, list):
                raise malformed('DescribeInstances', 'answered without a dataSet list', data.get('requestId'))
            for item in items:
                if isinstance(item, dict) and item.get('instanceId') in chunk:
                    found[item['instanceId']] = instance_from_zec(item)
        return dict((instance_id, found.get(instance_id)) for instance_id in instance_ids)

    def refusal(self, nic, instance):
        """The error AttachNetworkInterface would answer (the vNIC attach page's rules, in the emulator's order)."""
        if instance is None:
            return _predicted('INVALID_INSTANCE_NOT_FOUND', 'the instance does not exist')
        region = instance.location.get('region_id')
        if region and nic.facts.get('region_id') and region != nic.facts['region_id']:
            return _predicted('INVALID_NIC_INSTANCE_REGION_MISMATCH', 'the vNIC is in region %s, instance %s in %s' % (
                nic.facts['region_id'], instance.id, region))
        if instance.state == REFUSING:
            return _predicted('OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT', 'instance %s is %s; it must be RUNNING' % (
                instance.id, instance.status))
        limit = instance.interface_limit
        if limit is not None and instance.interfaces is not None and nic.instance_id != instance.id and instance.interfaces >= limit:
            return _predicted('INVALID_INSTANCE_NIC_LIMIT', 'instance %s already has %d vNICs, the most its type takes' % (
                instance.id, instance.interfaces))
        return None

    def attach(self, nic, instance_id, placement):
        """Attach ``nic`` to ``instance_id``; ZEC has no placement to pin, so ``placement`` is always empty."""
        self.client.call('AttachNetworkInterface', {'nicId': nic.id, 'instanceId': instance_id}, mutating=True)

    def detach(self, nic):
        self.client.call('DetachNetworkInterface', {'nicId': nic.id}, mutating=True)


def _predicted(code, why):
    """The ``ApiError`` a real AttachNetworkInterface would fail with, as check mode predicts it."""
    return ERRORS.error(code, 'predicted in check mode: %s' % why, None, None, 'AttachNetworkInterface')


def _data_set(data):
    items = data.get('dataSet')
    if items is None and data.get('totalCount') == 0:
        return []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise malformed('DescribeNetworkInterfaces', 'answered without a dataSet list', data.get('requestId'))
    return items


# ZEC has no placement an attachment task could pin.
PLACEMENT_OPTIONS = {}


def placement_problem(option, value):  # pylint: disable=unused-argument  # the interface every adapter module offers
    return None


def bad_id(option, value):
    """Why ``value`` cannot be a ZEC id, or None: blank, odd characters, or the shape of an Alibaba Cloud id."""
    problem = options.bad_id(option, value, example=ID_EXAMPLES[option])
    if problem is None and value is not None and value.startswith(ALIBABA_ID_PREFIXES):
        problem = ('%s %r looks like an Alibaba Cloud id; give the Zenlayer id (for example %s), or use '
                   'cloudnet.nic.alicloud_eni_attachment for Alibaba Cloud.' % (option, value, ID_EXAMPLES[option]))
    return problem


def bad_endpoint_path(value):
    """The endpoint is a base URL: the module adds ``/api/v2/zec`` itself."""
    if value and options.bad_url('endpoint', value) is None and urlsplit(value).path.rstrip('/').endswith(API_PATH):
        return 'endpoint %r must be the base URL without %s, for example %s.' % (options.url_without_secret(value), API_PATH, DEFAULT_ENDPOINT)
    return None


def connection_argument_spec():
    spec = dict(
        access_key_id=options.from_env(ENV['access_key_id'], type='str', no_log=False),
        access_key_password=options.from_env(ENV['access_key_password'], type='str', no_log=True),
        endpoint=options.from_env(ENV['endpoint'], type='str'),
    )
    spec.update(options.transport_argument_spec())
    return spec


def connection_problems(params):
    problems = [options.missing(params, name, ENV[name]) for name in ('access_key_id', 'access_key_password')]
    problems.append(bad_endpoint_path(params.get('endpoint')))
    return [problem for problem in problems + options.common_problems(params) if problem]


def adapter_for(params):
    """A ``VnicAdapter`` with its own client, built from validated module parameters."""
    dialect = ZecDialect(params.get('endpoint') or DEFAULT_ENDPOINT, params['access_key_id'], params['access_key_password'])
    client = Client(dialect, timeout=params['timeout'], validate_certs=params['validate_certs'], ca_path=params.get('ca_path'),
                    max_rate=params.get('max_calls_per_second'), pool_size=params.get('concurrency') or 10)
    return VnicAdapter(client)
