#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: alicloud_eni_info
short_description: List Alibaba Cloud ECS elastic network interfaces (ENIs)
description:
  - Reads ENIs of one region with C(DescribeNetworkInterfaces), filtered by ids, instance, status, type, VPC, vSwitch,
    security group, primary IP address, name or resource group.
  - Follows every page (C(NextToken), an opaque cursor ECS keeps); an ENI that moves between two pages shows once. Ids are sent
    100 at a time.
  - Never changes anything; runs in check mode too.
version_added: 1.0.0
author:
  - Collection Maintainer (@nic-maintainer)
options:
  eni_ids:
    description:
      - Only these ENIs. Ids that do not exist are left out of the result.
    type: list
    elements: str
    aliases: [network_interface_ids]
  instance_id:
    description: Only ENIs attached to this instance.
    type: str
  status:
    description: Only ENIs in this status.
    type: str
    choices: [Available, Attaching, InUse, Detaching, Deleting]
  type:
    description: Only primary or only secondary ENIs.
    type: str
    choices: [Primary, Secondary]
  vpc_id:
    description: Only ENIs in this VPC.
    type: str
  vswitch_id:
    description: Only ENIs in this vSwitch.
    type: str
  security_group_id:
    description: Only ENIs in this security group.
    type: str
  primary_ip_address:
    description: Only the ENI with this primary private IP address.
    type: str
  name:
    description: Only ENIs with this name.
    type: str
  resource_group_id:
    description: Only ENIs in this resource group.
    type: str
extends_documentation_fragment:
  - cloudnet.nic.alicloud
  - cloudnet.nic.transport
  - cloudnet.nic.info
  - ansible.builtin.action_common_attributes
attributes:
  action_group:
    description: Use C(group/cloudnet.nic.alicloud) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudnet.nic.alicloud
seealso:
  - module: cloudnet.nic.alicloud_eni_attachment
  - name: DescribeNetworkInterfaces (ECS API)
    description: The API this module calls to list ENIs.
    link: https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-describenetworkinterfaces
'''

EXAMPLES = r'''
- name: List the ENIs attached to an instance
  cloudnet.nic.alicloud_eni_info:
    instance_id: i-bp67acfmxazb4ph9g5yq
    region: cn-hangzhou
  register: attached

- name: List the secondary ENIs of a VPC that are free to attach
  cloudnet.nic.alicloud_eni_info:
    vpc_id: vpc-bp1opxu1zkhn00gzv26cq
    type: Secondary
    status: Available
    region: cn-hangzhou
  register: free
'''

RETURN = r'''
network_interfaces:
  description:
    - The matching ENIs, each with the same keys as RV(cloudnet.nic.alicloud_eni_attachment#module:network_interface).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The ENI id.
      type: str
      returned: always
      sample: eni-bp17pdijfczax1huji4b
    instance_id:
      description: The instance the ENI is attached to, or null.
      type: str
      returned: always
      sample: i-bp67acfmxazb4ph9g5yq
    status:
      description: The ENI status as ECS spells it.
      type: str
      returned: always
      sample: InUse
'''

from ansible_collections.cloudnet.nic.plugins.module_utils import alicloud, listing


def main():
    listing.run_info_module(alicloud, 'eni_ids', ['network_interface_ids'])


if __name__ == '__main__':
    main()
