# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the reconciler's outcome leaves an AnsibleModule (``attachment.run_module``), and ``CloudModule``'s failures."""

from __future__ import annotations

import pytest

from ansible_collections.cloudnet.nic.plugins.module_utils import attachment
from ansible_collections.cloudnet.nic.plugins.module_utils.client import ApiError
from ansible_collections.cloudnet.nic.plugins.module_utils.interface import ATTACHED, AVAILABLE, Nic
from ansible_collections.cloudnet.nic.plugins.module_utils.reconciler import Desired

NIC, TARGET = 'eni-1', 'i-target'


class ModuleExit(Exception):
    pass


class FakeModule:
    def __init__(self, check_mode=False, diff=False):
        self.check_mode = check_mode
        self._diff = diff
        self.exited = None
        self.failed = None

    def exit_json(self, **result):
        self.exited = result
        raise ModuleExit()

    def fail_json(self, **result):
        self.failed = result
        raise ModuleExit()


class ScriptedAdapter(attachment.AdapterBase):
    """Reads from a script (the last repeats); attach answers with ``attach_error`` or accepts."""

    noun = 'ENI'
    where = 'in region test-1'
    PHASE_STATUS = {AVAILABLE: 'Available', ATTACHED: 'InUse'}

    def __init__(self, *reads, attach_error=None):
        super().__init__(client=None)
        self.reads = list(reads)
        self.attach_error = attach_error

    def limit_to(self, deadline):
        self.deadline = deadline

    def get(self, nic_id):
        status, instance_id = self.reads.pop(0) if len(self.reads) > 1 else self.reads[0]
        if status is None:
            return None
        return Nic(nic_id, status, {'Available': AVAILABLE, 'InUse': ATTACHED}.get(status, 'ATTACHING'), instance_id)

    def attach(self, nic, instance_id, placement):
        if self.attach_error:
            raise self.attach_error


@pytest.fixture
def module_clock(monkeypatch, fake_clock):
    original = attachment.Reconciler.__init__

    def init(self, adapter, want, check_mode=False, **_kwargs):
        original(self, adapter, want, check_mode=check_mode, clock=fake_clock.monotonic, sleep=fake_clock.sleep)

    monkeypatch.setattr(attachment.Reconciler, '__init__', init)
    return fake_clock


def run(module, adapter, want):
    with pytest.raises(ModuleExit):
        attachment.run_module(module, adapter, want)
    return module


def test_run_module_exits_with_the_result_diff_and_wait_figures(module_clock):
    module = run(FakeModule(diff=True), ScriptedAdapter(('Available', None), ('InUse', TARGET)), Desired(NIC, TARGET))
    assert module.exited['changed'] is True
    assert module.exited['diff']['after'] == {'instance_id': TARGET, 'status': 'InUse'}
    assert module.exited['waited'] == {'seconds': 1.0, 'reads': 1}


def test_run_module_fails_with_the_failure_what_was_last_seen_and_the_wait(module_clock):
    module = run(FakeModule(), ScriptedAdapter(('Available', None), ('Attaching', TARGET)), Desired(NIC, TARGET, wait_timeout=2))
    assert module.exited is None
    assert module.failed['changed'] is True
    assert module.failed['error']['code'] == 'WaitTimeout'
    assert module.failed['network_interface']['status'] == 'Attaching'
    assert module.failed['waited'] == {'seconds': 2.0, 'reads': 2}


def test_run_module_fails_with_the_api_error(module_clock):
    error = ApiError('EniPerInstanceLimitExceeded', 'refused by the fake cloud', http_status=403, request_id='R-1', action='Fake',
                     kind='quota', hint='Detach another ENI.')
    module = run(FakeModule(), ScriptedAdapter(('Available', None), attach_error=error), Desired(NIC, TARGET))
    assert module.failed['error'] == error.as_dict()
    assert module.failed['changed'] is False
    assert module.failed['msg'] == ('Fake failed for ENI eni-1: refused by the fake cloud (EniPerInstanceLimitExceeded, '
                                    'request R-1). Detach another ENI.')
    assert module.failed['network_interface']['status'] == 'Available'


def test_run_module_fails_with_an_empty_interface_when_nothing_was_read(module_clock):
    module = run(FakeModule(), ScriptedAdapter((None, None)), Desired(NIC, TARGET))
    assert (module.failed['error']['code'], module.failed['network_interface']) == ('NotFound', {})


def _cloud_module_main(spec):
    def main():
        module = attachment.CloudModule(spec, attachment.ATTACHMENT_FAILURE_KEYS)
        module.fail_json(msg='instance_id must not be empty or blank.')
    return main


def test_every_failure_of_a_cloud_module_carries_error_and_network_interface(run_module):
    result = run_module(_cloud_module_main({'instance_id': {'type': 'str'}}), {'instance_id': ' '})
    assert result['failed'] is True
    assert result['error'] == {'code': 'InvalidInput', 'message': 'instance_id must not be empty or blank.', 'http_status': None,
                               'request_id': None, 'action': None, 'kind': 'invalid_input'}
    assert (result['network_interface'], result['waited']) == ({}, {'seconds': 0.0, 'reads': 0})


def test_a_failure_of_ansibles_own_argument_checks_carries_them_too(run_module):
    result = run_module(_cloud_module_main({'wait_timeout': {'type': 'int'}}), {'wait_timout': 5})
    assert 'wait_timout' in result['msg']
    assert result['error']['code'] == 'InvalidInput' and result['network_interface'] == {}
