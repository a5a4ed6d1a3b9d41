# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconciler's decisions (DESIGN section 2), run against an in-memory fake adapter on a fake clock.

The fake adapter answers ``get`` from a script of interface states (the last one repeats), ``attach`` / ``detach``
from a script of outcomes (accepted, or an ``ApiError``) and ``get_instance`` from a script of instances; it records
every call. Time is a fake clock, so every wait is instant and its length can be asserted.
"""

from __future__ import annotations

import pytest

from ansible_collections.cloudnet.nic.plugins.module_utils import ledger
from ansible_collections.cloudnet.nic.plugins.module_utils.attachment import AdapterBase
from ansible_collections.cloudnet.nic.plugins.module_utils.client import ApiError
from ansible_collections.cloudnet.nic.plugins.module_utils.interface import (
    ATTACHED, ATTACHING, AVAILABLE, CREATING, DETACHING, GONE_OR_BROKEN, READY, REFUSING, STARTING_OR_STOPPING, Instance, Nic,
)
from ansible_collections.cloudnet.nic.plugins.module_utils.reconciler import (
    LATE_LANDING_FLOOR, MAX_ROUNDS, READ_LAG_GRACE, REDETACH_AFTER, AttachmentFailure, Desired, Reconciler, Result,
)

NIC = 'eni-1'
TARGET = 'i-target'
OTHER = 'i-other'
THIRD = 'i-third'
FACTS = {'type': 'Secondary', 'vpc_id': 'vpc-1', 'mac_address': '00:16:3e:00:00:01'}
PHASES = {'Available': AVAILABLE, 'Creating': CREATING, 'Attaching': ATTACHING, 'InUse': ATTACHED, 'Detaching': DETACHING,
          'Deleting': GONE_OR_BROKEN, 'CreateFailed': GONE_OR_BROKEN}
WORDS = {AVAILABLE: 'Available', ATTACHING: 'Attaching', ATTACHED: 'InUse', DETACHING: 'Detaching'}


class State:
    """One scripted read: a fresh ``Nic`` is built from it on every ``get`` (so nothing aliases)."""

    def __init__(self, status, instance_id=None, primary=False, card=None, attachment=None):
        self.status, self.instance_id, self.primary, self.card, self.attachment = status, instance_id, primary, card, attachment

    def nic(self):
        facts = dict(FACTS, attachment=self.attachment) if self.attachment else dict(FACTS)
        return Nic(NIC, self.status, PHASES.get(self.status, GONE_OR_BROKEN), instance_id=self.instance_id,
                   primary=self.primary, placement={'network_card_index': self.card}, facts=facts,
                   known=self.status in PHASES)


S = State
ACCEPTED = None


def refused(kind, code='Refused', outcome_unknown=False):
    return ApiError(code, 'refused by the fake cloud', http_status=400, request_id='R-1', action='Fake', kind=kind,
                    outcome_unknown=outcome_unknown)


def unknown_outcome():
    return ApiError('ReadTimeout', 'no answer', action='FakeWrite', kind='connection', outcome_unknown=True)


def instance(status='Running', state=READY, zone='z-1', interfaces=1, limit=None, instance_id=TARGET):
    return Instance(instance_id, status, state, location={'zone_id': zone}, interfaces=interfaces, interface_limit=limit)


class FakeAdapter(AdapterBase):
    noun = 'ENI'
    where = 'in region test-1'
    PHASE_STATUS = WORDS
    PLACEMENT_DEFAULTS = {'network_card_index': 0}
    ATTACHMENT_FACTS = ('attachment',)

    def __init__(self, *reads, attach=(ACCEPTED,), detach=(ACCEPTED,), instances=(None,), unpinned=(), redetach=False, timeout=30):
        super().__init__(client=None)
        self.reads = list(reads)
        self.outcomes = {'attach': list(attach), 'detach': list(detach)}
        self.instances = list(instances)
        self.calls = []
        self.sent_at = []  # the clock's time of each attach or detach, when a test sets ``clock``
        self.clock = None
        self.deadline = None
        self.UNPINNED_CALLS = frozenset(unpinned)
        self.REDETACH_WHILE_DETACHING = redetach
        self._timeout = timeout

    def limit_to(self, deadline):
        self.deadline = deadline

    @property
    def request_timeout(self):
        return self._timeout

    def get(self, nic_id):
        assert nic_id == NIC
        self.calls.append(('get',))
        state = self.reads.pop(0) if len(self.reads) > 1 else self.reads[0]
        if isinstance(state, ApiError):
            raise state
        return state.nic() if state is not None else None

    def get_instance(self, instance_id, with_limit=False):
        self.calls.append(('instance', instance_id))
        answer = self.instances.pop(0) if len(self.instances) > 1 else self.instances[0]
        if isinstance(answer, ApiError):
            raise answer  # pylint: disable=raising-bad-type  # only an ApiError gets here; pylint cannot narrow the list's type
        return answer

    def refusal(self, nic, instance):  # pylint: disable=redefined-outer-name  # the base class's name for it
        if instance is None:
            return refused('not_found', 'InstanceNotFound')
        if instance.state == REFUSING:
            return refused('instance_state', 'InstanceRefuses')
        if instance.location.get('zone_id') != 'z-1':
            return refused('invalid_input', 'ZoneMismatch')
        return None

    def attach(self, nic, instance_id, placement):
        assert nic.id == NIC
        self.calls.append(('attach', instance_id, dict(placement)))
        self._outcome('attach')

    def detach(self, nic):
        assert nic.id == NIC
        self.calls.append(('detach', nic.instance_id))
        self._outcome('detach')

    def _outcome(self, verb):
        if self.clock is not None:
            self.sent_at.append(self.clock.now)
        queue = self.outcomes[verb]
        outcome = queue.pop(0) if len(queue) > 1 else queue[0]
        if outcome is not None:
            raise outcome

    @property
    def mutations(self):
        return [call for call in self.calls if call[0] in ('attach', 'detach')]

    @property
    def reads_made(self):
        return sum(1 for call in self.calls if call[0] == 'get')

    @property
    def instance_reads(self):
        return sum(1 for call in self.calls if call[0] == 'instance')


def desired(state='present', instance_id=TARGET, **kwargs):
    return Desired(NIC, instance_id=instance_id, state=state, **kwargs)


def reconciler_for(adapter, want, clock, check_mode=False):
    return Reconciler(adapter, want, check_mode=check_mode, clock=clock.monotonic, sleep=clock.sleep)


def reconcile(adapter, want, clock, check_mode=False):
    reconciler = reconciler_for(adapter, want, clock, check_mode)
    return reconciler, reconciler.run()


def fail(adapter, want, clock, check_mode=False, raises=AttachmentFailure):
    reconciler = reconciler_for(adapter, want, clock, check_mode)
    with pytest.raises(raises) as raised:
        reconciler.run()
    return reconciler, raised.value


def where(result):
    view = result.nic.view() if result.nic else {}
    return view.get('instance_id'), view.get('status')


# ---------------------------------------------------------------------------------------------------------------------
# The decision table, rows that converge. Each row: reads, desired options, changed, mutating calls, final (instance, status).

CONVERGING_ROWS = {
    'present/attached-to-target': (
        [S('InUse', TARGET)], {}, False, [], (TARGET, 'InUse')),
    'present/attaching-to-target-waits': (
        [S('Attaching', TARGET), S('Attaching', TARGET), S('InUse', TARGET)], {}, False, [], (TARGET, 'InUse')),
    'present/attaching-to-target-no-wait': (
        [S('Attaching', TARGET)], {'wait': False}, False, [], (TARGET, 'Attaching')),
    'present/available-attaches': (
        [S('Available'), S('Attaching', TARGET), S('InUse', TARGET)], {}, True, [('attach', TARGET, {})], (TARGET, 'InUse')),
    'present/available-no-wait-predicts-attaching': (
        [S('Available')], {'wait': False}, True, [('attach', TARGET, {})], (TARGET, 'Attaching')),
    'present/creating-waits-then-attaches': (
        [S('Creating'), S('Creating'), S('Available'), S('Attaching', TARGET), S('InUse', TARGET)], {}, True,
        [('attach', TARGET, {})], (TARGET, 'InUse')),
    'present/attaching-to-an-unnamed-instance-waits-then-decides': (
        [S('Attaching', None), S('InUse', TARGET)], {}, False, [], (TARGET, 'InUse')),
    'present/elsewhere-force-moves': (
        [S('InUse', OTHER), S('Detaching', OTHER), S('Available'), S('Attaching', TARGET), S('InUse', TARGET)],
        {'force': True}, True, [('detach', OTHER), ('attach', TARGET, {})], (TARGET, 'InUse')),
    'present/attaching-elsewhere-force-waits-then-moves': (
        [S('Attaching', OTHER), S('InUse', OTHER), S('Detaching', OTHER), S('Available'), S('InUse', TARGET)],
        {'force': True}, True, [('detach', OTHER), ('attach', TARGET, {})], (TARGET, 'InUse')),
    'present/detaching-waits-then-attaches': (
        [S('Detaching', OTHER), S('Available'), S('Attaching', TARGET), S('InUse', TARGET)], {}, True,
        [('attach', TARGET, {})], (TARGET, 'InUse')),
    'present/primary-on-target': (
        [S('InUse', TARGET, primary=True, card=0)], {'placement': {'network_card_index': 1}}, False, [], (TARGET, 'InUse')),
    'present/placement-matches': (
        [S('InUse', TARGET, card=1)], {'placement': {'network_card_index': 1}}, False, [], (TARGET, 'InUse')),
    'present/placement-not-reported-is-the-default-card': (
        [S('InUse', TARGET)], {'placement': {'network_card_index': 0}}, False, [], (TARGET, 'InUse')),
    'present/placement-not-reported-while-attaching-waits': (
        [S('Attaching', TARGET), S('InUse', TARGET, card=1)], {'placement': {'network_card_index': 1}}, False, [], (TARGET, 'InUse')),
    'present/placement-not-given-is-not-compared': (
        [S('InUse', TARGET, card=1)], {}, False, [], (TARGET, 'InUse')),
    'present/placement-mismatch-force-reattaches': (
        [S('InUse', TARGET, card=1), S('Detaching', TARGET, card=1), S('Available'), S('Attaching', TARGET),
         S('InUse', TARGET, card=0)],
        {'force': True, 'placement': {'network_card_index': 0}}, True,
        [('detach', TARGET), ('attach', TARGET, {'network_card_index': 0})], (TARGET, 'InUse')),
    'absent/not-found': (
        [None], {'state': 'absent'}, False, [], (None, None)),
    'absent/available': (
        [S('Available')], {'state': 'absent'}, False, [], (None, 'Available')),
    'absent/creating': (
        [S('Creating')], {'state': 'absent'}, False, [], (None, 'Creating')),
    'absent/attached-elsewhere-with-instance-id': (
        [S('InUse', OTHER)], {'state': 'absent'}, False, [], (OTHER, 'InUse')),
    'absent/attached-detaches': (
        [S('InUse', TARGET), S('Detaching', TARGET), S('Available')], {'state': 'absent'}, True,
        [('detach', TARGET)], (None, 'Available')),
    'absent/no-instance-id-detaches-from-any': (
        [S('InUse', OTHER), S('Detaching', OTHER), S('Available')], {'state': 'absent', 'instance_id': None}, True,
        [('detach', OTHER)], (None, 'Available')),
    'absent/detaching-waits-unchanged': (
        [S('Detaching', TARGET), S('Detaching', TARGET), S('Available')], {'state': 'absent'}, False, [],
        (None, 'Available')),
    'absent/detaching-no-wait-unchanged': (
        [S('Detaching', TARGET)], {'state': 'absent', 'wait': False}, False, [], (TARGET, 'Detaching')),
    'absent/attaching-waits-then-detaches': (
        [S('Attaching', TARGET), S('InUse', TARGET), S('Detaching', TARGET), S('Available')], {'state': 'absent'}, True,
        [('detach', TARGET)], (None, 'Available')),
    'absent/attaching-to-an-unnamed-instance-waits-then-detaches': (
        [S('Attaching', None), S('InUse', TARGET), S('Detaching', TARGET), S('Available')], {'state': 'absent'}, True,
        [('detach', TARGET)], (None, 'Available')),
    'absent/no-wait-predicts-detaching': (
        [S('InUse', TARGET)], {'state': 'absent', 'wait': False}, True, [('detach', TARGET)], (TARGET, 'Detaching')),
}


def _desired_for(options):
    options = dict(options)
    return desired(options.pop('state', 'present'), options.pop('instance_id', TARGET), **options)


@pytest.mark.parametrize('reads, options, changed, mutations, final', list(CONVERGING_ROWS.values()), ids=list(CONVERGING_ROWS))
def test_decision_table_row(fake_clock, reads, options, changed, mutations, final):
    adapter = FakeAdapter(*reads)
    reconciler, result = reconcile(adapter, _desired_for(options), fake_clock)
    assert result.changed is changed
    assert reconciler.changed is changed
    assert adapter.mutations == mutations
    assert where(result) == final
    assert adapter.instance_reads == 0  # the instance is read only on refusal paths and in check mode
    assert fake_clock.elapsed < 300


@pytest.mark.parametrize('reads, options, changed, mutations, final', list(CONVERGING_ROWS.values()), ids=list(CONVERGING_ROWS))
def test_check_mode_predicts_the_same_result_without_mutating(fake_clock, reads, options, changed, mutations, final):
    real = reconcile(FakeAdapter(*reads), _desired_for(options), fake_clock)[1]
    adapter = FakeAdapter(*reads, instances=[instance()])
    reconciler, predicted = reconcile(adapter, _desired_for(options), fake_clock, check_mode=True)
    assert predicted.changed is changed
    assert adapter.mutations == []
    waits_first = reads[0] is not None and reads[0].status == 'Attaching' and reads[0].instance_id is None
    assert adapter.reads_made == (2 if waits_first else 1)  # check mode waits only where the cloud has not said where
    predicts_attach = any(call[0] == 'attach' for call in mutations)
    assert adapter.instance_reads == (1 if predicts_attach else 0)
    assert predicted.nic.view() == real.nic.view() if real.nic else predicted.nic is None
    assert where(predicted) == final


def test_converged_state_is_one_read_and_unchanged(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET))
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, adapter.calls, fake_clock.sleeps) == (False, [('get',)], [])
    assert result.as_dict()['waited'] == {'seconds': 0.0, 'reads': 0}


def test_attach_waits_by_polling_at_the_poll_interval_and_says_how_long(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('Attaching', TARGET), S('InUse', TARGET))
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert adapter.calls == [('get',), ('attach', TARGET, {}), ('get',), ('get',), ('get',)]
    assert fake_clock.sleeps == [1.0, 1.0, 1.0]
    assert result.as_dict()['waited'] == {'seconds': 3.0, 'reads': 3}


def test_available_with_network_card_index_passes_it_to_attach(fake_clock):
    adapter = FakeAdapter(S('Available'), S('InUse', TARGET, card=2))
    result = reconcile(adapter, desired(placement={'network_card_index': 2}), fake_clock)[1]
    assert adapter.mutations == [('attach', TARGET, {'network_card_index': 2})]
    assert result.nic.view()['network_card_index'] == 2


def test_placement_none_values_are_dropped_from_desired():
    assert Desired(NIC, TARGET, placement={'network_card_index': None}).placement == {}


# ---------------------------------------------------------------------------------------------------------------------
# The decision table, rows that fail. Each row: reads, desired options, error code, kind, words the message must hold.

FAILING_ROWS = {
    'present/not-found': ([None], {}, 'NotFound', 'not_found', ['ENI eni-1 was not found in region test-1']),
    'present/attached-elsewhere': ([S('InUse', OTHER)], {}, 'AttachedElsewhere', 'conflict', [OTHER, 'InUse', 'force=true']),
    'present/attaching-elsewhere': ([S('Attaching', OTHER)], {}, 'AttachedElsewhere', 'conflict', [OTHER, 'Attaching']),
    'present/primary-elsewhere': ([S('InUse', OTHER, primary=True)], {'force': True}, 'PrimaryInterface', 'conflict',
                                  ['primary interface of instance %s' % OTHER]),
    'present/gone-or-broken': ([S('Deleting')], {}, 'UnusableStatus', 'invalid_state', ['Deleting']),
    'present/unknown-status': ([S('Linking', TARGET)], {}, 'UnusableStatus', 'invalid_state', ['Linking']),
    'present/placement-mismatch': ([S('InUse', TARGET, card=1)], {'placement': {'network_card_index': 0}},
                                   'PlacementMismatch', 'conflict', ['network_card_index=1', 'network_card_index=0', 'force=true']),
    'present/placement-mismatch-with-the-default-card': ([S('InUse', TARGET)], {'placement': {'network_card_index': 1}},
                                                         'PlacementMismatch', 'conflict', ['with network_card_index=0, not the requested '
                                                                                           'network_card_index=1']),
    'absent/primary': ([S('InUse', TARGET, primary=True)], {'state': 'absent'}, 'PrimaryInterface', 'conflict',
                       ['never detached']),
    'absent/primary-any-instance': ([S('InUse', OTHER, primary=True)], {'state': 'absent', 'instance_id': None},
                                    'PrimaryInterface', 'conflict', [OTHER]),
    'absent/gone-or-broken': ([S('Deleting', TARGET)], {'state': 'absent'}, 'UnusableStatus', 'invalid_state', ['Deleting']),
}


@pytest.mark.parametrize('check_mode', [False, True], ids=['real', 'check'])
@pytest.mark.parametrize('reads, options, code, kind, words', list(FAILING_ROWS.values()), ids=list(FAILING_ROWS))
def test_decision_table_failure(fake_clock, check_mode, reads, options, code, kind, words):
    adapter = FakeAdapter(*reads)
    reconciler, failure = fail(adapter, _desired_for(options), fake_clock, check_mode=check_mode)
    assert (failure.code, failure.kind) == (code, kind)
    for word in words:
        assert word in failure.msg
    assert 'None' not in failure.msg
    assert reconciler.changed is False
    assert adapter.calls == [('get',)]
    assert failure.as_dict() == {'code': code, 'message': failure.msg, 'http_status': None, 'request_id': None,
                                 'action': None, 'kind': kind}


# ---------------------------------------------------------------------------------------------------------------------
# Result, diff and predictions


def test_diff_shows_before_and_after(fake_clock):
    result = reconcile(FakeAdapter(S('Available'), S('InUse', TARGET)), desired(), fake_clock)[1]
    assert result.as_dict(with_diff=True)['diff'] == {'before': {'instance_id': None, 'status': 'Available'},
                                                      'after': {'instance_id': TARGET, 'status': 'InUse'}}


def test_diff_in_check_mode_shows_the_prediction(fake_clock):
    result = reconcile(FakeAdapter(S('InUse', TARGET)), desired(state='absent'), fake_clock, check_mode=True)[1]
    assert result.as_dict(with_diff=True)['diff'] == {'before': {'instance_id': TARGET, 'status': 'InUse'},
                                                      'after': {'instance_id': None, 'status': 'Available'}}


def test_diff_of_a_card_index_reattach_shows_the_index(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET, card=1), instances=[instance()])
    result = reconcile(adapter, desired(force=True, placement={'network_card_index': 0}), fake_clock, check_mode=True)[1]
    assert result.changed is True
    assert result.as_dict(with_diff=True)['diff'] == {
        'before': {'instance_id': TARGET, 'status': 'InUse', 'network_card_index': 1},
        'after': {'instance_id': TARGET, 'status': 'InUse', 'network_card_index': 0}}


def test_predicted_detach_drops_the_old_attachment_facts(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET, card=1, attachment={'instance_id': TARGET, 'device_index': 1}))
    result = reconcile(adapter, desired(state='absent'), fake_clock, check_mode=True)[1]
    view = result.nic.view()
    assert 'attachment' not in view
    assert (view['instance_id'], view['status'], view['network_card_index']) == (None, 'Available', None)


def test_predicted_move_drops_the_old_attachment_facts(fake_clock):
    adapter = FakeAdapter(S('InUse', OTHER, attachment={'instance_id': OTHER, 'device_index': 1}), instances=[instance()])
    result = reconcile(adapter, desired(force=True), fake_clock, check_mode=True)[1]
    assert 'attachment' not in result.nic.view()
    assert where(result) == (TARGET, 'InUse')


def test_diff_of_a_missing_interface_is_empty_on_both_sides(fake_clock):
    result = reconcile(FakeAdapter(None), desired(state='absent'), fake_clock)[1]
    assert result.as_dict(with_diff=True) == {'changed': False, 'network_interface': {}, 'waited': {'seconds': 0.0, 'reads': 0},
                                              'diff': {'before': {'instance_id': None, 'status': None},
                                                       'after': {'instance_id': None, 'status': None}}}


def test_result_without_diff_has_no_diff_key_and_the_whole_view(fake_clock):
    result = reconcile(FakeAdapter(S('InUse', TARGET, card=0)), desired(), fake_clock)[1]
    assert result.as_dict() == {'changed': False, 'waited': {'seconds': 0.0, 'reads': 0}, 'network_interface': dict(
        FACTS, id=NIC, instance_id=TARGET, status='InUse', network_card_index=0)}


def test_view_keeps_id_instance_and_status_over_facts():
    nic = Nic(NIC, 'InUse', ATTACHED, TARGET, facts={'id': 'x', 'status': 'y', 'instance_id': 'z', 'zone_id': 'z-1'})
    assert nic.view() == {'id': NIC, 'status': 'InUse', 'instance_id': TARGET, 'zone_id': 'z-1'}


def test_empty_instance_id_reads_as_none():
    assert Nic(NIC, 'Available', AVAILABLE, instance_id='').instance_id is None


def test_desired_from_params():
    want = Desired.from_params({'instance_id': TARGET, 'state': 'absent', 'force': True, 'wait': False, 'wait_timeout': 7},
                               NIC, {'network_card_index': 3})
    assert (want.nic_id, want.instance_id, want.state, want.force, want.wait, want.wait_timeout, want.placement) == (
        NIC, TARGET, 'absent', True, False, 7, {'network_card_index': 3})


def test_result_as_dict_of_none():
    assert Result(False, None, None).as_dict() == {'changed': False, 'network_interface': {}, 'waited': {'seconds': 0.0, 'reads': 0}}


def test_nic_settling_and_attached_to():
    assert Nic(NIC, 'Attaching', ATTACHING, TARGET).settling
    assert Nic(NIC, 'Creating', CREATING).settling
    assert Nic(NIC, 'Linking', GONE_OR_BROKEN, TARGET, known=False).settling
    assert not Nic(NIC, 'Deleting', GONE_OR_BROKEN, TARGET).settling
    assert Nic(NIC, 'Attaching', ATTACHING, TARGET).attached_to(TARGET)
    assert not Nic(NIC, 'Detaching', DETACHING, TARGET).attached_to(TARGET)
    assert not Nic(NIC, 'InUse', ATTACHED, OTHER).attached_to(TARGET)


# ---------------------------------------------------------------------------------------------------------------------
# Check mode predicts what the cloud would refuse, from one extra read of the instance


@pytest.mark.parametrize('found, code', [
    (None, 'InstanceNotFound'),
    (instance('Stopped', REFUSING), 'InstanceRefuses'),
    (instance(zone='z-2'), 'ZoneMismatch'),
], ids=['missing', 'refusing-status', 'other-zone'])
def test_check_mode_predicts_the_refusal_a_real_run_would_get(fake_clock, found, code):
    adapter = FakeAdapter(S('Available'), instances=[found])
    reconciler, failure = fail(adapter, desired(), fake_clock, check_mode=True, raises=ApiError)
    assert failure.code == code
    assert reconciler.changed is False
    assert adapter.calls == [('get',), ('instance', TARGET)]


def test_check_mode_predicts_the_attach_to_a_starting_instance(fake_clock):
    adapter = FakeAdapter(S('Available'), instances=[instance('Starting', STARTING_OR_STOPPING)])
    result = reconcile(adapter, desired(), fake_clock, check_mode=True)[1]
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))


def test_check_mode_predicts_the_attach_when_the_instance_cannot_be_read(fake_clock):
    adapter = FakeAdapter(S('Available'), instances=[refused('permission', 'Forbidden.RAM')])
    result = reconcile(adapter, desired(), fake_clock, check_mode=True)[1]
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))


def test_check_mode_of_a_converged_task_is_one_read(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), instances=[None])
    result = reconcile(adapter, desired(), fake_clock, check_mode=True)[1]
    assert (result.changed, adapter.calls) == (False, [('get',)])


# ---------------------------------------------------------------------------------------------------------------------
# Refusals: races, things still moving, settled refusals


@pytest.mark.parametrize('kind', ['conflict', 'invalid_state', 'busy'])
def test_attach_refused_but_someone_attached_it_to_the_target_is_unchanged(fake_clock, kind):
    adapter = FakeAdapter(S('Available'), S('InUse', TARGET), attach=[refused(kind)])
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result)) == (False, (TARGET, 'InUse'))
    assert adapter.calls == [('get',), ('attach', TARGET, {}), ('get',)]


def test_attach_refused_but_someone_is_attaching_it_to_the_target_waits_unchanged(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('InUse', TARGET), attach=[refused('invalid_state')])
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result), len(adapter.mutations)) == (False, (TARGET, 'InUse'), 1)


def test_an_unexplained_conflict_the_reads_cannot_show_fails_at_once(fake_clock):
    error = refused('conflict', 'InvalidOperation.EniLinked')
    adapter = FakeAdapter(S('InUse', TARGET), detach=[error])
    reconciler, raised = fail(adapter, desired(state='absent'), fake_clock, raises=ApiError)
    assert raised is error and adapter.calls == [('get',), ('detach', TARGET), ('get',)] and fake_clock.elapsed == 0


def test_a_refusal_for_an_interface_deleted_meanwhile_is_disappeared(fake_clock):
    adapter = FakeAdapter(S('Available'), None, attach=[refused('not_found', 'InvalidEniId.NotFound')])
    failure = fail(adapter, desired(), fake_clock)[1]
    assert failure.code == 'Disappeared'


def test_a_not_found_refusal_about_the_instance_stands(fake_clock):
    error = refused('not_found', 'InvalidEcsId.NotFound')
    adapter = FakeAdapter(S('Available'), attach=[error])
    raised = fail(adapter, desired(), fake_clock, raises=ApiError)[1]
    assert raised is error


@pytest.mark.parametrize('kind', ['invalid_state'])
def test_an_unexplained_refusal_is_retried_while_reads_may_lag_then_raised(fake_clock, kind):
    error = refused(kind, 'InvalidOperation.InvalidEniState')
    adapter = FakeAdapter(S('Available'), attach=[error])
    reconciler, raised = fail(adapter, desired(), fake_clock, raises=ApiError)
    assert raised is error
    assert reconciler.changed is False
    assert len(adapter.mutations) > 2
    assert READ_LAG_GRACE <= fake_clock.elapsed < READ_LAG_GRACE + 10
    assert all(pause > 0 for pause in fake_clock.sleeps)  # never a retry without a pause


def test_an_unexplained_refusal_that_the_reads_then_explain_is_a_race(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Available'), S('Attaching', TARGET), S('InUse', TARGET),
                          attach=[refused('invalid_state', 'InvalidOperation.InvalidEniState')])
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result)) == (False, (TARGET, 'InUse'))
    assert len(adapter.mutations) == 2  # one retry while the read lagged; its refusal was explained by the next read


def test_another_operation_in_flight_is_waited_out(fake_clock):
    busy = refused('busy', 'OperationConflict')
    adapter = FakeAdapter(S('Available'), S('Available'), S('Available'), S('Attaching', TARGET), S('InUse', TARGET),
                          attach=[busy, busy, ACCEPTED])
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))
    assert len(adapter.mutations) == 3
    assert adapter.instance_reads == 0


def test_an_operation_in_flight_until_the_deadline_raises_the_clouds_code(fake_clock):
    busy = refused('busy', 'OperationConflict')
    adapter = FakeAdapter(S('Available'), attach=[busy])
    reconciler, raised = fail(adapter, desired(wait_timeout=30), fake_clock, raises=ApiError)
    assert raised is busy and reconciler.changed is False
    assert fake_clock.elapsed <= 30


def test_an_instance_starting_is_waited_out(fake_clock):
    starting = refused('instance_state', 'InvalidOperation.InvalidEcsState')
    adapter = FakeAdapter(S('Available'), S('Available'), S('Available'), S('Attaching', TARGET), S('InUse', TARGET),
                          attach=[starting, starting, ACCEPTED],
                          instances=[instance('Starting', STARTING_OR_STOPPING), instance('Starting', STARTING_OR_STOPPING)])
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))
    assert adapter.instance_reads == 2


def test_an_instance_that_finished_starting_between_the_refusal_and_the_read_is_tried_again(fake_clock):
    starting = refused('instance_state', 'OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT')
    adapter = FakeAdapter(S('Available'), S('Available'), S('Attaching', TARGET), S('InUse', TARGET),
                          attach=[starting, ACCEPTED], instances=[instance('RUNNING', READY)])
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))
    assert adapter.instance_reads == 1


def test_an_instance_state_refusal_the_reads_never_explain_fails_after_the_read_lag_grace(fake_clock):
    starting = refused('instance_state', 'InvalidOperation.InvalidEcsState')
    adapter = FakeAdapter(S('Available'), attach=[starting] * 50, instances=[instance('Running', READY)] * 50)
    reconciler, raised = fail(adapter, desired(), fake_clock, raises=ApiError)
    assert raised is starting and reconciler.changed is False
    assert READ_LAG_GRACE <= fake_clock.elapsed < READ_LAG_GRACE + 10


def test_an_instance_in_a_settled_status_that_refuses_fails_at_once(fake_clock):
    stopped = refused('instance_state', 'OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT')
    adapter = FakeAdapter(S('Available'), attach=[stopped], instances=[instance('STOPPED', REFUSING)])
    reconciler, raised = fail(adapter, desired(), fake_clock, raises=ApiError)
    assert raised is stopped and reconciler.changed is False
    assert adapter.calls == [('get',), ('attach', TARGET, {}), ('get',), ('instance', TARGET)]
    assert fake_clock.elapsed == 0


def test_an_instance_state_refusal_whose_instance_cannot_be_read_stands(fake_clock):
    stopped = refused('instance_state', 'InvalidOperation.InvalidEcsState')
    adapter = FakeAdapter(S('Available'), attach=[stopped], instances=[refused('permission', 'Forbidden.RAM')])
    raised = fail(adapter, desired(), fake_clock, raises=ApiError)[1]
    assert raised is stopped


def test_a_refusal_for_another_reason_is_raised_without_a_reread(fake_clock):
    error = refused('quota', 'EniPerInstanceLimitExceeded')
    adapter = FakeAdapter(S('Available'), attach=[error])
    reconciler, raised = fail(adapter, desired(), fake_clock, raises=ApiError)
    assert raised is error and reconciler.changed is False
    assert adapter.calls == [('get',), ('attach', TARGET, {})]


def test_attach_refused_because_someone_attached_it_elsewhere_fails_attached_elsewhere(fake_clock):
    adapter = FakeAdapter(S('Available'), S('InUse', OTHER), attach=[refused('conflict')])
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert (failure.code, reconciler.changed) == ('AttachedElsewhere', False)
    assert OTHER in failure.msg


def test_attach_refused_and_interface_deleted_meanwhile_fails_disappeared(fake_clock):
    adapter = FakeAdapter(S('Available'), None, attach=[refused('conflict')])
    failure = fail(adapter, desired(), fake_clock)[1]
    assert failure.code == 'Disappeared' and 'disappeared' in failure.msg


def test_keeps_changing_fails_unsettled_after_max_rounds(fake_clock):
    adapter = FakeAdapter(*[S('Available'), S('Detaching', OTHER)] * (MAX_ROUNDS + 1), attach=[refused('busy', 'Operation.Conflict')])
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert (failure.code, failure.kind, reconciler.changed) == ('Unsettled', 'conflict', False)
    assert 'attach it to %s' % TARGET in failure.msg and 'another process is acting on it' in failure.msg


def test_absent_detach_refused_because_someone_detached_it_is_unchanged(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), S('Available'), detach=[refused('invalid_state')])
    result = reconcile(adapter, desired(state='absent'), fake_clock)[1]
    assert (result.changed, where(result)) == (False, (None, 'Available'))


# ---------------------------------------------------------------------------------------------------------------------
# Calls whose answer was lost


def test_unknown_outcome_then_attached_to_target_is_changed(fake_clock):
    adapter = FakeAdapter(S('Available'), S('InUse', TARGET), attach=[unknown_outcome()])
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))
    assert adapter.calls == [('get',), ('attach', TARGET, {}), ('get',)]


def test_unknown_outcome_and_still_available_attaches_again_after_a_pause(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Available'), S('InUse', TARGET), attach=[unknown_outcome(), ACCEPTED])
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))
    assert adapter.mutations == [('attach', TARGET, {}), ('attach', TARGET, {})]
    assert 0.25 <= fake_clock.sleeps[0] <= 0.5  # the re-sent write waits first, with backoff


def test_unknown_outcome_then_attached_elsewhere_fails_unchanged(fake_clock):
    adapter = FakeAdapter(S('Available'), S('InUse', OTHER), attach=[unknown_outcome()])
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert (failure.code, reconciler.changed) == ('AttachedElsewhere', False)


@pytest.mark.parametrize('state, reads, verb', [
    ('present', [S('Available')], 'attach'),
    ('absent', [S('InUse', TARGET)], 'detach'),
])
def test_a_call_that_never_gets_an_answer_while_nothing_moves_fails_with_the_cloud_error(fake_clock, state, reads, verb):
    adapter = FakeAdapter(*reads, **{verb: [unknown_outcome()]})
    reconciler, raised = fail(adapter, desired(state=state), fake_clock, raises=ApiError)
    assert raised.code == 'ReadTimeout'  # the cause, not "another process is acting on it"
    assert reconciler.changed is False
    assert len(adapter.mutations) == MAX_ROUNDS
    sleeps = fake_clock.sleeps
    assert len(sleeps) == MAX_ROUNDS - 1 and sleeps == sorted(sleeps) and sleeps[0] > 0  # growing pauses between the rounds
    assert '%d calls of this task' % MAX_ROUNDS in reconciler.note
    assert 'got no answer (ReadTimeout)' in reconciler.note and 'may have been applied' in reconciler.note


def test_one_read_credits_at_most_one_call_and_a_rollback_withdraws_it(fake_clock):
    # Two attaches without an answer; one Attaching read credits only one of them; the cloud then rolls it back.
    adapter = FakeAdapter(S('Available'), S('Available'), S('Attaching', TARGET), S('Available'),
                          attach=[unknown_outcome(), unknown_outcome()])
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert failure.code == 'Rejected' and 'rolled it back' in failure.msg
    assert reconciler.changed is False
    effects = [call.effect for call in reconciler.ledger.calls]
    assert effects == [ledger.UNDONE, ledger.PENDING]


def test_an_unanswered_attach_seen_attaching_then_rolled_back_is_rejected_unchanged(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('Available'), attach=[unknown_outcome()])
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert (failure.code, reconciler.changed) == ('Rejected', False)
    assert len(adapter.mutations) == 1  # fails at once: no second attach


def test_a_late_applied_attach_is_credited_when_it_shows(fake_clock):
    # attach 1: no answer, and the re-read does not show it yet; attach 2: refused because attach 1 has now landed.
    adapter = FakeAdapter(S('Available'), S('Available'), S('InUse', TARGET),
                          attach=[unknown_outcome(), refused('invalid_state', 'InvalidOperation.InvalidEniState')])
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert where(result) == (TARGET, 'InUse')
    assert result.changed is True


def test_absent_unknown_outcome_then_available_is_changed(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), S('Available'), detach=[unknown_outcome()])
    result = reconcile(adapter, desired(state='absent'), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (None, 'Available'))


def test_force_move_detach_unknown_outcome_seen_done_then_attach_fails_reports_changed(fake_clock):
    error = refused('quota', 'EniPerInstanceLimitExceeded')
    adapter = FakeAdapter(S('InUse', OTHER), S('Available'), detach=[unknown_outcome()], attach=[error])
    reconciler, raised = fail(adapter, desired(force=True), fake_clock, raises=ApiError)
    assert raised is error
    assert reconciler.changed is True  # the ENI left OTHER: that change happened


# ---------------------------------------------------------------------------------------------------------------------
# Unpinned calls (a late copy acts on whatever the interface is then): never re-sent or followed while one may land

ZEC_LIKE = {'unpinned': ['detach']}


def test_an_unpinned_detach_whose_answer_was_lost_is_not_sent_again_while_it_may_land(fake_clock):
    # The lost detach lands 4 s later; the task waits for it instead of sending a second one.
    reads = [S('InUse', TARGET)] + [S('InUse', TARGET)] * 5 + [S('Available')]
    adapter = FakeAdapter(*reads, detach=[unknown_outcome()], timeout=2, **ZEC_LIKE)
    result = reconcile(adapter, desired(state='absent'), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (None, 'Available'))
    assert adapter.mutations == [('detach', TARGET)]


def test_an_unpinned_detach_that_never_lands_is_sent_again_once_its_window_closed(fake_clock):
    reads = [S('InUse', TARGET)] * 13 + [S('Detaching', TARGET), S('Available')]
    adapter = FakeAdapter(*reads, detach=[unknown_outcome(), ACCEPTED], timeout=2, **ZEC_LIKE)
    adapter.clock = fake_clock
    result = reconcile(adapter, desired(state='absent'), fake_clock)[1]
    assert result.changed is True and len(adapter.mutations) == 2
    assert adapter.sent_at[1] - adapter.sent_at[0] >= LATE_LANDING_FLOOR  # max(timeout 2, the floor)


def test_a_force_move_waits_out_an_unpinned_detach_before_attaching(fake_clock):
    # Bug: a lost ZEC detach, re-sent and done, then the attach; then the first detach landed and undid the attach.
    reads = [S('InUse', OTHER)] * 4 + [S('Available')] * 20 + [S('Attaching', TARGET), S('InUse', TARGET)]
    adapter = FakeAdapter(*reads, detach=[unknown_outcome()], timeout=2, **ZEC_LIKE)
    adapter.clock = fake_clock
    reconciler, result = reconcile(adapter, desired(force=True), fake_clock)
    assert adapter.mutations == [('detach', OTHER), ('attach', TARGET, {})]  # one detach, never re-sent
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))
    assert adapter.sent_at[1] >= reconciler.ledger.calls[0].may_land_until == fake_clock.start + LATE_LANDING_FLOOR


def test_a_pinned_detach_whose_answer_was_lost_is_sent_again(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), S('InUse', TARGET), S('Available'), detach=[unknown_outcome(), ACCEPTED])
    result = reconcile(adapter, desired(state='absent'), fake_clock)[1]
    assert result.changed is True and len(adapter.mutations) == 2
    assert fake_clock.elapsed < 5


def test_the_task_never_returns_a_state_its_own_late_call_can_change(fake_clock):
    # A lost unpinned detach; someone else moves the interface onto the target meanwhile: the task waits the window out
    # before saying "attached to the target", and reads again.
    reads = [S('InUse', OTHER), S('InUse', TARGET)] + [S('InUse', TARGET)] * 15
    adapter = FakeAdapter(*reads, detach=[unknown_outcome()], timeout=2, **ZEC_LIKE)
    reconciler, result = reconcile(adapter, desired(force=True), fake_clock)
    assert where(result) == (TARGET, 'InUse')
    assert fake_clock.elapsed >= LATE_LANDING_FLOOR
    assert reconciler.ledger.calls[0].effect == ledger.DONE  # it left OTHER


def test_a_failure_names_a_call_that_may_still_be_applied(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), detach=[unknown_outcome()], timeout=2, **ZEC_LIKE)
    reconciler, failure = fail(adapter, desired(state='absent', wait_timeout=5), fake_clock)
    assert failure.code == 'WaitTimeout'
    assert 'FakeWrite call sent' in reconciler.note and 'may have been applied, or may still be' in reconciler.note


# ---------------------------------------------------------------------------------------------------------------------
# Waiting: rollbacks, silent calls, timeouts, disappearance, unknown status, outages


def test_attach_rolled_back_fails_rejected_at_once(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('Available'), S('InUse', TARGET))
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert (failure.code, failure.kind) == ('Rejected', 'invalid_state')
    assert 'now Available' in failure.msg and TARGET in failure.msg and 'rolled it back' in failure.msg
    assert fake_clock.elapsed == 2.0
    assert reconciler.changed is False


def test_an_attach_never_seen_happening_is_sent_once_more_before_it_is_rejected(fake_clock):
    adapter = FakeAdapter(S('Available'))
    reconciler, failure = fail(adapter, desired(wait_timeout=300), fake_clock)
    assert failure.code == 'Rejected' and 'no read showed it happening' in failure.msg
    assert len(adapter.mutations) == 2
    assert 2 * READ_LAG_GRACE <= fake_clock.elapsed < 2 * READ_LAG_GRACE + 4
    assert reconciler.changed is False


def test_an_attach_that_reads_show_only_after_the_lag_is_not_rejected(fake_clock):
    reads = [S('Available')] * 4 + [S('Attaching', TARGET), S('InUse', TARGET)]  # the reads lag 3 s behind the cloud
    adapter = FakeAdapter(*reads)
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result), len(adapter.mutations)) == (True, (TARGET, 'InUse'), 1)


def test_an_attach_silently_dropped_once_succeeds_when_sent_again(fake_clock):
    reads = [S('Available')] * (int(READ_LAG_GRACE) + 2) + [S('Attaching', TARGET), S('InUse', TARGET)]
    adapter = FakeAdapter(*reads)
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result), len(adapter.mutations)) == (True, (TARGET, 'InUse'), 2)


def test_attach_ending_on_another_instance_is_a_race_not_a_rejection(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('InUse', THIRD))
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert failure.code == 'AttachedElsewhere' and THIRD in failure.msg
    assert reconciler.changed is True  # our attach was seen happening before someone moved it


def test_detach_ending_on_another_instance_is_done_not_rejected(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), S('InUse', THIRD))
    reconciler, result = reconcile(adapter, desired(state='absent'), fake_clock)
    assert (result.changed, where(result)) == (True, (THIRD, 'InUse'))


def test_detach_rolled_back_fails_rejected(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), S('Detaching', TARGET), S('InUse', TARGET))
    failure = fail(adapter, desired(state='absent'), fake_clock)[1]
    assert failure.code == 'Rejected' and 'detach' in failure.msg and 'from instance %s' % TARGET in failure.msg


def test_attach_stuck_times_out_and_reports_the_change_made(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET))
    reconciler, failure = fail(adapter, desired(wait_timeout=10), fake_clock)
    assert (failure.code, failure.kind, reconciler.changed) == ('WaitTimeout', 'timeout', True)
    assert 'Timed out after 10 seconds' in failure.msg and 'it was Attaching on instance %s when last read, 0.0 s ago' % TARGET in failure.msg
    assert fake_clock.elapsed == 10
    assert max(fake_clock.sleeps) <= 1.0


def test_an_attach_never_seen_moving_by_the_deadline_reports_unchanged(fake_clock):
    adapter = FakeAdapter(S('Available'))
    reconciler, failure = fail(adapter, desired(wait_timeout=2), fake_clock)
    assert failure.code == 'WaitTimeout' and 'it was Available when last read' in failure.msg
    assert reconciler.changed is False


def test_wait_timeout_is_one_deadline_for_the_whole_task(fake_clock):
    adapter = FakeAdapter(S('Detaching', OTHER), S('Detaching', OTHER), S('Detaching', OTHER), S('Available'),
                          S('Attaching', TARGET))
    failure = fail(adapter, desired(wait_timeout=5), fake_clock)[1]
    assert failure.code == 'WaitTimeout'
    assert fake_clock.elapsed == 5


def test_no_write_starts_without_time_left(fake_clock):
    adapter = FakeAdapter(S('Detaching', OTHER), S('Available'))
    failure = fail(adapter, desired(wait_timeout=1.2), fake_clock)[1]
    assert failure.code == 'WaitTimeout' and 'no time was left to send the attach' in failure.msg
    assert adapter.mutations == []


def test_fractional_remaining_time_is_slept_exactly(fake_clock):
    adapter = FakeAdapter(S('Attaching', TARGET))
    fail(adapter, desired(wait_timeout=2.5), fake_clock)
    assert fake_clock.sleeps == [1.0, 1.0, 0.5]


@pytest.mark.parametrize('reads, options', [
    ([S('Detaching', OTHER)], {}),
    ([S('Attaching', TARGET)], {}),
    ([S('Detaching', TARGET)], {'state': 'absent'}),
    ([S('Creating')], {}),
], ids=['present/detaching', 'present/attaching-to-target', 'absent/detaching', 'present/creating'])
def test_waiting_on_someone_else_times_out_unchanged(fake_clock, reads, options):
    adapter = FakeAdapter(*reads)
    reconciler, failure = fail(adapter, _desired_for(dict(options, wait_timeout=3)), fake_clock)
    assert (failure.code, reconciler.changed, adapter.mutations) == ('WaitTimeout', False, [])
    assert 'it was %s' % reads[0].status in failure.msg


def test_interface_deleted_while_waiting_fails_disappeared(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), None)
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert (failure.code, failure.kind, reconciler.changed) == ('Disappeared', 'not_found', True)
    assert 'ENI eni-1 disappeared' in failure.msg
    assert reconciler.last_seen is None


def test_interface_deleted_during_a_move_disappeared_not_not_found(fake_clock):
    adapter = FakeAdapter(S('InUse', OTHER), S('Detaching', OTHER), None, detach=[ACCEPTED])
    failure = fail(adapter, desired(force=True), fake_clock)[1]
    assert failure.code == 'Disappeared'


def test_deleted_while_detaching_is_detached(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), S('Detaching', TARGET), None)
    reconciler, result = reconcile(adapter, desired(state='absent'), fake_clock)
    assert (result.changed, result.nic) == (True, None)
    assert result.as_dict()['network_interface'] == {}


def test_unknown_status_while_waiting_keeps_polling(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('Linking', TARGET), S('Linking', TARGET),
                          S('InUse', TARGET))
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))
    assert adapter.reads_made == 5


def test_settle_without_own_call_returns_a_broken_status_to_the_decision(fake_clock):
    adapter = FakeAdapter(S('Detaching', OTHER), S('Deleting'))
    failure = fail(adapter, desired(), fake_clock)[1]
    assert failure.code == 'UnusableStatus' and 'Deleting' in failure.msg


def test_a_throttled_poll_keeps_waiting(fake_clock):
    adapter = FakeAdapter(S('Available'), refused('throttled', 'Throttling.User'), S('InUse', TARGET))
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))
    assert adapter.reads_made == 3


def test_an_outage_during_a_wait_ends_it_with_the_read_error_not_at_the_timeout(fake_clock):
    outage = ApiError('ConnectionFailed', 'could not connect to http://127.0.0.1:1', action='DescribeNetworkInterfaces', kind='connection')
    adapter = FakeAdapter(S('Available'), outage)
    reconciler, raised = fail(adapter, desired(wait_timeout=300), fake_clock, raises=ApiError)
    assert raised is outage
    assert fake_clock.elapsed == 1.0  # the first poll that failed after the client's own retries
    assert 'The last read failed (ConnectionFailed, kind connection); it was Available when last read, 1.0 s ago.' in reconciler.note
    assert reconciler.changed is True  # the attach was accepted and nothing shows it was undone


def test_a_poll_refused_for_a_lasting_reason_fails_at_once(fake_clock):
    adapter = FakeAdapter(S('Available'), refused('auth', 'InvalidAccessKeyId.Inactive'))
    reconciler, raised = fail(adapter, desired(), fake_clock, raises=ApiError)
    assert raised.code == 'InvalidAccessKeyId.Inactive'
    assert reconciler.changed is True


# A detach stuck in Detaching is sent again, once, where the cloud takes it

def test_a_stuck_detach_is_sent_again_once(fake_clock):
    reads = [S('InUse', TARGET)] + [S('Detaching', TARGET)] * (int(REDETACH_AFTER) + 2) + [S('Available')]
    adapter = FakeAdapter(*reads, redetach=True)
    result = reconcile(adapter, desired(state='absent'), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (None, 'Available'))
    assert adapter.mutations == [('detach', TARGET), ('detach', TARGET)]


def test_a_rerun_on_a_stuck_detach_picks_up_where_the_last_run_stopped(fake_clock):
    reads = [S('Detaching', TARGET)] * (int(REDETACH_AFTER) + 2) + [S('Available')]
    adapter = FakeAdapter(*reads, redetach=True)
    result = reconcile(adapter, desired(state='absent'), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (None, 'Available'))
    assert adapter.mutations == [('detach', TARGET)]


def test_a_cloud_that_takes_no_second_detach_only_waits(fake_clock):
    adapter = FakeAdapter(S('Detaching', TARGET))
    failure = fail(adapter, desired(state='absent', wait_timeout=60), fake_clock)[1]
    assert failure.code == 'WaitTimeout'
    assert adapter.mutations == []


# ---------------------------------------------------------------------------------------------------------------------
# A force-move whose attach is refused puts the interface back where it was, only over its own detach


def test_force_move_refused_attach_puts_the_interface_back(fake_clock):
    error = refused('quota', 'EniPerInstanceLimitExceeded')
    adapter = FakeAdapter(S('InUse', OTHER, card=1), S('Available'), S('Available'), S('InUse', OTHER, card=1),
                          attach=[error, ACCEPTED])
    reconciler, raised = fail(adapter, desired(force=True), fake_clock, raises=ApiError)
    assert raised.code == 'EniPerInstanceLimitExceeded'
    assert adapter.mutations == [('detach', OTHER), ('attach', TARGET, {}), ('attach', OTHER, {'network_card_index': 1})]
    assert reconciler.changed is True
    assert reconciler.note == ' ENI %s was attached back to %s, where it was before this task.' % (NIC, OTHER)


def test_force_move_rolled_back_attach_puts_the_interface_back(fake_clock):
    adapter = FakeAdapter(S('InUse', OTHER), S('Available'), S('Attaching', TARGET), S('Available'), S('Attaching', OTHER),
                          S('InUse', OTHER))
    reconciler, failure = fail(adapter, desired(force=True), fake_clock)
    assert failure.code == 'Rejected'
    assert adapter.mutations == [('detach', OTHER), ('attach', TARGET, {}), ('attach', OTHER, {})]
    assert 'was attached back to %s' % OTHER in reconciler.note


def test_force_move_whose_put_back_fails_too_says_where_the_interface_is(fake_clock):
    refusals = [refused('invalid_input', 'InvalidOperation.VpcMismatch'), refused('quota', 'EniPerInstanceLimitExceeded')]
    adapter = FakeAdapter(S('InUse', OTHER), S('Available'), attach=refusals)
    reconciler, raised = fail(adapter, desired(force=True), fake_clock, raises=ApiError)
    assert raised.code == 'InvalidOperation.VpcMismatch'
    assert reconciler.note == ' Attaching ENI %s back to %s failed too (EniPerInstanceLimitExceeded); it is now Available.' % (NIC, OTHER)
    assert reconciler.changed is True  # the detach happened


@pytest.mark.parametrize('force, reads', [
    (False, [S('Available')]),  # no move: nothing to put back
    (True, [S('Detaching', OTHER), S('Available')]),  # someone else's detach: not ours to undo
])
def test_a_refused_attach_without_our_own_detach_puts_nothing_back(fake_clock, force, reads):
    adapter = FakeAdapter(*reads, attach=[refused('quota', 'EniPerInstanceLimitExceeded')])
    reconciler = fail(adapter, desired(force=force), fake_clock, raises=ApiError)[0]
    assert adapter.mutations == [('attach', TARGET, {})]
    assert reconciler.note == ''


def test_a_race_on_the_new_instance_puts_nothing_back(fake_clock):
    # Our detach is done; our attach is refused because someone else attached the interface meanwhile: not a refusal by
    # the new instance, so the interface is not "put back" over the other actor's change.
    adapter = FakeAdapter(S('InUse', OTHER), S('Available'), S('InUse', THIRD), attach=[refused('invalid_state', 'InvalidOperation.InvalidEniState')])
    reconciler = fail(adapter, desired(force=True, wait_timeout=3), fake_clock)[0]
    assert ('attach', OTHER, {}) not in adapter.mutations
    assert reconciler.note == ''


def test_a_move_that_times_out_is_not_undone(fake_clock):
    adapter = FakeAdapter(S('InUse', OTHER), S('Available'), S('Available'), S('Attaching', TARGET))
    reconciler, failure = fail(adapter, desired(force=True, wait_timeout=10), fake_clock)
    assert failure.code == 'WaitTimeout'
    assert adapter.mutations == [('detach', OTHER), ('attach', TARGET, {})]
    assert reconciler.note == ''


def test_retries_are_bounded_by_the_task_deadline(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET))
    reconcile(adapter, desired(wait_timeout=7), fake_clock)
    assert adapter.deadline == fake_clock.start + 7


def test_an_unpinned_detach_the_api_answered_with_a_5xx_is_sent_again_after_a_pause(fake_clock):
    # A 5xx the API itself answered is final: no copy of the call is still at work, so no landing window to wait out.
    server_error = ApiError('INTERNAL_SERVER_ERROR', 'oops', http_status=500, action='DetachNetworkInterface', kind='transient',
                            outcome_unknown=True, from_api=True)
    adapter = FakeAdapter(S('InUse', TARGET), S('InUse', TARGET), S('Available'), detach=[server_error, ACCEPTED], **ZEC_LIKE)
    result = reconcile(adapter, desired(state='absent'), fake_clock)[1]
    assert (result.changed, len(adapter.mutations)) == (True, 2)
    assert fake_clock.elapsed < LATE_LANDING_FLOOR and 0.25 <= fake_clock.sleeps[0] <= 0.5


def test_a_task_that_runs_out_of_rounds_never_stops_right_after_its_own_detach(fake_clock):
    # Other actors keep moving the interface; this task's last round detached it to move it: it attaches it before
    # giving up, so it never leaves the interface on no instance.
    reads = [S('InUse', OTHER)] + [S('Available'), S('InUse', THIRD)] * 2 + [S('Available'), S('InUse', TARGET)]
    adapter = FakeAdapter(*reads)
    reconciler = reconciler_for(adapter, desired(force=True), fake_clock)
    result = reconciler.run()
    assert where(result) == (TARGET, 'InUse')
    assert adapter.mutations[-1] == ('attach', TARGET, {})
