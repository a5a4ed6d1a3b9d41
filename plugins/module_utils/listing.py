# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared body of the ``*_info`` modules: find every matching interface, return them in one shape.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.
"""

from __future__ import annotations

from ansible_collections.cloudnet.nic.plugins.module_utils import options
from ansible_collections.cloudnet.nic.plugins.module_utils.cloud_module import CloudModule
from ansible_collections.cloudnet.nic.plugins.module_utils.client import NOT_FOUND, ApiError
from ansible_collections.cloudnet.nic.plugins.module_utils.failures import fail_api_error


def chunks(values, size=100):
    """``values`` in lists of at most ``size``: the most ids one DescribeNetworkInterfaces call takes, on both clouds."""
    return [values[start:start + size] for start in range(0, len(values), size)]


def many_by_id(adapter, nic_ids):
    """``{nic_id: Nic or None}`` for ``nic_ids``, read in batches through ``adapter.find``. Should a batch be refused
    as a whole because one of its ids is unknown, its ids are read one at a time (``adapter.get`` says None)."""
    found = dict.fromkeys(nic_ids)
    for chunk in chunks(list(nic_ids)):
        try:
            nics = adapter.find(chunk)
        except ApiError as err:
            if err.kind != NOT_FOUND:
                raise
            nics = [nic for nic in (adapter.get(nic_id) for nic_id in chunk) if nic is not None]
        for nic in nics:
            if nic.id in found:
                found[nic.id] = nic
    return found


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


def run_info_module(cloud, ids_option, ids_aliases):
    """The whole ``main()`` of an info module. ``cloud`` is an adapter module (``alicloud``, ``zenlayer``).

    Its ``FILTERS`` name the filter options, as its adapter's ``find`` takes them, and the values each allows.
    """
    argument_spec = {ids_option: dict(type='list', elements='str', aliases=ids_aliases)}
    for name, (_parameter, allowed) in cloud.FILTERS.items():
        argument_spec[name] = dict(type='str', choices=list(allowed)) if allowed else dict(type='str')
    argument_spec.update(cloud.connection_argument_spec())
    module = CloudModule(argument_spec, {'network_interfaces': []}, supports_check_mode=True)
    params = module.params
    problems = cloud.connection_problems(params) + [cloud.bad_id(ids_option, value) for value in params[ids_option] or ()]
    problems.append(cloud.bad_id('instance_id', params['instance_id']))
    options.refuse_bad_input(module, problems, cloud.API_NAME)
    run_listing(module, cloud.adapter_for(params), params[ids_option], dict((name, params[name]) for name in cloud.FILTERS))
