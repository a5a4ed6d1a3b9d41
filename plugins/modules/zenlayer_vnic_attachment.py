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
    C(USED) on the instance (or C(AVAILABLE)). An vNIC still being created is waited for first.
  - The cloud's reads may lag its writes by some seconds. An accepted call that no read shows happening within 15 seconds is
    sent once more, then the task fails with C(Rejected); a change the reads show rolled back fails at once.
  - A refusal caused by something still moving (another operation on the vNIC or the instance, the instance starting or
    stopping, which the module reads the instance to tell) is retried with backoff within O(wait_timeout); a settled
    refusal (the instance stopped or in another zone, its limit reached) fails at once with the cloud's code.
  - When another process changes the vNIC between the read and the call, or the outcome of a call is unknown (lost
    connection, server error), the module reads the vNIC again and decides from what is now true, so C(changed) is
    truthful, true exactly when a call of this task took effect. A call whose answer was lost and that could act on
    a later state if it arrived late is not sent again while it may still arrive, and the task never returns a state
    that a call of its own still in flight could change (see the reliability guide).
  - The list form (O(attachments)) converges many vNICs in one task with batched reads.
  - ZEC attaches a vNIC only to a C(RUNNING) instance with the QEMU guest agent; how many vNICs an instance takes depends on its
    instance type, which no ZEC read tells, so check mode cannot predict that limit.
version_added: 1.0.0
author:
  - Collection Maintainer (@nic-maintainer)
options:
  nic_id:
    description:
      - Id of the vNIC, as the Zenlayer console or C(DescribeNetworkInterfaces) shows it, for example V(1475945014486896967).
      - Quote an id made only of digits in YAML, so that it stays a string.
      - Mutually exclusive with O(attachments); one of the two is required.
    type: str
    aliases: [vnic_id]
  attachments:
    description:
      - The list form. Converges every vNIC listed, in one task; mutually exclusive with O(nic_id).
      - Each item is decided exactly as the single form decides one vNIC. Reads are batched, up to 100 vNICs per call
        (the first read of 200 vNICs is 2 calls, and so is every round of polling while they settle); attach and detach
        calls run side by side (O(concurrency)), paced by one rate limiter for the whole task (O(max_calls_per_second)).
      - The task fails when any item fails, naming each failed item; RV(attachments) reports every item, the converged and
        changed ones too. A re-run finishes what is left.
    type: list
    elements: dict
    suboptions:
      nic_id:
        description:
          - Id of the vNIC.
        type: str
        required: true
        aliases: [vnic_id]
      instance_id:
        description:
          - As O(instance_id), for this item; defaults to O(instance_id).
        type: str
      state:
        description:
          - As O(state), for this item; defaults to O(state).
        type: str
        choices: [present, absent]
      force:
        description:
          - As O(force), for this item; defaults to O(force).
        type: bool
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
    - Empty when O(state=absent) and the vNIC does not exist, when the options were refused, and in the list form (see
      RV(attachments)).
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
waited:
  description:
    - How long the task waited for the cloud, and how many reads it made while waiting, so that a slow cloud can be told
      from a slow playbook. In the list form, the longest wait of any item and the reads of all items (batched into far
      fewer API calls).
  returned: always
  type: dict
  contains:
    seconds:
      description: Seconds spent waiting (polling, and pausing before a retried call).
      type: float
      returned: always
      sample: 3.0
    reads:
      description: Reads of the interface made while waiting.
      type: int
      returned: always
      sample: 3
attachments:
  description:
    - The list form (O(attachments)), one entry per item in the order given; empty in the single form.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The interface id of the item.
      type: str
      returned: always
    changed:
      description: Whether a call of this task took effect on this interface.
      type: bool
      returned: always
    failed:
      description: Whether this item failed; the task fails when any item does.
      type: bool
      returned: always
    msg:
      description: Why this item failed, in one sentence.
      type: str
      returned: when the item failed
    error:
      description: The item's failure, shaped as RV(error).
      type: dict
      returned: when the item failed
    network_interface:
      description: The interface as the item left it, shaped as RV(network_interface) (empty when it was not found).
      type: dict
      returned: always
    waited:
      description: How long this item waited, shaped as RV(waited).
      type: dict
      returned: always
diff:
  description:
    - The attachment before and after the task, when diff mode is on.
    - In the list form, a list of such entries, one per changed item, each with C(before_header) and C(after_header) naming
      the interface.
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
  description:
    - The failed API call or the reason the task could not converge. Never contains credentials.
    - When the options were refused before any call, C(code) is V(InvalidInput). In the list form, the error of the first
      item that failed (every item's is in RV(attachments)).
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
      description: The class of failure (V(not_found), V(conflict), V(invalid_state), V(instance_state), V(busy), V(quota),
        V(permission), V(auth), V(throttled), V(transient), V(invalid_input), V(connection), V(tls), V(timeout), ...); see the
        error codes guide.
      type: str
      returned: failure
      sample: quota
'''

from ansible_collections.cloudnet.nic.plugins.module_utils import attachment, zenlayer


def main():
    attachment.run_attachment_module(zenlayer, 'nic_id', ['vnic_id'])


if __name__ == '__main__':
    main()
