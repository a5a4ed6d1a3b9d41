# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The body of every ``*_attachment`` module, and what every cloud adapter shares.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.

module -> ``run_attachment_module`` -> reconciler (``reconciler.py``, the only place that decides; one per interface,
driven together by ``fleet.py`` in the list form) -> adapter -> client.
"""

from __future__ import annotations

from ansible_collections.cloudnet.nic.plugins.module_utils import options
from ansible_collections.cloudnet.nic.plugins.module_utils.client import ApiError
from ansible_collections.cloudnet.nic.plugins.module_utils.cloud_module import CloudModule
from ansible_collections.cloudnet.nic.plugins.module_utils.failures import describe_api_error, fail_api_error
from ansible_collections.cloudnet.nic.plugins.module_utils.reconciler import AttachmentFailure, Desired, Reconciler


class AdapterBase:
    """What every cloud adapter shares: its client, and the traits the reconciler reads.

    - ``PHASE_STATUS``: the cloud's status word for each neutral phase (for predictions);
    - ``UNPINNED_CALLS``: verbs whose call does not name the instance it acts on, so that a late copy of it can act on
      a later state (ZEC's DetachNetworkInterface names only the vNIC);
    - ``REDETACH_WHILE_DETACHING``: the cloud takes a detach again for an interface stuck in its detaching state;
    - ``PLACEMENT_DEFAULTS``: what an attached interface that reports no value for a placement key has;
    - ``ATTACHMENT_FACTS``: facts that describe the current attachment, left out of a predicted change of it.
    """

    PHASE_STATUS = {}
    UNPINNED_CALLS = frozenset()
    REDETACH_WHILE_DETACHING = False
    PLACEMENT_DEFAULTS = {}
    ATTACHMENT_FACTS = ()

    def __init__(self, client):
        self.client = client

    def limit_to(self, deadline):
        """No request and no retry pause may end past ``deadline`` (a ``time.monotonic()`` time): the task's wait_timeout."""
        self.client.deadline = deadline

    @property
    def request_timeout(self):
        return self.client.timeout

    @classmethod
    def status_word(cls, phase):
        return cls.PHASE_STATUS[phase]

    def refusal(self, nic, instance):
        """The ``ApiError`` the cloud would answer an attach of ``nic`` to ``instance`` (None: not found) with, as far as
        the instance shows it; None when nothing shows a refusal. For check mode."""
        return None


ATTACHMENT_FAILURE_KEYS = {'network_interface': {}, 'attachments': [], 'waited': {'seconds': 0.0, 'reads': 0}}
# Failures of the list form name at most this many items in ``msg`` (every one is in ``attachments``).
MSG_ITEMS = 5


def run_attachment_module(cloud, id_option, id_aliases):
    """The whole ``main()`` of an attachment module. ``cloud`` is an adapter module (``alicloud``, ``zenlayer``).

    Its ``PLACEMENT_OPTIONS`` name the placement options (ECS: ``network_card_index``) with their spec, and
    ``placement_problem(option, value)`` checks one. One interface (``id_option``) or a list (``attachments``).
    """
    placement = dict((name, dict(spec)) for name, spec in cloud.PLACEMENT_OPTIONS.items())
    argument_spec = {id_option: dict(type='str', aliases=id_aliases)}
    argument_spec.update(placement)
    argument_spec.update(options.attachment_argument_spec())
    argument_spec.update(options.fleet_argument_spec(id_option, id_aliases, placement))
    argument_spec.update(cloud.connection_argument_spec())
    module = CloudModule(argument_spec, ATTACHMENT_FAILURE_KEYS, supports_check_mode=True, mutually_exclusive=[(id_option, 'attachments')],
                         required_one_of=[(id_option, 'attachments')])
    params = module.params
    items = options.attachment_items(params, id_option, tuple(placement))
    problems = cloud.connection_problems(params) + options.fleet_problems(params)
    for label, item in items:
        problems += [_labelled(cloud.bad_id(id_option, item[id_option]), label), _labelled(cloud.bad_id('instance_id', item['instance_id']), label)]
        problems += [_labelled(cloud.placement_problem(name, item[name]), label) for name in placement]
        problems.append(options.missing_instance(item, label))
    problems.append(options.repeated_ids([item[id_option] for _label, item in items], id_option))
    options.refuse_bad_input(module, problems, cloud.API_NAME)
    wants = [Desired(item[id_option], item['instance_id'], item['state'], item['force'], params['wait'], params['wait_timeout'],
                     dict((name, item[name]) for name in placement)) for _label, item in items]
    adapter = cloud.adapter_for(params)
    if params['attachments'] is None:
        run_module(module, adapter, wants[0])
    run_fleet_module(module, adapter, wants, params['concurrency'])


def _labelled(problem, label):
    """``problem`` about an item of ``attachments``: its option names that item (``attachments[2].instance_id``)."""
    return problem if problem is None or label is None else '%s.%s' % (label, problem)


def run_module(module, adapter, desired):
    """Run the reconciler for an AnsibleModule and exit with its result. Never returns."""
    reconciler = Reconciler(adapter, desired, check_mode=module.check_mode)
    try:
        result = reconciler.run()
    except AttachmentFailure as failure:
        module.fail_json(msg=failure.msg + reconciler.note, error=failure.as_dict(), **_failure_facts(reconciler))
    except ApiError as err:
        fail_api_error(module, err, '%s %s' % (adapter.noun, desired.nic_id), note=reconciler.note, **_failure_facts(reconciler))
    module.exit_json(attachments=[], **result.as_dict(with_diff=module._diff))


def run_fleet_module(module, adapter, wants, concurrency):
    """Converge every interface of ``wants`` in one task and exit: one entry per item in ``attachments``, in order.

    The task fails when any item failed; the others are reported as they are, converged or changed. Never returns.
    """
    # Imported here: the single form, the common case, does not pay for the thread pool's imports.
    from ansible_collections.cloudnet.nic.plugins.module_utils.fleet import FleetDriver  # pylint: disable=import-outside-toplevel

    reconcilers = [Reconciler(adapter, want, check_mode=module.check_mode) for want in wants]
    outcomes = FleetDriver(adapter, concurrency).run(reconcilers)
    items = [_item_result(adapter, want, outcome) for want, outcome in zip(wants, outcomes)]
    result = {'changed': any(item['changed'] for item in items), 'attachments': items, 'network_interface': {},
              'waited': {'seconds': max([item['waited']['seconds'] for item in items] or [0.0]),
                         'reads': sum(item['waited']['reads'] for item in items)}}
    if module._diff:
        result['diff'] = [dict(outcome.result.as_dict(with_diff=True)['diff'], before_header=want.nic_id, after_header=want.nic_id)
                          for want, outcome in zip(wants, outcomes) if outcome.result is not None and outcome.result.changed]
    failed = [item for item in items if item['failed']]
    if failed:
        named = '; '.join('%s: %s' % (item['id'], item['msg']) for item in failed[:MSG_ITEMS])
        more = ' (and %d more, in attachments)' % (len(failed) - MSG_ITEMS) if len(failed) > MSG_ITEMS else ''
        module.fail_json(msg='%d of %d attachments failed: %s%s' % (len(failed), len(items), named, more), error=failed[0]['error'], **result)
    module.exit_json(**result)


def _item_result(adapter, want, outcome):
    reconciler = outcome.reconciler
    if outcome.failure is None:
        item = outcome.result.as_dict()
        item.update(id=want.nic_id, failed=False)
        return item
    failure = outcome.failure
    if isinstance(failure, ApiError):
        msg, error = describe_api_error(failure, '%s %s' % (adapter.noun, want.nic_id)) + reconciler.note, failure.as_dict()
    else:
        msg, error = failure.msg + reconciler.note, failure.as_dict()
    item = _failure_facts(reconciler)
    item.update(id=want.nic_id, failed=True, msg=msg, error=error)
    return item


def _failure_facts(reconciler):
    return {'changed': reconciler.changed, 'waited': reconciler.waited_stats(),
            'network_interface': reconciler.last_seen.view() if reconciler.last_seen else {}}
