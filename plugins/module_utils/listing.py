# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared body of the ``*_info`` modules: find every matching interface, return them in one shape.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.
"""

from __future__ import annotations

from ansible_collections.cloudnet.nic.plugins.module_utils.client import ApiError
from ansible_collections.cloudnet.nic.plugins.module_utils.failures import fail_api_error


def chunks(values, size=100):
    """``values`` in lists of at most ``size``: the most ids one DescribeNetworkInterfaces call takes, on both clouds."""
    return [values[start:start + size] for start in range(0, len(values), size)]


def unique(nics):
    """``nics`` without repeats: an interface that moves between pages while they are read shows up twice."""
    seen = set()
    kept = []
    for nic in nics:
        if nic.id not in seen:
            seen.add(nic.id)
            kept.append(nic)
    return kept


def run_listing(module, adapter, nic_ids, filters):
    """Exit the module with ``network_interfaces``: what ``adapter.find`` returns, in the attachment modules' shape."""
    try:
        found = unique(adapter.find(nic_ids, **filters))
    except ApiError as err:
        fail_api_error(module, err, 'reading %ss %s' % (adapter.noun, adapter.where))
    module.exit_json(changed=False, network_interfaces=[nic.view() for nic in found])
