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
      - Required when O(state=present).
      - With O(state=absent) and no O(instance_id), the interface is detached from whatever instance holds it.
    type: str
  state:
    description:
      - V(present) ensures the interface is attached to O(instance_id).
      - V(absent) ensures the interface is not attached (to O(instance_id), when given).
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
      - How many seconds the whole task may wait for the cloud, in total. Must be greater than 0.
    type: int
    default: 300
attributes:
  check_mode:
    support: full
    details: Check mode reads the interface and returns the predicted interface and C(changed), without any mutating call.
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
