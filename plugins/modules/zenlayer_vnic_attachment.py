#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: zenlayer_vnic_attachment
short_description: Attach a Zenlayer Cloud ZEC virtual network interface (vNIC) to an instance, or detach it
description:
  - Ensures that a secondary ZEC vNIC is attached to an instance (O(state=present)) or is not attached (O(state=absent)).
  - The module first reads the vNIC with C(DescribeNetworkInterfaces) and calls C(AttachNetworkInterface) or
    C(DetachNetworkInterface) only when the vNIC is not already where it should be. A converged task makes exactly one API call.
  - Attach and detach are asynchronous in ZEC; with O(wait=true) (the default) the module polls the vNIC until it is
    C(USED) on the instance (or C(AVAILABLE)), and fails at once when the cloud rolls the change back.
  - When another process changes the vNIC between the read and the call, or the outcome of a call is unknown (lost
    connection, server error), the module reads the vNIC again and decides from what is now true, so C(changed) is
    always truthful.
  - ZEC attaches a vNIC only to a C(RUNNING) instance with the QEMU guest agent, and to at most 8 vNICs per instance.
version_added: 0.1.0
author:
  - Collection Maintainer (@nic-maintainer)
options:
  nic_id:
    description:
      - Id of the vNIC, as the Zenlayer console or C(DescribeNetworkInterfaces) shows it, for example V(1475945014486896967).
      - Quote an id made only of digits in YAML, so that it stays a string.
    type: str
    required: true
    aliases: [vnic_id]
extends_documentation_fragment:
  - cloudnet.nic.attachment
  - cloudnet.nic.zenlayer
  - cloudnet.nic.transport
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action_group:
    description: Use C(group/cloudnet.nic.zenlayer) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudnet.nic.zenlayer
seealso:
  - module: cloudnet.nic.zenlayer_vnic_info
  - name: AttachNetworkInterface (ZEC API)
    description: The API this module calls to attach a vNIC.
    link: https://docs.console.zenlayer.com/api-reference/compute/zec/vnic/attachnetworkinterface
  - name: DetachNetworkInterface (ZEC API)
    description: The API this module calls to detach a vNIC.
    link: https://docs.console.zenlayer.com/api-reference/compute/zec/vnic/detachnetworkinterface
  - module: cloudnet.nic.alicloud_eni_attachment
'''

EXAMPLES = r'''
- name: Attach a vNIC to an instance (credentials from ZENLAYERCLOUD_* environment variables)
  cloudnet.nic.zenlayer_vnic_attachment:
    nic_id: "1475945014486896967"
    instance_id: "1478001766933994003"

- name: Move a vNIC to another instance, even if it is attached elsewhere
  cloudnet.nic.zenlayer_vnic_attachment:
    nic_id: "1475945014486896967"
    instance_id: "1478001766933994055"
    force: true

- name: Detach a vNIC from whatever instance holds it, without waiting for the detach to finish
  cloudnet.nic.zenlayer_vnic_attachment:
    nic_id: "1475945014486896967"
    state: absent
    wait: false

- name: Set credentials once for every module of the zenlayer group
  module_defaults:
    group/cloudnet.nic.zenlayer:
      access_key_id: "{{ zenlayer_access_key_id }}"
      access_key_password: "{{ zenlayer_access_key_password }}"
  block:
    - name: Attach two vNICs
      cloudnet.nic.zenlayer_vnic_attachment:
        nic_id: "{{ item }}"
        instance_id: "1478001766933994003"
      loop:
        - "1475945014486896967"
        - "1475945014486896968"
'''

RETURN = r'''
network_interface:
  description:
    - The vNIC as it is after the task; in check mode, as the task predicts it would be.
    - Empty when O(state=absent) and the vNIC does not exist.
    - Besides the keys below, the other fields of the ZEC C(NicInfo) item, in snake_case.
  returned: always
  type: dict
  contains:
    id:
      description: The vNIC id.
      type: str
      returned: success
      sample: "1475945014486896967"
    instance_id:
      description: The instance the vNIC is attached to, or null.
      type: str
      returned: success
      sample: "1478001766933994003"
    status:
      description: The vNIC status as ZEC spells it (V(AVAILABLE), V(ATTACHING), V(USED), V(DETACHING), ...).
      type: str
      returned: success
      sample: USED
    nic_type:
      description: V(Primary) or V(Secondary).
      type: str
      returned: success
      sample: Secondary
    name:
      description: The name of the vNIC.
      type: str
      returned: success
      sample: web-backend
    region_id:
      description: The region of the vNIC.
      type: str
      returned: success
      sample: asia-east-1
    vpc_id:
      description: The VPC of the vNIC.
      type: str
      returned: success
    subnet_id:
      description: The subnet of the vNIC.
      type: str
      returned: success
    mac_address:
      description: The MAC address.
      type: str
      returned: success
      sample: "fa:16:3e:12:34:56"
    primary_ipv4:
      description: The primary private IPv4 address.
      type: str
      returned: success
      sample: 10.0.0.12
    private_ip_list:
      description: The private IP addresses of the vNIC.
      type: list
      elements: str
      returned: success
      sample: [10.0.0.12]
    public_ip_list:
      description: The public IP addresses of the vNIC.
      type: list
      elements: str
      returned: success
    security_group_id:
      description: The security group of the vNIC.
      type: str
      returned: success
diff:
  description: The attachment before and after the task, when diff mode is on.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: C(instance_id) and C(status) before the task.
      type: dict
      returned: when diff mode is on
    after:
      description: C(instance_id) and C(status) after the task (predicted in check mode).
      type: dict
      returned: when diff mode is on
error:
  description: The failed API call or the reason the task could not converge. Never contains credentials.
  returned: failure
  type: dict
  contains:
    code:
      description: The ZEC error code (for example V(INVALID_INSTANCE_NIC_LIMIT)), or the module's own reason
        (V(AttachedElsewhere), V(NotFound), V(WaitTimeout), V(Rejected), ...).
      type: str
      returned: failure
      sample: INVALID_INSTANCE_NIC_LIMIT
    message:
      description: The message ZEC gave, or the module's own.
      type: str
      returned: failure
    http_status:
      description: The HTTP status of the failed call, when there was one.
      type: int
      returned: failure
      sample: 400
    request_id:
      description: The ZEC request id, to quote to Zenlayer support (the Cloudflare Ray ID when the network edge refused the request).
      type: str
      returned: failure
    action:
      description: The API action that failed.
      type: str
      returned: failure
      sample: AttachNetworkInterface
    kind:
      description: The class of failure (V(not_found), V(conflict), V(invalid_state), V(quota), V(permission), V(auth),
        V(throttled), V(transient), V(invalid_input), V(connection), V(tls), V(timeout), ...).
      type: str
      returned: failure
      sample: quota
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudnet.nic.plugins.module_utils import attachment, options, zenlayer


def main():
    argument_spec = dict(nic_id=dict(type='str', required=True, aliases=['vnic_id']))
    argument_spec.update(options.attachment_argument_spec())
    argument_spec.update(zenlayer.connection_argument_spec())
    module = AnsibleModule(argument_spec, supports_check_mode=True, required_if=[('state', 'present', ['instance_id'])])
    params = module.params
    problems = zenlayer.connection_problems(params)
    problems += [zenlayer.bad_id(option, params[option]) for option in ('nic_id', 'instance_id')]
    options.refuse_bad_input(module, problems, zenlayer.API_NAME)
    attachment.run_module(module, zenlayer.adapter_for(params), attachment.Desired.from_params(params, params['nic_id']))


if __name__ == '__main__':
    main()
