# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ECS RPC API (version 2014-05-26): ENI attach/detach/describe, DescribeInstances, DescribeInstanceTypes.

Requests are authenticated with V3 (ACS3-HMAC-SHA256, ``x-acs-*`` headers) or V1 (HMAC-SHA1 query
parameters); answers use ECS's envelopes, codes and HTTP statuses (README.md cites the source of each).
Writes check the world as it is; reads answer from the world as it was ``read_lag_seconds`` ago.
"""

from __future__ import annotations

import json
import re

import auth
from ecs_params import indexed, integer, invalid, missing, page, required
from ecs_render import render_eni, render_instance, render_instance_type
from wire import ApiError, Reply, common_fault_reply, new_request_id

VERSION = '2014-05-26'
COMMON_PARAMS = frozenset(('Action', 'Version', 'Format', 'AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion',
                           'SignatureNonce', 'SignatureType', 'Timestamp', 'SecurityToken'))
ENI_ID = re.compile(r'eni-[A-Za-z0-9-]+')
INSTANCE_ID = re.compile(r'i-[A-Za-z0-9-]+')
ATTACHABLE_INSTANCE = ('Running', 'Stopped')
MOVING_ENI = ('Attaching', 'Detaching')
DEFAULT_ENI_LIMIT = 4
DETACHED = {'status': 'Available', 'instance_id': None, 'device_index': None, 'network_card_index': None}
ENI_FILTERS = {'InstanceId': 'instance_id', 'Status': 'status', 'Type': 'type', 'VpcId': 'vpc_id', 'VSwitchId': 'vswitch_id',
               'PrimaryIpAddress': 'private_ip_address', 'NetworkInterfaceName': 'name', 'ResourceGroupId': 'resource_group_id'}
INSTANCE_FILTERS = {'ZoneId': 'zone_id', 'Status': 'status', 'VpcId': 'vpc_id', 'VSwitchId': 'vswitch_id', 'InstanceName': 'instance_name'}
THROTTLE_MESSAGES = {'Throttling': 'Request was denied due to request throttling.',
                     'Throttling.User': 'Request was denied due to user flow control.'}
# The ECS API reference's common error codes table (README.md: "Error codes", ECS)
CONFLICT = (409, 'OperationConflict', 'Request was denied due to conflict with a previous request.')
FORBIDDEN_RAM = (403, 'Forbidden.RAM', "User not authorized to operate on the specified resource, or this API doesn't support RAM.")
UNRELATED_429 = ('UnknownError', 'The request processing has failed due to some unknown error.')
SERVER_ERRORS = {500: ('InternalError', 'The request processing has failed due to some unknown error, exception or failure.'),
                 503: ('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.')}


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
            'DescribeInstanceTypes': self.describe_instance_types,
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
                key_id = self.authenticate(request, call.auth)
                handler = self.actions.get(call.action)
                if not call.action:
                    raise missing('Action')
                if handler is None:
                    raise ApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.')
                self.authorize(key_id, call.action)
                self.world.settle()
                body = handler(call.params, call)
                self.world.commit(call.cause())
            reply = Reply.json(200, dict(body, RequestId=request_id), {'x-acs-request-id': request_id})
        except ApiError as err:
            reply = self.error_reply(err, request_id, request, call.params)
        reply.request_id = request_id
        return reply

    def authenticate(self, request, scheme):
        """The access key id that signed ``request``; refuses a bad signature, clock, nonce or version."""
        keys = auth.EcsKeys(self.state)
        now = self.world.now()
        skew = float(self.world.settings['ecs_skew_seconds'])
        if scheme == 'v3':
            key_id = auth.verify_ecs_v3(request, keys, self.nonces, now, skew)
            version = request.header('x-acs-version')
        else:
            pairs = request.query_pairs + request.form_pairs()
            key_id = auth.verify_ecs_v1(request, pairs, keys, self.nonces, now, skew)
            version = dict(pairs).get('Version')
        if not version:
            raise missing('Version')
        if version != VERSION:
            raise ApiError(400, 'InvalidVersion', 'Specified parameter Version is not valid.')
        return key_id

    def authorize(self, key_id, action):
        """A key whose credentials list ``action`` in ``denied_actions`` (a RAM policy without it) gets 403 ``Forbidden.RAM``."""
        for key in self.state['credentials'] + self.state['sts_credentials']:
            if key['access_key_id'] == key_id and action in (key.get('denied_actions') or []):
                detail = {'AuthAction': 'ecs:%s' % action, 'NoPermissionType': 'ImplicitDeny', 'AuthPrincipalType': 'SubUser',
                          'AuthPrincipalDisplayName': key_id, 'PolicyType': 'AccountLevelIdentityBasedPolicy'}
                raise ApiError(*FORBIDDEN_RAM, extra={'AccessDeniedDetail': detail})

    def host_id(self, request, params):
        region = params.get('RegionId')
        return 'ecs.%s.aliyuncs.com' % region if region in self.state['regions'] else request.header('Host', '')

    def error_reply(self, err, request_id, request, params):
        body = {'RequestId': request_id, 'HostId': self.host_id(request, params), 'Code': err.code, 'Message': err.message,
                'Recommend': 'https://api.alibabacloud.com/troubleshoot?intl_lang=EN_US&q=%s&product=Ecs&requestId=%s' % (err.code, request_id)}
        body.update(err.extra)
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
        if kind == 'http_error' and rule['status'] == 429 and rule['variant'] == 'json':
            reply = self.error_reply(ApiError(429, *UNRELATED_429), request_id, request, {})
            reply.outcome = 'http_429'
            return reply
        return common_fault_reply(rule, ['unexpected', 'shape'])

    # lookups ---------------------------------------------------------------------------------------

    def region(self, params):
        region_id = required(params, 'RegionId')
        if region_id not in self.state['regions']:
            raise ApiError(400, 'InvalidOperation.InvalidRegion', 'The specified RegionId "%s" is not valid.' % region_id)
        return region_id

    @staticmethod
    def eni(interfaces, region_id, eni_id):
        eni = interfaces.get(eni_id)
        if eni is None or eni.get('region_id') != region_id:
            raise ApiError(404, 'InvalidEniId.NotFound', 'The specified NetworkInterfaceId "%s" does not exist.' % eni_id)
        return eni

    def instance(self, region_id, instance_id, not_found=(404, 'InvalidEcsId.NotFound')):
        instance = self.state['instances'].get(instance_id)
        if instance is None or instance.get('region_id') != region_id:
            raise ApiError(not_found[0], not_found[1], 'The specified InstanceId "%s" does not exist.' % instance_id)
        return instance

    def ids(self, params):
        eni_id, instance_id = required(params, 'NetworkInterfaceId'), required(params, 'InstanceId')
        if not ENI_ID.fullmatch(eni_id):
            raise ApiError(400, 'InvalidEniId.Malformed', 'The specified NetworkInterfaceId "%s" is malformed.' % eni_id)
        if not INSTANCE_ID.fullmatch(instance_id):
            raise ApiError(400, 'InvalidInstanceID.Malformed', 'The specified InstanceId "%s" is malformed.' % instance_id)
        return eni_id, instance_id

    def enis_on(self, instance_id):
        return [(eni_id, eni) for eni_id, eni in self.state['network_interfaces'].items() if eni.get('instance_id') == instance_id]

    def eni_limit(self, instance):
        """The instance's own ``eni_limit``, else its type's ``eni_quantity`` (DescribeInstanceTypes ``EniQuantity``)."""
        if instance.get('eni_limit') is not None:
            return int(instance['eni_limit'])
        return int(self.state['instance_types'].get(instance.get('instance_type'), {}).get('eni_quantity', DEFAULT_ENI_LIMIT))

    def refuse_if_busy(self, instance_id, eni_id):
        """409 ``OperationConflict`` while another ENI of the instance is attaching or detaching (``instance_busy_conflict``)."""
        if not self.world.settings.get('instance_busy_conflict'):
            return
        if any(other_id != eni_id and other['status'] in MOVING_ENI for other_id, other in self.enis_on(instance_id)):
            raise ApiError(*CONFLICT)

    @staticmethod
    def refuse_unless_settled(instance):
        if instance['status'] not in ATTACHABLE_INSTANCE:
            raise ApiError(400, 'InvalidOperation.InvalidEcsState', 'The instance is %s; it must be Running or Stopped.' % instance['status'])

    def records(self, call):
        """The ECS records a read answers from (the world ``read_lag_seconds`` ago); notes ``as_of`` on the call."""
        view, call.as_of = self.world.read_view()
        return view['ecs']

    # actions -----------------------------------------------------------------------------------------

    def attach(self, params, call):
        region_id = self.region(params)
        eni_id, instance_id = self.ids(params)
        card = integer(params, 'NetworkCardIndex', low=0)
        eni, instance = self.eni(self.state['network_interfaces'], region_id, eni_id), self.instance(region_id, instance_id)
        if eni.get('type', 'Secondary') != 'Secondary':
            raise ApiError(403, 'InvalidOperation.InvalidEniType', 'The operation is not allowed on a %s ENI.' % eni.get('type'))
        if eni['status'] != 'Available':
            raise ApiError(400, 'InvalidOperation.InvalidEniState', 'The ENI is %s; it must be Available to be attached.' % eni['status'])
        self.refuse_unless_settled(instance)
        self.refuse_if_busy(instance_id, eni_id)
        if eni.get('zone_id') != instance.get('zone_id'):
            raise ApiError(403, 'InvalidOperation.AvailabilityZoneMismatch', 'The ENI and the instance are not in the same zone.')
        if eni.get('vpc_id') != instance.get('vpc_id'):
            raise ApiError(403, 'InvalidOperation.VpcMismatch', 'The ENI and the instance are not in the same VPC.')
        attached = [record for _eni_id, record in self.enis_on(instance_id)]
        limit = self.eni_limit(instance)
        if len(attached) >= limit:
            raise ApiError(403, 'EniPerInstanceLimitExceeded', 'The instance already has the maximum number of ENIs (%s) for its type.' % limit)
        used = set(record.get('device_index') for record in attached)
        device_index = next(index for index in range(1, len(used) + 2) if index not in used)
        self.world.begin_transition(eni, {'status': 'Attaching', 'instance_id': instance_id, 'device_index': device_index,
                                          'network_card_index': card},
                                    {'status': 'InUse'}, dict(DETACHED), 'attach_delay', call.transition_outcome())
        return {}

    def detach(self, params, call):
        region_id = self.region(params)
        eni_id, instance_id = self.ids(params)
        eni = self.eni(self.state['network_interfaces'], region_id, eni_id)
        instance = self.instance(region_id, instance_id, not_found=(403, 'InvalidInstanceId.NotFound'))
        if eni.get('type') == 'Primary':
            raise ApiError(400, 'InvalidOperation.DetachPrimaryEniNotAllowed', 'The primary ENI of an instance cannot be detached.')
        if eni.get('linked'):
            raise ApiError(403, 'InvalidOperation.EniLinked', 'The ENI is associated with other ENIs; disassociate them before detaching it.')
        if eni.get('instance_id') != instance_id:
            raise ApiError(400, 'InvalidOperation.InvalidEniState', 'The ENI is not attached to the instance "%s".' % instance_id)
        if eni['status'] not in ('InUse', 'Detaching'):
            raise ApiError(400, 'InvalidOperation.InvalidEniState', 'The ENI is %s; it must be InUse to be detached.' % eni['status'])
        self.refuse_unless_settled(instance)
        self.refuse_if_busy(instance_id, eni_id)
        # a detach of a Detaching ENI restarts the transition: the documented remedy for a stuck detach
        self.world.begin_transition(eni, {'status': 'Detaching'}, dict(DETACHED), {'status': 'InUse'}, 'detach_delay', call.transition_outcome())
        return {}

    def describe_network_interfaces(self, params, call):
        region_id = self.region(params)
        wanted = set(indexed(params, 'NetworkInterfaceId'))
        filters = dict((field, params[name]) for name, field in ENI_FILTERS.items() if params.get(name))
        groups = params.get('SecurityGroupId')
        interfaces = self.records(call)['network_interfaces']
        items = [(eni_id, eni) for eni_id, eni in interfaces.items()
                 if eni.get('region_id') == region_id and (not wanted or eni_id in wanted)
                 and all(eni.get(field) == value for field, value in filters.items())
                 and (not groups or groups in eni.get('security_group_ids', []))]
        chunk, paging = page(params, items, max_results=(10, 10, 500), page_size=(10, 500))
        return dict(paging, NetworkInterfaceSets={'NetworkInterfaceSet': [render_eni(eni_id, eni) for eni_id, eni in chunk]})

    def describe_network_interface_attribute(self, params, call):
        region_id = self.region(params)
        eni_id = required(params, 'NetworkInterfaceId')
        return render_eni(eni_id, self.eni(self.records(call)['network_interfaces'], region_id, eni_id))

    def describe_instances(self, params, call):
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
        records = self.records(call)
        items = [(instance_id, instance) for instance_id, instance in records['instances'].items()
                 if instance.get('region_id') == region_id and (wanted is None or instance_id in wanted)
                 and all(instance.get(field) == value for field, value in filters.items())]
        chunk, paging = page(params, items, max_results=(10, 1, 100), page_size=(10, 100))
        return dict(paging, Instances={'Instance': [render_instance(instance_id, instance, records['network_interfaces'])
                                                    for instance_id, instance in chunk]})

    def describe_instance_types(self, params, _call):
        """``InstanceTypes.N`` (N 1..10) and ``InstanceTypeFamily`` filters; no paging (every match in one answer)."""
        wanted = set(indexed(params, 'InstanceTypes', limit=10))
        family = params.get('InstanceTypeFamily')
        items = [render_instance_type(type_id, spec) for type_id, spec in sorted(self.state['instance_types'].items())
                 if (not wanted or type_id in wanted) and (not family or spec.get('instance_type_family') == family)]
        return {'InstanceTypes': {'InstanceType': items}, 'NextToken': ''}
