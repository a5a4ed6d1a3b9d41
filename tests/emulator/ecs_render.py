# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How ECS spells the world's records in its answers (SDK ``alibabacloud_ecs20140526`` response models)."""

from __future__ import annotations


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
        # SDK DescribeNetworkInterfaceAttribute model: returned only when InUse and only when the index was given at attach
        if eni['status'] == 'InUse' and eni.get('network_card_index') is not None:
            item['Attachment']['NetworkCardIndex'] = eni['network_card_index']
    return item


def render_instance(instance_id, instance, interfaces):
    """One ``Instances.Instance`` item; ``interfaces``: the ENIs (id -> record) the answer is made from."""
    enis = sorted(((eni.get('device_index') or 0, eni_id, eni) for eni_id, eni in interfaces.items()
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


def camel(name):
    """``eni_ipv6_address_quantity`` -> ``EniIpv6AddressQuantity``."""
    return ''.join(part[:1].upper() + part[1:] for part in name.split('_'))


def render_instance_type(type_id, spec):
    """One ``InstanceTypes.InstanceType`` item: ``InstanceTypeId`` and every field of the world's record, in ECS spelling."""
    return dict([('InstanceTypeId', type_id)] + [(camel(name), value) for name, value in sorted(spec.items())])
