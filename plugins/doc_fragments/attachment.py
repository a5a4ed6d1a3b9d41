# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Options and attributes shared by every C(*_attachment) module."""

    DOCUMENTATION = r'''
options:
  instance_id:
    description:
      - The instance the interface is attached to (O(state=present)) or detached from (O(state=absent)).
      - Required when O(state=present) (in the list form, for every item whose own O(attachments[].instance_id) is not set).
      - With O(state=absent) and no O(instance_id), the interface is detached from whatever instance holds it.
      - In the list form, the default of every item's O(attachments[].instance_id).
    type: str
  state:
    description:
      - V(present) ensures the interface is attached to O(instance_id).
      - V(absent) ensures the interface is not attached (to O(instance_id), when given).
      - In the list form, the default of every item's O(attachments[].state).
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - When the interface is attached to another instance, V(true) detaches it from there and attaches it to
        O(instance_id); V(false) fails and names the instance that holds it.
      - If O(instance_id) then refuses the interface (another zone or VPC, its interface limit, its status), the module
        attaches the interface back to the instance it came from and fails, saying so; a failed move leaves things as
        they were.
      - A primary interface is never moved or detached, whatever this option says.
      - In the list form, the default of every item's O(attachments[].force).
    type: bool
    default: false
  wait:
    description:
      - Wait until the cloud finishes the attach or detach before returning.
      - With V(false), the module returns once the cloud accepted the request; RV(network_interface.status) is then
        the transitional status.
      - The module always waits for a transition it must pass through before it can act (for example a detach
        in progress before an attach), bounded by O(wait_timeout).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds the whole task may take, in total, from 1 to 86400. No request and no retry runs past it.
      - In the list form, one deadline for all the items.
    type: int
    default: 300
  concurrency:
    description:
      - List form only. The most attach and detach calls the task has in flight at once, from 1 to 50. Reads are batched (up to
        100 interfaces per call) whatever this says.
    type: int
    default: 10
  max_calls_per_second:
    description:
      - The most API calls per second the task makes, from 0.1 to 1000; calls beyond are delayed, not dropped.
      - Unset, the task paces itself only once the cloud throttles it, at a rate that adapts (it drops to a share of what the
        cloud admitted and grows back while no call is throttled). Set it to stay under a limit the account shares with other
        tools.
    type: float
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads the interface and returns the predicted interface and C(changed), without any mutating call.
      - Where it predicts an attach, it also reads the target instance (Alibaba Cloud, also its instance type) and fails, as the
        real run would, with the cloud's code when the instance is missing, in another zone, VPC or region, in a status that
        refuses, or at its interface limit where the cloud tells it.
  diff_mode:
    support: full
  platform:
    platforms: all
  action:
    support: none
  async:
    support: full
  bypass_host_loop:
    support: none
'''
