#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: alicloud_eni_attachment
short_description: Attach an Alibaba Cloud ECS elastic network interface (ENI) to an instance, or detach it
description:
  - Ensures that a secondary ECS ENI is attached to an instance (O(state=present)) or is not attached (O(state=absent)).
  - The module first reads the ENI with C(DescribeNetworkInterfaces) and calls C(AttachNetworkInterface) or
    C(DetachNetworkInterface) only when the ENI is not already where it should be. A converged task makes exactly one API call.
  - Attach and detach are asynchronous in ECS; with O(wait=true) (the default) the module polls the ENI until it is
    C(InUse) on the instance (or C(Available)). An ENI still being created is waited for first.
  - The cloud's reads may lag its writes by some seconds. An accepted call that no read shows happening within 15 seconds is
    sent once more, then the task fails with C(Rejected); a change the reads show rolled back fails at once.
  - A refusal caused by something still moving (another operation on the ENI or the instance, the instance starting or
    stopping, which the module reads the instance to tell) is retried with backoff within O(wait_timeout); a settled
    refusal (the instance stopped or in another zone, its limit reached) fails at once with the cloud's code.
  - When another process changes the ENI between the read and the call, or the outcome of a call is unknown (lost
    connection, server error), the module reads the ENI again and decides from what is now true, so C(changed) is
    truthful, true exactly when a call of this task took effect. A call whose answer was lost and that could act on
    a later state if it arrived late is not sent again while it may still arrive, and the task never returns a state
    that a call of its own still in flight could change (see the reliability guide).
  - The list form (O(attachments)) converges many ENIs in one task with batched reads.
version_added: 1.0.0
author:
  - Collection Maintainer (@nic-maintainer)
options:
  eni_id:
    description:
      - Id of the ENI, for example V(eni-bp17pdijfczax1huji4b).
      - Mutually exclusive with O(attachments); one of the two is required.
    type: str
    aliases: [network_interface_id]
  network_card_index:
    description:
      - Index of the physical network card to attach the ENI to, for instance families with several network cards.
      - Passed to C(AttachNetworkInterface). When given, an ENI already attached to O(instance_id) with another index
        counts as not converged (fails unless O(force=true), which re-attaches it). When not given, it is not compared.
      - ECS reports the index only for an ENI that is C(InUse) and was attached with one. An ENI attached without an index
        counts as on network card 0 (ECS does not document its default card; this module defines it so), and while an ENI
        is C(Attaching) the module waits to see its index before comparing.
    type: int
  attachments:
    description:
      - The list form. Converges every ENI listed, in one task; mutually exclusive with O(eni_id).
      - Each item is decided exactly as the single form decides one ENI. Reads are batched, up to 100 ENIs per call
        (the first read of 200 ENIs is 2 calls, and so is every round of polling while they settle); attach and detach
        calls run side by side (O(concurrency)), paced by one rate limiter for the whole task (O(max_calls_per_second)).
      - The task fails when any item fails, naming each failed item; RV(attachments) reports every item, the converged and
        changed ones too. A re-run finishes what is left.
    type: list
    elements: dict
    suboptions:
      eni_id:
        description:
          - Id of the ENI.
        type: str
        required: true
        aliases: [network_interface_id]
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
      network_card_index:
        description:
          - As O(network_card_index), for this item.
        type: int
extends_documentation_fragment:
  - cloudnet.nic.attachment
  - cloudnet.nic.alicloud
  - cloudnet.nic.transport
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action_group:
    description: Use C(group/cloudnet.nic.alicloud) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudnet.nic.alicloud
seealso:
  - module: cloudnet.nic.alicloud_eni_info
  - name: AttachNetworkInterface (ECS API)
    description: The API this module calls to attach an ENI.
    link: https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-attachnetworkinterface
  - name: DetachNetworkInterface (ECS API)
    description: The API this module calls to detach an ENI.
    link: https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-detachnetworkinterface
  - module: cloudnet.nic.zenlayer_vnic_attachment
