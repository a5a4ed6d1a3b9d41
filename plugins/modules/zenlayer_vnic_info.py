#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: zenlayer_vnic_info
short_description: List Zenlayer Cloud ZEC virtual network interfaces (vNICs)
description:
  - Reads vNICs of the account with C(DescribeNetworkInterfaces), filtered by ids, instance, status, type, region, VPC,
    subnet, security group, resource group or name.
  - Follows every page (C(pageNum)). Paging by number skips or repeats a vNIC when the set changes while the pages are read, so a
    listing whose pages do not add up to its C(totalCount) is read again, up to 3 times, then fails with C(ListingUnstable).
    Ids are sent 100 at a time.
  - Never changes anything; runs in check mode too.
version_added: 1.0.0
author:
  - Collection Maintainer (@nic-maintainer)
options:
  nic_ids:
    description:
      - Only these vNICs. Ids that do not exist are left out of the result.
      - Quote ids made only of digits in YAML, so that they stay strings.
    type: list
    elements: str
    aliases: [vnic_ids]
  instance_id:
    description: Only vNICs attached to this instance.
    type: str
  status:
    description: Only vNICs in this status.
    type: str
    choices: [PENDING, AVAILABLE, ATTACHING, USED, DETACHING, DELETING, CREATE_FAILED]
  nic_type:
    description: Only primary or only secondary vNICs.
    type: str
    choices: [Primary, Secondary]
  region_id:
    description: Only vNICs in this region, for example V(asia-east-1).
    type: str
  vpc_id:
    description: Only vNICs in this VPC.
    type: str
  subnet_id:
    description: Only vNICs in this subnet.
    type: str
  security_group_id:
    description: Only vNICs in this security group.
    type: str
  resource_group_id:
    description: Only vNICs in this resource group.
    type: str
  name:
    description: Only vNICs whose name contains this text (ZEC matches names loosely).
    type: str
extends_documentation_fragment:
  - cloudnet.nic.zenlayer
  - cloudnet.nic.transport
  - cloudnet.nic.info
  - ansible.builtin.action_common_attributes
attributes:
  action_group:
    description: Use C(group/cloudnet.nic.zenlayer) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudnet.nic.zenlayer
seealso:
  - module: cloudnet.nic.zenlayer_vnic_attachment
  - name: DescribeNetworkInterfaces (ZEC API)
    description: The API this module calls to list vNICs.
    link: https://docs.console.zenlayer.com/api-reference/compute/zec/vnic/describenetworkinterfaces
'''

EXAMPLES = r'''
- name: List the vNICs attached to an instance
  cloudnet.nic.zenlayer_vnic_info:
    instance_id: "1478001766933994003"
  register: attached

- name: List the secondary vNICs of a region that are free to attach
  cloudnet.nic.zenlayer_vnic_info:
    region_id: asia-east-1
    nic_type: Secondary
    status: AVAILABLE
  register: free
'''

RETURN = r'''
network_interfaces:
  description:
    - The matching vNICs, each with the same keys as RV(cloudnet.nic.zenlayer_vnic_attachment#module:network_interface).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The vNIC id.
      type: str
      returned: always
      sample: "1475945014486896967"
    instance_id:
      description: The instance the vNIC is attached to, or null.
      type: str
      returned: always
      sample: "1478001766933994003"
    status:
      description: The vNIC status as ZEC spells it.
      type: str
      returned: always
      sample: USED
'''

from ansible_collections.cloudnet.nic.plugins.module_utils import listing, zenlayer


def main():
    listing.run_info_module(zenlayer, 'nic_ids', ['vnic_ids'])


if __name__ == '__main__':
    main()
