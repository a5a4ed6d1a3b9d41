# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconciler's decision table (DESIGN section 2), run against an in-memory fake adapter.

The fake adapter answers ``get`` from a script of interface states (the last one repeats) and answers ``attach`` /
``detach`` from a script of outcomes (accepted, or an ``ApiError``); it records every call. Time is a fake clock, so
every wait is instant and its length can be asserted.
"""

from __future__ import annotations

import pytest

from ansible_collections.cloudnet.nic.plugins.module_utils import attachment
from ansible_collections.cloudnet.nic.plugins.module_utils.attachment import (
    ATTACHED, ATTACHING, AVAILABLE, DETACHING, GONE_OR_BROKEN, MAX_ROUNDS, REJECTION_GRACE,
    AttachmentFailure, Desired, Nic, Reconciler, Result,
)
from ansible_collections.cloudnet.nic.plugins.module_utils.client import ApiError

NIC = 'eni-1'
TARGET = 'i-target'
OTHER = 'i-other'
FACTS = {'type': 'Secondary', 'vpc_id': 'vpc-1', 'mac_address': '00:16:3e:00:00:01'}
PHASES = {'Available': AVAILABLE, 'Attaching': ATTACHING, 'InUse': ATTACHED, 'Detaching': DETACHING,
          'Deleting': GONE_OR_BROKEN, 'CreateFailed': GONE_OR_BROKEN}
WORDS = {AVAILABLE: 'Available', ATTACHING: 'Attaching', ATTACHED: 'InUse', DETACHING: 'Detaching'}


class State:
    """One scripted read: a fresh ``Nic`` is built from it on every ``get`` (so nothing aliases)."""

    def __init__(self, status, instance_id=None, primary=False, card=None):
        self.status, self.instance_id, self.primary, self.card = status, instance_id, primary, card

    def nic(self):
        return Nic(NIC, self.status, PHASES.get(self.status, GONE_OR_BROKEN), instance_id=self.instance_id,
                   primary=self.primary, placement={'network_card_index': self.card}, facts=dict(FACTS),
                   known=self.status in PHASES)


S = State
ACCEPTED = None


def refused(kind, code='Refused', outcome_unknown=False):
    return ApiError(code, 'refused by the fake cloud', http_status=400, request_id='R-1', action='Fake', kind=kind,
                    outcome_unknown=outcome_unknown)


def unknown_outcome():
    return ApiError('ReadTimeout', 'no answer', action='Fake', kind='connection', outcome_unknown=True)


class FakeAdapter:
    noun = 'ENI'
    where = 'in region test-1'

    def __init__(self, *reads, attach=(ACCEPTED,), detach=(ACCEPTED,)):
        self.reads = list(reads)
        self.outcomes = {'attach': list(attach), 'detach': list(detach)}
        self.calls = []

    @staticmethod
    def status_word(phase):
        return WORDS[phase]

    def limit_to(self, deadline):
        self.deadline = deadline

    def get(self, nic_id):
        assert nic_id == NIC
        self.calls.append(('get',))
        state = self.reads.pop(0) if len(self.reads) > 1 else self.reads[0]
        if isinstance(state, ApiError):
            raise state
        return state.nic() if state is not None else None

    def attach(self, nic, instance_id, placement):
        assert nic.id == NIC
        self.calls.append(('attach', instance_id, dict(placement)))
        self._outcome('attach')

    def detach(self, nic):
        assert nic.id == NIC
        self.calls.append(('detach', nic.instance_id))
        self._outcome('detach')

    def _outcome(self, verb):
        queue = self.outcomes[verb]
        outcome = queue.pop(0) if len(queue) > 1 else queue[0]
        if outcome is not None:
            raise outcome

    @property
    def mutations(self):
        return [call for call in self.calls if call[0] != 'get']

    @property
    def reads_made(self):
        return sum(1 for call in self.calls if call[0] == 'get')


def desired(state='present', instance_id=TARGET, **kwargs):
    return Desired(NIC, instance_id=instance_id, state=state, **kwargs)


def reconcile(adapter, want, clock, check_mode=False):
    reconciler = Reconciler(adapter, want, check_mode=check_mode, clock=clock.monotonic, sleep=clock.sleep)
    return reconciler, reconciler.run()


def fail(adapter, want, clock, check_mode=False):
    reconciler = Reconciler(adapter, want, check_mode=check_mode, clock=clock.monotonic, sleep=clock.sleep)
    with pytest.raises(AttachmentFailure) as raised:
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
    assert fake_clock.elapsed < 300


@pytest.mark.parametrize('reads, options, changed, mutations, final', list(CONVERGING_ROWS.values()), ids=list(CONVERGING_ROWS))
def test_check_mode_predicts_the_same_result_without_mutating(fake_clock, reads, options, changed, mutations, final):
    real = reconcile(FakeAdapter(*reads), _desired_for(options), fake_clock)[1]
    adapter = FakeAdapter(*reads)
    reconciler, predicted = reconcile(adapter, _desired_for(options), fake_clock, check_mode=True)
    assert predicted.changed is changed
    assert adapter.mutations == []
    assert adapter.reads_made == 1
    assert predicted.nic.view() == real.nic.view() if real.nic else predicted.nic is None
    assert where(predicted) == final


def test_converged_state_is_one_read_and_unchanged(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET))
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, adapter.calls, fake_clock.sleeps) == (False, [('get',)], [])


def test_attach_waits_by_polling_at_the_poll_interval(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('Attaching', TARGET), S('InUse', TARGET))
    reconcile(adapter, desired(), fake_clock)
    assert adapter.calls == [('get',), ('attach', TARGET, {}), ('get',), ('get',), ('get',)]
    assert fake_clock.sleeps == [1.0, 1.0, 1.0]


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
    assert reconciler.changed is False
    assert adapter.calls == [('get',)]
    assert failure.as_dict() == {'code': code, 'message': failure.msg, 'http_status': None, 'request_id': None,
                                 'action': None, 'kind': kind}


# ---------------------------------------------------------------------------------------------------------------------
# Result and diff


def test_diff_shows_before_and_after(fake_clock):
    result = reconcile(FakeAdapter(S('Available'), S('InUse', TARGET)), desired(), fake_clock)[1]
    assert result.as_dict(with_diff=True)['diff'] == {'before': {'instance_id': None, 'status': 'Available'},
                                                      'after': {'instance_id': TARGET, 'status': 'InUse'}}


def test_diff_in_check_mode_shows_the_prediction(fake_clock):
    result = reconcile(FakeAdapter(S('InUse', TARGET)), desired(state='absent'), fake_clock, check_mode=True)[1]
    assert result.as_dict(with_diff=True)['diff'] == {'before': {'instance_id': TARGET, 'status': 'InUse'},
                                                      'after': {'instance_id': None, 'status': 'Available'}}


def test_diff_of_a_missing_interface_is_empty_on_both_sides(fake_clock):
    result = reconcile(FakeAdapter(None), desired(state='absent'), fake_clock)[1]
    assert result.as_dict(with_diff=True) == {'changed': False, 'network_interface': {},
                                              'diff': {'before': {'instance_id': None, 'status': None},
                                                       'after': {'instance_id': None, 'status': None}}}


def test_result_without_diff_has_no_diff_key_and_the_whole_view(fake_clock):
    result = reconcile(FakeAdapter(S('InUse', TARGET, card=0)), desired(), fake_clock)[1]
    assert result.as_dict() == {'changed': False, 'network_interface': dict(
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
    assert Result(False, None, None).as_dict() == {'changed': False, 'network_interface': {}}


# ---------------------------------------------------------------------------------------------------------------------
# Races and unknown outcomes


@pytest.mark.parametrize('kind', ['conflict', 'invalid_state'])
def test_attach_refused_but_someone_attached_it_to_the_target_is_unchanged(fake_clock, kind):
    adapter = FakeAdapter(S('Available'), S('InUse', TARGET), attach=[refused(kind)])
    reconciler, result = reconcile(adapter, desired(), fake_clock)
    assert (result.changed, where(result)) == (False, (TARGET, 'InUse'))
    assert adapter.calls == [('get',), ('attach', TARGET, {}), ('get',)]


def test_attach_refused_but_someone_is_attaching_it_to_the_target_waits_unchanged(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('InUse', TARGET), attach=[refused('invalid_state')])
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result), len(adapter.mutations)) == (False, (TARGET, 'InUse'), 1)


@pytest.mark.parametrize('kind', ['conflict', 'invalid_state'])
def test_attach_refused_and_nothing_changed_raises_the_api_error(fake_clock, kind):
    error = refused(kind, 'InvalidOperation.InvalidEniState')
    adapter = FakeAdapter(S('Available'), attach=[error])
    reconciler = Reconciler(adapter, desired(), clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    with pytest.raises(ApiError) as raised:
        reconciler.run()
    assert raised.value is error
    assert reconciler.changed is False
    assert adapter.calls == [('get',), ('attach', TARGET, {}), ('get',)]


def test_attach_refused_for_another_reason_is_raised_without_a_reread(fake_clock):
    error = refused('quota', 'EniPerInstanceLimitExceeded')
    adapter = FakeAdapter(S('Available'), attach=[error])
    reconciler = Reconciler(adapter, desired(), clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    with pytest.raises(ApiError) as raised:
        reconciler.run()
    assert raised.value is error and reconciler.changed is False
    assert adapter.calls == [('get',), ('attach', TARGET, {})]


def test_attach_refused_because_someone_attached_it_elsewhere_fails_attached_elsewhere(fake_clock):
    adapter = FakeAdapter(S('Available'), S('InUse', OTHER), attach=[refused('conflict')])
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert (failure.code, reconciler.changed) == ('AttachedElsewhere', False)
    assert OTHER in failure.msg


def test_attach_refused_and_interface_deleted_meanwhile_fails_not_found(fake_clock):
    adapter = FakeAdapter(S('Available'), None, attach=[refused('conflict')])
    failure = fail(adapter, desired(), fake_clock)[1]
    assert failure.code == 'NotFound'


def test_unknown_outcome_then_attached_to_target_is_changed(fake_clock):
    adapter = FakeAdapter(S('Available'), S('InUse', TARGET), attach=[unknown_outcome()])
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))
    assert adapter.calls == [('get',), ('attach', TARGET, {}), ('get',)]


def test_unknown_outcome_then_attaching_to_target_waits_and_is_changed(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('InUse', TARGET), attach=[unknown_outcome()])
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result), len(adapter.mutations)) == (True, (TARGET, 'InUse'), 1)


def test_unknown_outcome_and_still_available_attaches_again(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Available'), S('InUse', TARGET), attach=[unknown_outcome(), ACCEPTED])
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))
    assert adapter.mutations == [('attach', TARGET, {}), ('attach', TARGET, {})]


def test_unknown_outcome_then_attached_elsewhere_fails_unchanged(fake_clock):
    adapter = FakeAdapter(S('Available'), S('InUse', OTHER), attach=[unknown_outcome()])
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert (failure.code, reconciler.changed) == ('AttachedElsewhere', False)


def test_absent_unknown_outcome_then_available_is_changed(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), S('Available'), detach=[unknown_outcome()])
    result = reconcile(adapter, desired(state='absent'), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (None, 'Available'))
    assert adapter.calls == [('get',), ('detach', TARGET), ('get',)]


def test_absent_unknown_outcome_then_detaching_waits_and_is_changed(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), S('Detaching', TARGET), S('Available'), detach=[unknown_outcome()])
    result = reconcile(adapter, desired(state='absent'), fake_clock)[1]
    assert (result.changed, where(result), len(adapter.mutations)) == (True, (None, 'Available'), 1)


def test_absent_unknown_outcome_and_still_attached_detaches_again(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), S('InUse', TARGET), S('Available'), detach=[unknown_outcome(), ACCEPTED])
    result = reconcile(adapter, desired(state='absent'), fake_clock)[1]
    assert (result.changed, adapter.mutations) == (True, [('detach', TARGET), ('detach', TARGET)])


def test_absent_detach_refused_because_someone_detached_it_is_unchanged(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), S('Available'), detach=[refused('invalid_state')])
    result = reconcile(adapter, desired(state='absent'), fake_clock)[1]
    assert (result.changed, where(result)) == (False, (None, 'Available'))


def test_absent_detach_refused_and_nothing_changed_raises(fake_clock):
    error = refused('conflict', 'Operation.Conflict')
    adapter = FakeAdapter(S('InUse', TARGET), detach=[error])
    with pytest.raises(ApiError) as raised:
        reconcile(adapter, desired(state='absent'), fake_clock)
    assert raised.value is error


def test_force_move_detach_refused_and_nothing_changed_raises(fake_clock):
    error = refused('conflict', 'Operation.Conflict')
    adapter = FakeAdapter(S('InUse', OTHER), detach=[error])
    with pytest.raises(ApiError) as raised:
        reconcile(adapter, desired(force=True), fake_clock)
    assert raised.value is error
    assert adapter.mutations == [('detach', OTHER)]


def test_force_move_detach_unknown_outcome_then_available_attaches(fake_clock):
    adapter = FakeAdapter(S('InUse', OTHER), S('Available'), S('InUse', TARGET), detach=[unknown_outcome()])
    result = reconcile(adapter, desired(force=True), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))
    assert adapter.mutations == [('detach', OTHER), ('attach', TARGET, {})]


def test_force_move_detach_unknown_outcome_seen_done_then_attach_fails_reports_changed(fake_clock):
    error = refused('quota', 'EniPerInstanceLimitExceeded')
    adapter = FakeAdapter(S('InUse', OTHER), S('Available'), detach=[unknown_outcome()], attach=[error])
    reconciler = Reconciler(adapter, desired(force=True), clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    with pytest.raises(ApiError):
        reconciler.run()
    assert adapter.mutations == [('detach', OTHER), ('attach', TARGET, {})]
    assert reconciler.changed is True  # the ENI left OTHER: that change happened


def test_force_move_detach_accepted_then_attach_fails_reports_changed(fake_clock):
    error = refused('quota', 'EniPerInstanceLimitExceeded')
    adapter = FakeAdapter(S('InUse', OTHER), S('Available'), attach=[error])
    reconciler = Reconciler(adapter, desired(force=True), clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    with pytest.raises(ApiError):
        reconciler.run()
    assert reconciler.changed is True


def test_keeps_changing_fails_unsettled_after_max_rounds(fake_clock):
    adapter = FakeAdapter(*[S('Available'), S('Detaching', OTHER)] * (MAX_ROUNDS + 1), attach=[refused('conflict', 'Operation.Conflict')])
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert (failure.code, failure.kind, reconciler.changed) == ('Unsettled', 'conflict', False)
    assert 'attach it to %s' % TARGET in failure.msg and 'another process is acting on it' in failure.msg
    assert len(adapter.mutations) == (MAX_ROUNDS + 1) // 2


def test_absent_keeps_changing_fails_unsettled_after_max_rounds(fake_clock):
    adapter = FakeAdapter(*[S('InUse', TARGET), S('Attaching', TARGET)] * (MAX_ROUNDS + 1), detach=[refused('conflict', 'Operation.Conflict')])
    reconciler, failure = fail(adapter, desired(state='absent'), fake_clock)
    assert (failure.code, reconciler.changed) == ('Unsettled', False)
    assert 'detach it' in failure.msg


@pytest.mark.parametrize('state, reads, verb', [
    ('present', [S('Available')], 'attach'),
    ('absent', [S('InUse', TARGET)], 'detach'),
])
def test_a_call_that_never_gets_an_answer_while_nothing_moves_fails_with_the_cloud_error(fake_clock, state, reads, verb):
    adapter = FakeAdapter(*reads, **{verb: [unknown_outcome()]})
    reconciler = Reconciler(adapter, desired(state=state), clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    with pytest.raises(ApiError) as raised:
        reconciler.run()
    assert raised.value.code == 'ReadTimeout'  # the cause, not "another process is acting on it"
    assert reconciler.changed is False
    assert len(adapter.mutations) == MAX_ROUNDS


def test_retries_are_bounded_by_the_task_deadline(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET))
    reconcile(adapter, desired(wait_timeout=7), fake_clock)
    assert adapter.deadline == fake_clock.start + 7


def test_a_late_applied_attach_is_credited_when_it_shows(fake_clock):
    # attach 1: no answer, and the re-read does not show it yet; attach 2: refused because attach 1 has now landed.
    adapter = FakeAdapter(S('Available'), S('Available'), S('InUse', TARGET),
                          attach=[unknown_outcome(), refused('invalid_state', 'InvalidOperation.InvalidEniState')])
    reconciler, result = reconcile(adapter, desired(), fake_clock)
    assert where(result) == (TARGET, 'InUse')
    assert result.changed is True


def test_an_attach_never_seen_moving_by_the_deadline_reports_unchanged(fake_clock):
    adapter = FakeAdapter(S('Available'))
    reconciler, failure = fail(adapter, desired(wait_timeout=2), fake_clock)
    assert failure.code == 'WaitTimeout' and 'still Available' in failure.msg
    assert reconciler.changed is False


def test_deleted_while_detaching_is_detached(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), S('Detaching', TARGET), None)
    reconciler, result = reconcile(adapter, desired(state='absent'), fake_clock)
    assert (result.changed, result.nic) == (True, None)
    assert result.as_dict()['network_interface'] == {}


# ---------------------------------------------------------------------------------------------------------------------
# Waiting: rejection, timeout, disappearance, unknown status


def test_attach_rolled_back_fails_rejected_at_once(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('Available'), S('InUse', TARGET))
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert (failure.code, failure.kind) == ('Rejected', 'invalid_state')
    assert 'now Available' in failure.msg and TARGET in failure.msg
    assert fake_clock.elapsed == 2.0
    assert adapter.reads_made == 3


def test_attach_never_started_fails_rejected_after_the_grace_not_the_timeout(fake_clock):
    adapter = FakeAdapter(S('Available'))
    failure = fail(adapter, desired(wait_timeout=300), fake_clock)[1]
    assert failure.code == 'Rejected'
    assert REJECTION_GRACE <= fake_clock.elapsed < REJECTION_GRACE + 2


def test_attach_ending_on_another_instance_is_rejected(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('InUse', OTHER))
    failure = fail(adapter, desired(), fake_clock)[1]
    assert failure.code == 'Rejected' and 'on instance %s' % OTHER in failure.msg


def test_detach_rolled_back_fails_rejected(fake_clock):
    adapter = FakeAdapter(S('InUse', TARGET), S('Detaching', TARGET), S('InUse', TARGET))
    failure = fail(adapter, desired(state='absent'), fake_clock)[1]
    assert failure.code == 'Rejected' and 'detach' in failure.msg and 'from instance %s' % TARGET in failure.msg


def test_rejected_attach_reports_unchanged(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('Available'))
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert failure.code == 'Rejected'
    assert reconciler.changed is False


def test_attach_stuck_times_out_and_reports_the_change_made(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET))
    reconciler, failure = fail(adapter, desired(wait_timeout=10), fake_clock)
    assert (failure.code, failure.kind, reconciler.changed) == ('WaitTimeout', 'timeout', True)
    assert 'Timed out after 10 seconds' in failure.msg and 'Attaching on instance %s' % TARGET in failure.msg
    assert fake_clock.elapsed == 10
    assert max(fake_clock.sleeps) <= 1.0


def test_wait_timeout_is_one_deadline_for_the_whole_task(fake_clock):
    adapter = FakeAdapter(S('Detaching', OTHER), S('Detaching', OTHER), S('Detaching', OTHER), S('Available'),
                          S('Attaching', TARGET))
    failure = fail(adapter, desired(wait_timeout=5), fake_clock)[1]
    assert failure.code == 'WaitTimeout'
    assert fake_clock.elapsed == 5


def test_fractional_remaining_time_is_slept_exactly(fake_clock):
    adapter = FakeAdapter(S('Attaching', TARGET))
    fail(adapter, desired(wait_timeout=2.5), fake_clock)
    assert fake_clock.sleeps == [1.0, 1.0, 0.5]


@pytest.mark.parametrize('reads, options', [
    ([S('Detaching', OTHER)], {}),
    ([S('Attaching', TARGET)], {}),
    ([S('Detaching', TARGET)], {'state': 'absent'}),
], ids=['present/detaching', 'present/attaching-to-target', 'absent/detaching'])
def test_waiting_on_someone_else_times_out_unchanged(fake_clock, reads, options):
    adapter = FakeAdapter(*reads)
    reconciler, failure = fail(adapter, _desired_for(dict(options, wait_timeout=3)), fake_clock)
    assert (failure.code, reconciler.changed, adapter.mutations) == ('WaitTimeout', False, [])
    assert 'its status is still %s' % reads[0].status in failure.msg


def test_interface_deleted_while_waiting_fails_disappeared(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), None)
    reconciler, failure = fail(adapter, desired(), fake_clock)
    assert (failure.code, failure.kind, reconciler.changed) == ('Disappeared', 'not_found', True)
    assert 'ENI eni-1 disappeared' in failure.msg
    assert reconciler.last_seen is None


def test_unknown_status_while_waiting_keeps_polling(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('Linking', TARGET), S('Linking', TARGET),
                          S('InUse', TARGET))
    result = reconcile(adapter, desired(), fake_clock)[1]
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))
    assert adapter.reads_made == 5


def test_unknown_status_only_keeps_polling_until_the_timeout(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Linking', TARGET))
    failure = fail(adapter, desired(wait_timeout=4), fake_clock)[1]
    assert failure.code == 'WaitTimeout' and 'Linking' in failure.msg


def test_known_broken_status_after_attach_is_rejected(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET), S('CreateFailed'))
    failure = fail(adapter, desired(), fake_clock)[1]
    assert failure.code == 'Rejected' and 'CreateFailed' in failure.msg


def test_settle_without_own_call_returns_a_broken_status_to_the_decision(fake_clock):
    adapter = FakeAdapter(S('Detaching', OTHER), S('Deleting'))
    failure = fail(adapter, desired(), fake_clock)[1]
    assert failure.code == 'UnusableStatus' and 'Deleting' in failure.msg


def test_last_seen_is_the_latest_read(fake_clock):
    adapter = FakeAdapter(S('Available'), S('Attaching', TARGET))
    reconciler = fail(adapter, desired(wait_timeout=3), fake_clock)[0]
    assert (reconciler.last_seen.status, reconciler.last_seen.instance_id) == ('Attaching', TARGET)
    assert (reconciler.before.status, reconciler.before.instance_id) == ('Available', None)


def test_nic_settling_and_attached_to():
    assert Nic(NIC, 'Attaching', ATTACHING, TARGET).settling
    assert Nic(NIC, 'Linking', GONE_OR_BROKEN, TARGET, known=False).settling
    assert not Nic(NIC, 'Deleting', GONE_OR_BROKEN, TARGET).settling
    assert Nic(NIC, 'Attaching', ATTACHING, TARGET).attached_to(TARGET)
    assert not Nic(NIC, 'Detaching', DETACHING, TARGET).attached_to(TARGET)
    assert not Nic(NIC, 'InUse', ATTACHED, OTHER).attached_to(TARGET)


# ---------------------------------------------------------------------------------------------------------------------
# run_module: how the reconciler's outcome leaves an AnsibleModule


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


@pytest.fixture
def module_clock(monkeypatch, fake_clock):
    original = attachment.Reconciler.__init__

    def init(self, adapter, want, check_mode=False, **_kwargs):
        original(self, adapter, want, check_mode=check_mode, clock=fake_clock.monotonic, sleep=fake_clock.sleep)

    monkeypatch.setattr(attachment.Reconciler, '__init__', init)
    return fake_clock


def test_run_module_exits_with_the_result_and_diff(module_clock):
    module = FakeModule(diff=True)
    with pytest.raises(ModuleExit):
        attachment.run_module(module, FakeAdapter(S('Available'), S('InUse', TARGET)), desired())
    assert module.exited['changed'] is True
    assert module.exited['diff']['after'] == {'instance_id': TARGET, 'status': 'InUse'}


def test_run_module_fails_with_the_failure_and_what_was_last_seen(module_clock):
    module = FakeModule()
    with pytest.raises(ModuleExit):
        attachment.run_module(module, FakeAdapter(S('Available'), S('Attaching', TARGET)), desired(wait_timeout=2))
    assert module.exited is None
    assert module.failed['changed'] is True
    assert module.failed['error']['code'] == 'WaitTimeout'
    assert module.failed['network_interface']['status'] == 'Attaching'


def test_run_module_fails_with_the_api_error(module_clock):
    module = FakeModule()
    error = refused('quota', 'EniPerInstanceLimitExceeded')
    error.hint = 'Detach another ENI.'
    with pytest.raises(ModuleExit):
        attachment.run_module(module, FakeAdapter(S('Available'), attach=[error]), desired())
    assert module.failed['error'] == error.as_dict()
    assert module.failed['changed'] is False
    assert module.failed['msg'] == ('Fake failed for ENI eni-1: refused by the fake cloud (EniPerInstanceLimitExceeded, '
                                    'request R-1). Detach another ENI.')
    assert module.failed['network_interface']['status'] == 'Available'


def test_run_module_fails_with_an_empty_interface_when_nothing_was_read(module_clock):
    module = FakeModule()
    with pytest.raises(ModuleExit):
        attachment.run_module(module, FakeAdapter(None), desired())
    assert (module.failed['error']['code'], module.failed['network_interface']) == ('NotFound', {})


# A force-move whose attach is refused puts the interface back where it was

def test_force_move_refused_attach_puts_the_interface_back(fake_clock):
    error = refused('quota', 'EniPerInstanceLimitExceeded')
    adapter = FakeAdapter(S('InUse', OTHER, card=1), S('Available'), S('Available'), S('InUse', OTHER, card=1),
                          attach=[error, ACCEPTED])
    reconciler = Reconciler(adapter, desired(force=True), clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    with pytest.raises(ApiError) as raised:
        reconciler.run()
    assert raised.value.code == 'EniPerInstanceLimitExceeded'
    assert adapter.mutations == [('detach', OTHER), ('attach', TARGET, {}), ('attach', OTHER, {'network_card_index': 1})]
    assert reconciler.changed is True
    assert reconciler.note == ' ENI %s was attached back to %s, where it was before this task.' % (NIC, OTHER)
    assert where(Result(True, reconciler.last_seen, None)) == (OTHER, 'InUse')


def test_force_move_rejected_attach_puts_the_interface_back(fake_clock):
    adapter = FakeAdapter(S('InUse', OTHER), S('Available'), S('Attaching', TARGET), S('Available'), S('Attaching', OTHER),
                          S('InUse', OTHER))
    reconciler, failure = fail(adapter, desired(force=True), fake_clock)
    assert failure.code == 'Rejected'
    assert adapter.mutations == [('detach', OTHER), ('attach', TARGET, {}), ('attach', OTHER, {'network_card_index': None})]
    assert 'was attached back to %s' % OTHER in reconciler.note


def test_force_move_whose_put_back_fails_too_says_where_the_interface_is(fake_clock):
    refusals = [refused('invalid_input', 'InvalidOperation.VpcMismatch'), refused('quota', 'EniPerInstanceLimitExceeded')]
    adapter = FakeAdapter(S('InUse', OTHER), S('Available'), attach=refusals)
    reconciler = Reconciler(adapter, desired(force=True), clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    with pytest.raises(ApiError) as raised:
        reconciler.run()
    assert raised.value.code == 'InvalidOperation.VpcMismatch'
    assert reconciler.note == ' Attaching ENI %s back to %s failed too (EniPerInstanceLimitExceeded); it is now Available.' % (NIC, OTHER)
    assert reconciler.changed is True  # the detach happened


@pytest.mark.parametrize('force, reads', [
    (False, [S('Available')]),  # no move: nothing to put back
    (True, [S('Detaching', OTHER), S('Available')]),  # someone else's detach: not ours to undo
])
def test_a_refused_attach_without_our_own_detach_puts_nothing_back(fake_clock, force, reads):
    adapter = FakeAdapter(*reads, attach=[refused('quota', 'EniPerInstanceLimitExceeded')])
    reconciler = Reconciler(adapter, desired(force=force), clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    with pytest.raises(ApiError):
        reconciler.run()
    assert adapter.mutations == [('attach', TARGET, {})]
    assert reconciler.note == ''


def test_a_move_that_times_out_is_not_undone(fake_clock):
    adapter = FakeAdapter(S('InUse', OTHER), S('Available'), S('Available'), S('Attaching', TARGET))
    reconciler, failure = fail(adapter, desired(force=True, wait_timeout=10), fake_clock)
    assert failure.code == 'WaitTimeout'
    assert adapter.mutations == [('detach', OTHER), ('attach', TARGET, {})]
    assert reconciler.note == ''


# Polls that throttling or an outage defeats do not end the wait

def test_a_throttled_poll_keeps_waiting(fake_clock):
    adapter = FakeAdapter(S('Available'), refused('throttled', 'Throttling.User'), S('InUse', TARGET))
    reconciler, result = reconcile(adapter, desired(), fake_clock)
    assert (result.changed, where(result)) == (True, (TARGET, 'InUse'))
    assert adapter.reads_made == 3


def test_polls_that_never_read_time_out_without_a_rejection_verdict(fake_clock):
    adapter = FakeAdapter(S('Available'), refused('transient', 'ServiceUnavailable'))
    reconciler, failure = fail(adapter, desired(wait_timeout=20), fake_clock)
    assert failure.code == 'WaitTimeout'  # not Rejected: nothing was seen after the call
    assert reconciler.changed is True  # the attach was accepted and nothing shows it was undone
    assert fake_clock.elapsed == 20


def test_a_poll_refused_for_a_lasting_reason_fails_at_once(fake_clock):
    adapter = FakeAdapter(S('Available'), refused('auth', 'InvalidAccessKeyId.Inactive'))
    reconciler = Reconciler(adapter, desired(), clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    with pytest.raises(ApiError) as raised:
        reconciler.run()
    assert raised.value.code == 'InvalidAccessKeyId.Inactive'
    assert reconciler.changed is True