'''

EXAMPLES = r'''
- name: Attach an ENI to an instance (credentials from ALIBABA_CLOUD_* environment variables)
  cloudnet.nic.alicloud_eni_attachment:
    eni_id: eni-bp17pdijfczax1huji4b
    instance_id: i-bp67acfmxazb4ph9g5yq
    region: cn-hangzhou

- name: Move an ENI to another instance, even if it is attached elsewhere
  cloudnet.nic.alicloud_eni_attachment:
    eni_id: eni-bp17pdijfczax1huji4b
    instance_id: i-bp1g6zv0ce8oghu7k9xx
    region: cn-hangzhou
    force: true

- name: Detach an ENI from whatever instance holds it, without waiting for the detach to finish
  cloudnet.nic.alicloud_eni_attachment:
    eni_id: eni-bp17pdijfczax1huji4b
    state: absent
    region: cn-hangzhou
    wait: false

- name: Set credentials once for every module of the alicloud group
  module_defaults:
    group/cloudnet.nic.alicloud:
      access_key_id: "{{ alicloud_access_key_id }}"
      access_key_secret: "{{ alicloud_access_key_secret }}"
      region: cn-hangzhou
  block:
    - name: Attach two ENIs
      cloudnet.nic.alicloud_eni_attachment:
        eni_id: "{{ item }}"
        instance_id: i-bp67acfmxazb4ph9g5yq
      loop:
        - eni-bp17pdijfczax1huji4b
        - eni-bp1f3bmh8dgcxa6uh5ng
'''

RETURN = r'''
network_interface:
  description:
    - The ENI as it is after the task; in check mode, as the task predicts it would be.
    - Empty when O(state=absent) and the ENI does not exist, when the options were refused, and in the list form (see
      RV(attachments)).
    - Besides the keys below, the other fields of the ECS C(NetworkInterfaceSet) item, in snake_case.
  returned: always
  type: dict
  contains:
    id:
      description: The ENI id.
      type: str
      returned: success
      sample: eni-bp17pdijfczax1huji4b
    instance_id:
      description: The instance the ENI is attached to, or null.
      type: str
      returned: success
      sample: i-bp67acfmxazb4ph9g5yq
    status:
      description: The ENI status as ECS spells it (V(Available), V(Attaching), V(InUse), V(Detaching), ...).
      type: str
      returned: success
      sample: InUse
    type:
      description: V(Primary) or V(Secondary).
      type: str
      returned: success
      sample: Secondary
    network_card_index:
      description: The network card index of the attachment, when ECS reports one.
      type: int
      returned: success
      sample: 0
    vpc_id:
      description: The VPC of the ENI.
      type: str
      returned: success
      sample: vpc-bp1opxu1zkhn00gzv26cq
    vswitch_id:
      description: The vSwitch of the ENI.
      type: str
      returned: success
      sample: vsw-bp16usj2p27htro3rfzu
    zone_id:
      description: The zone of the ENI.
      type: str
      returned: success
      sample: cn-hangzhou-h
    mac_address:
      description: The MAC address.
      type: str
      returned: success
      sample: "00:16:3e:12:34:56"
    private_ip_address:
      description: The primary private IP address.
      type: str
      returned: success
      sample: 172.17.0.12
    security_group_ids:
      description: The security groups of the ENI.
      type: list
      elements: str
      returned: success
      sample: [sg-bp1fg655nh68xyz9xxxx]
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
    - The attachment before and after the task, when diff mode is on; with O(network_card_index), the index too.
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
      description: The ECS error code (for example V(InvalidOperation.VpcMismatch)), or the module's own reason
        (V(AttachedElsewhere), V(NotFound), V(WaitTimeout), V(Rejected), ...).
      type: str
      returned: failure
      sample: InvalidOperation.VpcMismatch
    message:
      description: The message ECS gave, or the module's own.
      type: str
      returned: failure
    http_status:
      description: The HTTP status of the failed call, when there was one.
      type: int
      returned: failure
      sample: 403
    request_id:
      description: The ECS request id, to quote to Alibaba Cloud support.
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
      sample: conflict
'''

from ansible_collections.cloudnet.nic.plugins.module_utils import alicloud, attachment


def main():
    attachment.run_attachment_module(alicloud, 'eni_id', ['network_interface_id'])


if __name__ == '__main__':
    main()
