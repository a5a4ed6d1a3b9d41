# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Zenlayer Cloud ZEC API 2.0 (``POST /api/v2/zec``): vNIC attach/detach/describe, DescribeInstances, DescribeZones.

Requests are authenticated with ZC2-HMAC-SHA256; answers use ZEC's envelopes, codes and HTTP statuses
(README.md cites the source of each). Writes check the world as it is; reads answer from the world as it was
``read_lag_seconds`` ago.
"""

from __future__ import annotations

import json

import auth
from clock import iso_utc
from wire import ApiError, Reply, common_fault_reply, new_request_id

VERSIONS = ('2025-09-01', '2024-04-01')
DETACHED = {'status': 'AVAILABLE', 'instance_id': None}
DEFAULT_NIC_LIMIT = 8
NIC_FILTERS = {'regionId': 'region_id', 'vpcId': 'vpc_id', 'subnetId': 'subnet_id', 'instanceId': 'instance_id', 'status': 'status',
               'nicType': 'nic_type', 'nicSubnetType': 'nic_subnet_type', 'securityGroupId': 'security_group_id'}
INSTANCE_FILTERS = {'zoneId': 'zone_id', 'status': 'status', 'imageId': 'image_id', 'instanceType': 'instance_type'}
SERVER_ERRORS = {500: ('INTERNAL_SERVER_ERROR', 'An internal error occurred; try again later.'),
                 503: ('SERVICE_TEMPORARY_UNAVAILABLE', 'The service is temporarily unavailable; try again later.')}


def bad_parameter(message):
    return ApiError(400, 'INVALID_PARAMETER', message)


def string(body, name, required=True):
    value = body.get(name)
    if value is None or value == '':
        if required:
            raise bad_parameter('The parameter %s is required.' % name)
        return None
    if not isinstance(value, str):
        raise bad_parameter('The parameter %s must be a string.' % name)
    return value


def id_list(body, name, limit=100):
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise bad_parameter('The parameter %s must be a list of strings.' % name)
    if len(value) > limit:
        raise bad_parameter('The parameter %s accepts at most %d entries.' % (name, limit))
    return value


def integer(body, name, default, low, high):
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise bad_parameter('The parameter %s must be an integer from %d to %d.' % (name, low, high))
    return value


def paged(body, items, default_size=20):
    size = integer(body, 'pageSize', default_size, 1, 1000)
    number = integer(body, 'pageNum', 1, 1, 10 ** 9)
    start = (number - 1) * size
    return {'totalCount': len(items), 'dataSet': items[start:start + size]}


def render_nic(nic_id, nic):
    group = nic.get('resource_group') or {}
    return {
        'nicId': nic_id,
        'name': nic.get('name', nic_id),
        'status': nic['status'],
        'nicType': nic.get('nic_type', 'Secondary'),
        'regionId': nic.get('region_id'),
        'nicSubnetType': nic.get('nic_subnet_type', 'IPv4'),
        'publicIpList': list(nic.get('public_ip_list', [])),
        'privateIpList': list(nic.get('private_ip_list', [])),
        'primaryIpv4': nic.get('primary_ipv4'),
        'primaryIpv6': nic.get('primary_ipv6'),
        'ipv6Cidr': nic.get('ipv6_cidr'),
        'secondaryIpv4s': list(nic.get('secondary_ipv4s', [])),
        'macAddress': nic.get('mac_address'),
        'instanceId': nic.get('instance_id'),
        'vpcId': nic.get('vpc_id'),
        'subnetId': nic.get('subnet_id'),
        'createTime': nic.get('create_time'),
        'updateTime': nic.get('update_time'),
        'resourceGroup': {'resourceGroupId': group.get('resource_group_id'), 'resourceGroupName': group.get('resource_group_name')},
        'securityGroupId': nic.get('security_group_id'),
        'tags': {'tags': [{'key': key, 'value': value} for key, value in sorted((nic.get('tags') or {}).items())]},
    }


def render_zone(zone_id, zone):
    return {'zoneId': zone_id, 'regionId': zone.get('region_id'), 'zoneName': zone.get('zone_name', zone_id), 'timeZone': zone.get('time_zone'),
            'cityName': zone.get('city_name'), 'cityCode': zone.get('city_code'), 'countryCode': zone.get('country_code'),
            'countryName': zone.get('country_name'), 'supportHaVip': zone.get('support_ha_vip', False)}


class ZecApi:
    """The ZEC actions over the ``zec`` section of the world."""

    cloud = 'zec'

    def __init__(self, world):
        self.world = world
        self.actions = {
            'AttachNetworkInterface': self.attach,
            'DetachNetworkInterface': self.detach,
            'DescribeNetworkInterfaces': self.describe_network_interfaces,
            'DescribeInstances': self.describe_instances,
            'DescribeZones': self.describe_zones,
        }

    @property
    def state(self):
        return self.world.state['zec']

    # plumbing ----------------------------------------------------------------------------------------

    @staticmethod
    def body_of(request):
        try:
            body = json.loads(request.body.decode('utf-8') or '{}')
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def identify(self, request):
        return request.header('X-ZC-Action', ''), self.body_of(request) or {}, 'zc2'

    def handle(self, request, call):
        request_id = new_request_id('T')
        try:
            if request.method != 'POST':
                raise ApiError(405, 'INVALID_REQUEST_METHOD', 'Only POST is supported.')
            with self.world.lock:
                passwords = dict((key['access_key_id'], key['access_key_password']) for key in self.state['credentials'])
                auth.verify_zec(request, passwords, self.world.now(), float(self.world.settings['zec_skew_seconds']))
                version = request.header('X-ZC-Version')
                if version not in VERSIONS:
                    raise bad_parameter('The X-ZC-Version header must be one of %s.' % ', '.join(VERSIONS))
                if not call.action:
                    raise bad_parameter('The X-ZC-Action header is required.')
                handler = self.actions.get(call.action)
                if handler is None:
                    raise ApiError(400, 'UNSUPPORTED_OPERATION', 'The action %s is not supported.' % call.action)
                body = self.body_of(request)
                if body is None:
                    raise bad_parameter('The request body must be a JSON object.')
                self.world.settle()
                data = handler(body, call)
                self.world.commit(call.cause())
            reply = Reply.json(200, {'requestId': request_id, 'response': dict(data, requestId=request_id)})
        except ApiError as err:
            reply = self.error_reply(err, request_id)
        reply.request_id = request_id
        return reply

    @staticmethod
    def error_reply(err, request_id):
        reply = Reply.json(err.status, {'requestId': request_id, 'code': err.code, 'message': err.message}, outcome=err.code)
        reply.request_id = request_id
        return reply

    def fault_reply(self, rule, _request):
        request_id = new_request_id('T')
        kind = rule['fault']
        if kind == 'throttle':
            reply = self.error_reply(ApiError(429, 'REQUEST_LIMIT_EXCEEDED', 'Request limit exceeded; slow down.'), request_id)
            if rule.get('retry_after') is not None:
                reply.headers['Retry-After'] = str(rule['retry_after'])
            return reply
        if kind == 'http_error' and rule['status'] in SERVER_ERRORS:
            return self.error_reply(ApiError(rule['status'], *SERVER_ERRORS[rule['status']]), request_id)
        if kind == 'http_error' and rule['status'] == 429 and rule['variant'] == 'json':
            reply = self.error_reply(ApiError(429, *SERVER_ERRORS[500]), request_id)
            reply.outcome = 'http_429'
            return reply
        return common_fault_reply(rule, {'requestId': request_id, 'result': 'unexpected'})

    # lookups -----------------------------------------------------------------------------------------

    def nic(self, nic_id):
        nic = self.state['nics'].get(nic_id)
        if nic is None:
            raise ApiError(404, 'INVALID_NIC_NOT_FOUND', 'The vNIC %s does not exist.' % nic_id)
        return nic

    def instance(self, instance_id):
        instance = self.state['instances'].get(instance_id)
        if instance is None:
            raise ApiError(404, 'INVALID_INSTANCE_NOT_FOUND', 'The instance %s does not exist.' % instance_id)
        return instance

    @staticmethod
    def nics_on(nics, instance_id):
        return [(nic_id, nic) for nic_id, nic in nics.items() if nic.get('instance_id') == instance_id]

    def nic_limit(self, instance):
        """The instance's own ``nic_limit``, else its type's (``zec.instance_types``): ZEC's limit depends on the instance type."""
        if instance.get('nic_limit') is not None:
            return int(instance['nic_limit'])
        return int(self.state['instance_types'].get(instance.get('instance_type'), {}).get('nic_limit', DEFAULT_NIC_LIMIT))

    def records(self, call):
        """The ZEC records a read answers from (the world ``read_lag_seconds`` ago); notes ``as_of`` on the call."""
        view, call.as_of = self.world.read_view()
        return view['zec']

    @staticmethod
    def require_running(instance):
        if instance.get('status') != 'RUNNING':
            raise ApiError(400, 'OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT', 'The instance is %s; it must be RUNNING.' % instance.get('status'))

    # actions -----------------------------------------------------------------------------------------

    def attach(self, body, call):
        nic_id, instance_id = string(body, 'nicId'), string(body, 'instanceId')
        nic, instance = self.nic(nic_id), self.instance(instance_id)
        if nic['status'] == 'USED':
            raise ApiError(400, 'INVALID_NIC_ATTACHED', 'The vNIC is already attached to instance %s.' % nic.get('instance_id'))
        if nic['status'] != 'AVAILABLE':
            raise ApiError(400, 'INVALID_NIC_STATUS', 'The vNIC is %s; it must be AVAILABLE.' % nic['status'])
        if nic.get('region_id') != instance.get('region_id'):
            raise ApiError(409, 'INVALID_NIC_INSTANCE_REGION_MISMATCH', 'The vNIC and the instance are not in the same region.')
        self.require_running(instance)
        limit = self.nic_limit(instance)
        if len(self.nics_on(self.state['nics'], instance_id)) >= limit:
            raise ApiError(400, 'INVALID_INSTANCE_NIC_LIMIT', 'The instance already has %d vNICs, the most it can have.' % limit)
        now = iso_utc(self.world.now())
        self.world.begin_transition(nic, {'status': 'ATTACHING', 'instance_id': instance_id, 'update_time': now},
                                    {'status': 'USED'}, dict(DETACHED), 'attach_delay', call.transition_outcome())
        return {}

    def detach(self, body, call):
        nic = self.nic(string(body, 'nicId'))
        if nic.get('nic_type') == 'Primary':
            raise ApiError(409, 'INVALID_NIC_PRIMARY_CANT_DETACH', 'The primary vNIC of an instance cannot be detached.')
        if nic['status'] == 'AVAILABLE' or not nic.get('instance_id'):
            raise ApiError(403, 'OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE', 'The vNIC is not attached to any instance.')
        if nic['status'] != 'USED':
            raise ApiError(400, 'INVALID_NIC_STATUS', 'The vNIC is %s; it must be USED.' % nic['status'])
        self.require_running(self.state['instances'].get(nic['instance_id'], {}))
        now = iso_utc(self.world.now())
        self.world.begin_transition(nic, {'status': 'DETACHING', 'update_time': now}, dict(DETACHED), {'status': 'USED'}, 'detach_delay',
                                    call.transition_outcome())
        return {}

    def describe_network_interfaces(self, body, call):
        wanted = id_list(body, 'nicIds')
        filters = dict((field, string(body, name, required=False)) for name, field in NIC_FILTERS.items() if body.get(name) is not None)
        name = string(body, 'name', required=False)
        group = string(body, 'resourceGroupId', required=False)
        items = [render_nic(nic_id, nic) for nic_id, nic in self.records(call)['nics'].items()
                 if (wanted is None or nic_id in wanted) and all(nic.get(field) == value for field, value in filters.items())
                 and (not name or name in nic.get('name', '')) and (not group or (nic.get('resource_group') or {}).get('resource_group_id') == group)]
        return paged(body, items)

    def describe_instances(self, body, call):
        wanted = id_list(body, 'instanceIds')
        filters = dict((field, string(body, name, required=False)) for name, field in INSTANCE_FILTERS.items() if body.get(name) is not None)
        name = string(body, 'name', required=False)
        records = self.records(call)
        items = [self.render_instance(instance_id, instance, records['nics']) for instance_id, instance in records['instances'].items()
                 if (wanted is None or instance_id in wanted) and all(instance.get(field) == value for field, value in filters.items())
                 and (not name or name in instance.get('instance_name', ''))]
        return paged(body, items)

    def describe_zones(self, body, _call):
        """``zoneIds`` filter -> ``zoneSet`` of ZoneInfo (SDK ``DescribeZonesRequest``/``ZoneInfo``), from ``zec.zones``."""
        wanted = id_list(body, 'zoneIds')
        zones = [render_zone(zone_id, zone) for zone_id, zone in self.state['zones'].items() if wanted is None or zone_id in wanted]
        return {'zoneSet': zones}

    def render_instance(self, instance_id, instance, all_nics):
        nics = [render_nic(nic_id, nic) for nic_id, nic in self.nics_on(all_nics, instance_id)]
        return {
            'instanceId': instance_id,
            'instanceName': instance.get('instance_name', instance_id),
            'zoneId': instance.get('zone_id'),
            'instanceType': instance.get('instance_type'),
            'cpu': instance.get('cpu'),
            'memory': instance.get('memory'),
            'imageId': instance.get('image_id'),
            'imageName': instance.get('image_name'),
            'status': instance['status'],
            'nicNetworkType': instance.get('nic_network_type', 'Auto'),
            'publicIpAddresses': [ip for nic in nics for ip in nic['publicIpList']],
            'privateIpAddresses': [ip for nic in nics for ip in nic['privateIpList']],
            'subnetId': instance.get('subnet_id'),
            'securityGroupId': instance.get('security_group_id'),
            'enableAgent': instance.get('enable_agent', True),
            'createTime': instance.get('create_time'),
            'resourceGroupId': instance.get('resource_group_id'),
            'resourceGroupName': instance.get('resource_group_name'),
            'nics': nics,
        }
