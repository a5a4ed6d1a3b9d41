# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ECS RPC API (version 2014-05-26): ENI attach/detach/describe and DescribeInstances.

Requests are authenticated with V3 (ACS3-HMAC-SHA256, ``x-acs-*`` headers) or V1 (HMAC-SHA1 query
parameters); answers use ECS's envelopes, codes and HTTP statuses (reference notes, sections 4 and 5).
"""

from __future__ import annotations

import base64
import binascii
import json
import re

import auth
from wire import ApiError, Reply, common_fault_reply, new_request_id

VERSION = '2014-05-26'
COMMON_PARAMS = frozenset(('Action', 'Version', 'Format', 'AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion',
                           'SignatureNonce', 'SignatureType', 'Timestamp', 'SecurityToken'))
ENI_ID = re.compile(r'eni-[A-Za-z0-9-]+')
INSTANCE_ID = re.compile(r'i-[A-Za-z0-9-]+')
INDEXED = re.compile(r'(.+)\.(\d+)')
ATTACHABLE_INSTANCE = ('Running', 'Stopped')
DETACHED = {'status': 'Available', 'instance_id': None, 'device_index': None, 'network_card_index': None}
ENI_FILTERS = {'InstanceId': 'instance_id', 'Status': 'status', 'Type': 'type', 'VpcId': 'vpc_id', 'VSwitchId': 'vswitch_id',
               'PrimaryIpAddress': 'private_ip_address', 'NetworkInterfaceName': 'name', 'ResourceGroupId': 'resource_group_id'}
INSTANCE_FILTERS = {'ZoneId': 'zone_id', 'Status': 'status', 'VpcId': 'vpc_id', 'VSwitchId': 'vswitch_id', 'InstanceName': 'instance_name'}
THROTTLE_MESSAGES = {'Throttling': 'Request was denied due to request throttling.',
                     'Throttling.User': 'Request was denied due to user flow control.'}
SERVER_ERRORS = {500: ('InternalError', 'The request processing has failed due to some unknown error, exception or failure.'),
                 503: ('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.')}


def missing(name):
    return ApiError(400, 'MissingParameter', 'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name)


def invalid(name, why):
    return ApiError(400, 'InvalidParameter', 'The specified parameter "%s" is not valid: %s' % (name, why))


def required(params, name):
    value = params.get(name)
    if not value:
        raise missing(name)
    return value


def integer(params, name, default=None, low=None):
    value = params.get(name)
    if value in (None, ''):
        return default
    try:
        number = int(value)
    except ValueError:
        raise invalid(name, 'not an integer') from None
    if low is not None and number < low:
        raise invalid(name, 'less than %d' % low)
    return number


def indexed(params, name, limit=100):
    """The values of ``Name.1`` .. ``Name.N`` in index order; N is at most ``limit``."""
    found = []
    for key, value in params.items():
        match = INDEXED.fullmatch(key)
        if match and match.group(1) == name:
            number = int(match.group(2))
            if not 1 <= number <= limit:
                raise invalid(key, 'N must be between 1 and %d' % limit)
            found.append((number, value))
    return [value for _number, value in sorted(found)]


def encode_token(offset):
    return base64.urlsafe_b64encode(('emu-page:%d' % offset).encode()).decode().rstrip('=')


def decode_token(token):
    try:
        text = base64.urlsafe_b64decode(token + '=' * (-len(token) % 4)).decode()
        prefix, offset = text.split(':')
        if prefix == 'emu-page' and int(offset) >= 0:
            return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise invalid('NextToken', 'not a token this API returned')


def page(params, items, max_results=(10, 10, 500), page_size=(10, 100)):
    """One page of ``items`` and the paging fields of the response.

    ``MaxResults``/``NextToken`` (clamped to ``max_results`` = default, low, high) unless only the deprecated
    ``PageNumber``/``PageSize`` are given.
    """
    if ('PageNumber' in params or 'PageSize' in params) and not ('MaxResults' in params or 'NextToken' in params):
        number = integer(params, 'PageNumber', 1, low=1)
        size = integer(params, 'PageSize', page_size[0], low=1)
        if size > page_size[1]:
            raise invalid('PageSize', 'at most %d' % page_size[1])
        start = (number - 1) * size
        return items[start:start + size], {'TotalCount': len(items), 'PageNumber': number, 'PageSize': size}
    default, low, high = max_results
    size = min(max(integer(params, 'MaxResults', default), low), high)
    start = decode_token(params['NextToken']) if params.get('NextToken') else 0
    more = start + size < len(items)
    return items[start:start + size], {'TotalCount': len(items), 'NextToken': encode_token(start + size) if more else ''}


def render_eni(eni_id, eni):
    attached = eni.get('instance_id')
    item = {
        'NetworkInterfaceId': eni_id,
        'NetworkInterfaceName': eni.get('name', ''),
        'Description': eni.get('description', ''),
        'Status': eni['status'],
        'Type': eni.get('type', 'Secondary'),
        'InstanceId': attached or '',
        'VpcId': eni.get('vpc_id', ''),
        'VSwitchId': eni.get('vswitch_id', ''),
        'ZoneId': eni.get('zone_id', ''),
        'MacAddress': eni.get('mac_address', ''),
        'PrivateIpAddress': eni.get('private_ip_address', ''),
        'CreationTime': eni.get('creation_time', ''),
        'OwnerId': eni.get('owner_id', '1234567890123456'),
        'ResourceGroupId': eni.get('resource_group_id', ''),
        'ServiceManaged': False,
        'DeleteOnRelease': eni.get('type') == 'Primary',
        'QueueNumber': 1,
        'NetworkInterfaceTrafficMode': 'Standard',
        'SourceDestCheck': False,
        'SecurityGroupIds': {'SecurityGroupId': list(eni.get('security_group_ids', []))},
        'PrivateIpSets': {'PrivateIpSet': [{'PrivateIpAddress': eni.get('private_ip_address', ''), 'Primary': True}]},
        'Ipv6Sets': {'Ipv6Set': []},
        'Tags': {'Tag': [{'TagKey': key, 'TagValue': value} for key, value in sorted(eni.get('tags', {}).items())]},
    }
    if attached:
        item['Attachment'] = {'InstanceId': attached, 'DeviceIndex': eni.get('device_index')}
        if eni.get('network_card_index') is not None:
            item['Attachment']['NetworkCardIndex'] = eni['network_card_index']
    return item


class EcsApi:
    """The ECS actions over the ``ecs`` section of the world."""

    cloud = 'ecs'

    def __init__(self, world, nonces):
        self.world = world
        self.nonces = nonces
        self.actions = {
            'AttachNetworkInterface': self.attach,
            'DetachNetworkInterface': self.detach,
            'DescribeNetworkInterfaces': self.describe_network_interfaces,
            'DescribeNetworkInterfaceAttribute': self.describe_network_interface_attribute,
            'DescribeInstances': self.describe_instances,
        }

    @property
    def state(self):
        return self.world.state['ecs']

    # plumbing ------------------------------------------------------------------------------------

    @staticmethod
    def is_v3(request, params):
        """V3 when signed so; else V1 when a V1 ``Signature`` is present; else whichever the request looks like."""
        if request.header('Authorization', '').startswith('ACS3-'):
            return True
        return 'Signature' not in params and bool(request.header('x-acs-action'))

    def identify(self, request):
        """``(action, API parameters without the V1 common ones, 'v1' | 'v3')``."""
        pairs = request.query_pairs + request.form_pairs()
        v3 = self.is_v3(request, dict(pairs))
        action = request.header('x-acs-action') if v3 else dict(pairs).get('Action') or request.header('x-acs-action')
        params = dict((name, value) for name, value in pairs if name not in COMMON_PARAMS)
        return action or '', params, 'v3' if v3 else 'v1'

    def handle(self, request, call):
        request_id = new_request_id()
        try:
            with self.world.lock:
                self.authenticate(request, call.auth)
                handler = self.actions.get(call.action)
                if not call.action:
                    raise missing('Action')
                if handler is None:
                    raise ApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.')
                self.world.settle()
                body = handler(call.params, call)
            reply = Reply.json(200, dict(body, RequestId=request_id), {'x-acs-request-id': request_id})
        except ApiError as err:
            reply = self.error_reply(err, request_id, request, call.params)
        reply.request_id = request_id
        return reply

    def authenticate(self, request, scheme):
        keys = auth.EcsKeys(self.state)
        now = self.world.now()
        skew = float(self.world.settings['ecs_skew_seconds'])
        if scheme == 'v3':
            auth.verify_ecs_v3(request, keys, self.nonces, now, skew)
            version = request.header('x-acs-version')
        else:
            pairs = request.query_pairs + request.form_pairs()
            auth.verify_ecs_v1(request, pairs, keys, self.nonces, now, skew)
            version = dict(pairs).get('Version')
        if not version:
            raise missing('Version')
        if version != VERSION:
            raise ApiError(400, 'InvalidVersion', 'Specified parameter Version is not valid.')

    def host_id(self, request, params):
        region = params.get('RegionId')
        return 'ecs.%s.aliyuncs.com' % region if region in self.state['regions'] else request.header('Host', '')

    def error_reply(self, err, request_id, request, params):
        body = {'RequestId': request_id, 'HostId': self.host_id(request, params), 'Code': err.code, 'Message': err.message,
                'Recommend': 'https://api.alibabacloud.com/troubleshoot?intl_lang=EN_US&q=%s&product=Ecs&requestId=%s' % (err.code, request_id)}
        reply = Reply.json(err.status, body, {'x-acs-request-id': request_id}, outcome=err.code)
        reply.request_id = request_id
        return reply

    def fault_reply(self, rule, request):
        request_id = new_request_id()
        kind = rule['fault']
        if kind == 'throttle':
            code = rule.get('code', 'Throttling')
            err = ApiError(rule.get('status', 400), code, THROTTLE_MESSAGES.get(code, 'Request was denied due to request throttling.'))
            reply = self.error_reply(err, request_id, request, {})
            if rule.get('retry_after') is not None:
                reply.headers['x-acs-retry-after'] = str(rule['retry_after'])
            return reply
        if kind == 'http_error' and rule['status'] in SERVER_ERRORS:
            return self.error_reply(ApiError(rule['status'], *SERVER_ERRORS[rule['status']]), request_id, request, {})
        return common_fault_reply(rule, ['unexpected', 'shape'])

    # lookups ---------------------------------------------------------------------------------------

    def region(self, params):
        region_id = required(params, 'RegionId')
        if region_id not in self.state['regions']:
            raise ApiError(400, 'InvalidOperation.InvalidRegion', 'The specified RegionId "%s" is not valid.' % region_id)
        return region_id

    def eni(self, region_id, eni_id):
        eni = self.state['network_interfaces'].get(eni_id)
        if eni is None or eni.get('region_id') != region_id:
            raise ApiError(404, 'InvalidEniId.NotFound', 'The specified NetworkInterfaceId "%s" does not exist.' % eni_id)
        return eni

    def instance(self, region_id, instance_id):
        instance = self.state['instances'].get(instance_id)
        if instance is None or instance.get('region_id') != region_id:
            raise ApiError(404, 'InvalidEcsId.NotFound', 'The specified InstanceId "%s" does not exist.' % instance_id)
        return instance

    def ids(self, params):
        eni_id, instance_id = required(params, 'NetworkInterfaceId'), required(params, 'InstanceId')
        if not ENI_ID.fullmatch(eni_id):
            raise ApiError(400, 'InvalidEniId.Malformed', 'The specified NetworkInterfaceId "%s" is malformed.' % eni_id)
        if not INSTANCE_ID.fullmatch(instance_id):
            raise ApiError(400, 'InvalidInstanceID.Malformed', 'The specified InstanceId "%s" is malformed.' % instance_id)
        return eni_id, instance_id

    def enis_on(self, instance_id):
        return [eni for eni in self.state['network_interfaces'].values() if eni.get('instance_id') == instance_id]

    # actions -----------------------------------------------------------------------------------------

    def attach(self, params, call):
        region_id = self.region(params)
        eni_id, instance_id = self.ids(params)
        card = integer(params, 'NetworkCardIndex', low=0)
        eni, instance = self.eni(region_id, eni_id), self.instance(region_id, instance_id)
        if eni.get('type', 'Secondary') != 'Secondary':
            raise ApiError(403, 'InvalidOperation.InvalidEniType', 'The operation is not allowed on a %s ENI.' % eni.get('type'))
        if eni['status'] != 'Available':
            raise ApiError(400, 'InvalidOperation.InvalidEniState', 'The ENI is %s; it must be Available to be attached.' % eni['status'])
        if instance['status'] not in ATTACHABLE_INSTANCE:
            raise ApiError(400, 'InvalidOperation.InvalidEcsState', 'The instance is %s; it must be Running or Stopped.' % instance['status'])
        if eni.get('zone_id') != instance.get('zone_id'):
            raise ApiError(403, 'InvalidOperation.AvailabilityZoneMismatch', 'The ENI and the instance are not in the same zone.')
        if eni.get('vpc_id') != instance.get('vpc_id'):
            raise ApiError(403, 'InvalidOperation.VpcMismatch', 'The ENI and the instance are not in the same VPC.')
        attached = self.enis_on(instance_id)
        if len(attached) >= int(instance.get('eni_limit', 4)):
            raise ApiError(403, 'EniPerInstanceLimitExceeded', 'The instance already has the maximum number of ENIs (%s) for its type.'
                           % instance.get('eni_limit', 4))
        used = set(eni.get('device_index') for eni in attached)
        device_index = next(index for index in range(1, len(used) + 2) if index not in used)
        self.world.begin_transition(eni, {'status': 'Attaching', 'instance_id': instance_id, 'device_index': device_index,
                                          'network_card_index': card},
                                    {'status': 'InUse'}, dict(DETACHED), 'attach_delay', call.transition_outcome())
        return {}

    def detach(self, params, call):
        region_id = self.region(params)
        eni_id, instance_id = self.ids(params)
        eni, instance = self.eni(region_id, eni_id), self.instance(region_id, instance_id)
        if eni.get('type') == 'Primary':
            raise ApiError(400, 'InvalidOperation.DetachPrimaryEniNotAllowed', 'The primary ENI of an instance cannot be detached.')
        if eni.get('instance_id') != instance_id:
            raise ApiError(400, 'InvalidOperation.InvalidEniState', 'The ENI is not attached to the instance "%s".' % instance_id)
        if eni['status'] not in ('InUse', 'Detaching'):
            raise ApiError(400, 'InvalidOperation.InvalidEniState', 'The ENI is %s; it must be InUse to be detached.' % eni['status'])
        if instance['status'] not in ATTACHABLE_INSTANCE:
            raise ApiError(400, 'InvalidOperation.InvalidEcsState', 'The instance is %s; it must be Running or Stopped.' % instance['status'])
        self.world.begin_transition(eni, {'status': 'Detaching'}, dict(DETACHED), {'status': 'InUse'}, 'detach_delay', call.transition_outcome())
        return {}

    def describe_network_interfaces(self, params, _call):
        region_id = self.region(params)
        wanted = set(indexed(params, 'NetworkInterfaceId'))
        filters = dict((field, params[name]) for name, field in ENI_FILTERS.items() if params.get(name))
        groups = params.get('SecurityGroupId')
        items = [(eni_id, eni) for eni_id, eni in self.state['network_interfaces'].items()
                 if eni.get('region_id') == region_id and (not wanted or eni_id in wanted)
                 and all(eni.get(field) == value for field, value in filters.items())
                 and (not groups or groups in eni.get('security_group_ids', []))]
        chunk, paging = page(params, items, max_results=(10, 10, 500), page_size=(10, 500))
        return dict(paging, NetworkInterfaceSets={'NetworkInterfaceSet': [render_eni(eni_id, eni) for eni_id, eni in chunk]})

    def describe_network_interface_attribute(self, params, _call):
        region_id = self.region(params)
        eni_id = required(params, 'NetworkInterfaceId')
        return render_eni(eni_id, self.eni(region_id, eni_id))

    def describe_instances(self, params, _call):
        region_id = self.region(params)
        wanted = None
        if params.get('InstanceIds'):
            try:
                wanted = json.loads(params['InstanceIds'])
            except ValueError:
                wanted = None
            if not isinstance(wanted, list) or len(wanted) > 100 or not all(isinstance(entry, str) for entry in wanted):
                raise invalid('InstanceIds', 'a JSON array of at most 100 instance ids')
        filters = dict((field, params[name]) for name, field in INSTANCE_FILTERS.items() if params.get(name))
        items = [(instance_id, instance) for instance_id, instance in self.state['instances'].items()
                 if instance.get('region_id') == region_id and (wanted is None or instance_id in wanted)
                 and all(instance.get(field) == value for field, value in filters.items())]
        chunk, paging = page(params, items, max_results=(10, 1, 100), page_size=(10, 100))
        return dict(paging, Instances={'Instance': [self.render_instance(instance_id, instance) for instance_id, instance in chunk]})

    def render_instance(self, instance_id, instance):
        enis = sorted(((eni.get('device_index') or 0, eni_id, eni) for eni_id, eni in self.state['network_interfaces'].items()
                       if eni.get('instance_id') == instance_id), key=lambda entry: (entry[0], entry[1]))
        return {
            'InstanceId': instance_id,
            'InstanceName': instance.get('instance_name', instance_id),
            'InstanceType': instance.get('instance_type', ''),
            'Status': instance['status'],
            'RegionId': instance.get('region_id'),
            'ZoneId': instance.get('zone_id'),
            'VpcAttributes': {'VpcId': instance.get('vpc_id', ''), 'VSwitchId': instance.get('vswitch_id', ''),
                              'PrivateIpAddress': {'IpAddress': [instance['private_ip_address']] if instance.get('private_ip_address') else []}},
            'NetworkInterfaces': {'NetworkInterface': [{'NetworkInterfaceId': eni_id, 'Type': eni.get('type', 'Secondary'),
                                                        'MacAddress': eni.get('mac_address', ''),
                                                        'PrimaryIpAddress': eni.get('private_ip_address', '')}
                                                       for _index, eni_id, eni in enis]},
        }
