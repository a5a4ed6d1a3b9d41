# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The body of every ``*_attachment`` module, and what every cloud adapter shares.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.

module -> ``run_module`` -> reconciler (``reconciler.py``, the only place that decides) -> adapter -> client.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudnet.nic.plugins.module_utils.client import INVALID_INPUT, ApiError
from ansible_collections.cloudnet.nic.plugins.module_utils.failures import fail_api_error
from ansible_collections.cloudnet.nic.plugins.module_utils.reconciler import AttachmentFailure, Desired, Reconciler  # noqa: F401  pylint: disable=unused-import  # Desired: for the modules


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


class CloudModule(AnsibleModule):
    """An ``AnsibleModule`` whose every failure carries the keys RETURN documents, even one from argument validation.

    ``failure_keys`` are the result keys with the value a failure gets when the code that fails does not give one
    (``network_interface: {}``); ``error`` defaults to an ``InvalidInput`` error built from the message.
    """

    def __init__(self, argument_spec, failure_keys=None, **kwargs):
        self.failure_keys = dict(failure_keys or {})
        super().__init__(argument_spec, **kwargs)

    def fail_json(self, msg, **kwargs):
        for key, value in self.failure_keys.items():
            kwargs.setdefault(key, value)
        kwargs.setdefault('error', {'code': 'InvalidInput', 'message': msg, 'http_status': None, 'request_id': None, 'action': None,
                                    'kind': INVALID_INPUT})
        super().fail_json(msg=msg, **kwargs)


ATTACHMENT_FAILURE_KEYS = {'network_interface': {}, 'waited': {'seconds': 0.0, 'reads': 0}}


def run_module(module, adapter, desired):
    """Run the reconciler for an AnsibleModule and exit with its result. Never returns."""
    reconciler = Reconciler(adapter, desired, check_mode=module.check_mode)
    try:
        result = reconciler.run()
    except AttachmentFailure as failure:
        module.fail_json(msg=failure.msg + reconciler.note, error=failure.as_dict(), **_failure_facts(reconciler))
    except ApiError as err:
        fail_api_error(module, err, '%s %s' % (adapter.noun, desired.nic_id), note=reconciler.note, **_failure_facts(reconciler))
    module.exit_json(**result.as_dict(with_diff=module._diff))


def _failure_facts(reconciler):
    return {'changed': reconciler.changed, 'waited': reconciler.waited_stats(),
            'network_interface': reconciler.last_seen.view() if reconciler.last_seen else {}}
