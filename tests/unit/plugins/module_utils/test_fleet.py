# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet driver: many reconcilers, batched reads, bounded concurrent writes, aligned polls, per-item outcomes.

``SimCloud`` is a tiny in-memory cloud on the fake clock: an attach or detach is accepted at once and finishes
``delay`` seconds later; every batched read and every write is counted.
"""

from __future__ import annotations

import threading

import pytest

from ansible_collections.cloudnet.nic.plugins.module_utils.attachment import AdapterBase
from ansible_collections.cloudnet.nic.plugins.module_utils.client import ApiError
from ansible_collections.cloudnet.nic.plugins.module_utils.fleet import POLL_SLACK, FleetDriver
from ansible_collections.cloudnet.nic.plugins.module_utils.interface import (
    ATTACHED, ATTACHING, AVAILABLE, DETACHING, READY, Instance, Nic,
)
from ansible_collections.cloudnet.nic.plugins.module_utils.reconciler import Desired, Reconciler

WORDS = {AVAILABLE: 'Available', ATTACHING: 'Attaching', ATTACHED: 'InUse', DETACHING: 'Detaching'}


class SimCloud(AdapterBase):
    noun = 'ENI'
    where = 'in the simulation'
    PHASE_STATUS = WORDS

    def __init__(self, clock, nics, delay=2.0, refuse=None, write_hold=0.0, write_seconds=0.0):
        super().__init__(client=None)
        self.clock = clock
        self.nics = dict(nics)  # id -> (phase, instance_id, done_at)
        self.delay = delay
        self.refuse = refuse or {}  # instance id -> ApiError for an attach to it
        self.write_hold = write_hold  # real seconds a write takes (to see concurrency)
        self.write_seconds = write_seconds  # fake seconds a write takes (with concurrency 1: writes that end one by one)
        self.batch_reads = []
        self.read_times = []
        self.instance_reads = []
        self.writes = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    def limit_to(self, deadline):
        self.deadline = deadline

    def _nic(self, nic_id):
        if nic_id not in self.nics:
            return None
        phase, instance_id, done_at = self.nics[nic_id]
        if done_at is not None and self.clock.now >= done_at:
            phase = ATTACHED if phase == ATTACHING else AVAILABLE
            instance_id = instance_id if phase == ATTACHED else None
            self.nics[nic_id] = (phase, instance_id, None)
        return Nic(nic_id, WORDS[phase], phase, instance_id)

    def get(self, nic_id):
        return self.get_many([nic_id])[nic_id]

    def get_many(self, nic_ids):
        assert len(nic_ids) <= 100
        self.batch_reads.append(list(nic_ids))
        self.read_times.append(self.clock.now)
        return dict((nic_id, self._nic(nic_id)) for nic_id in nic_ids)

    def get_instances(self, instance_ids, with_limit=False):
        self.instance_reads.append(list(instance_ids))
        return dict((instance_id, Instance(instance_id, 'Running', READY)) for instance_id in instance_ids)

    def _write(self, verb, nic_id, instance_id):
        import time
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.write_hold)
        self.clock.now += self.write_seconds
        with self._lock:
            self.in_flight -= 1
            self.writes.append((verb, nic_id, instance_id))
        if verb == 'attach' and instance_id in self.refuse:
            raise self.refuse[instance_id]
        phase = ATTACHING if verb == 'attach' else DETACHING
        current = self.nics[nic_id][1] if verb == 'detach' else instance_id
        self.nics[nic_id] = (phase, current, self.clock.now + self.delay)

    def attach(self, nic, instance_id, placement):
        self._write('attach', nic.id, instance_id)

    def detach(self, nic):
        self._write('detach', nic.id, nic.instance_id)


class LaggingCloud(SimCloud):
    """Reads answer from the world ``lag`` seconds ago; an attach of an interface that is attached or attaching is refused."""

    def __init__(self, clock, nics, lag=2.0, **kwargs):
        super().__init__(clock, nics, **kwargs)
        self.lag = lag
        self.written = {}  # nic id -> when its attach was applied
        self.refused = []

    def _nic(self, nic_id):
        phase, instance_id, done_at = self.nics[nic_id]
        seen = self.clock.now - self.lag
        if nic_id in self.written and seen < self.written[nic_id]:
            return Nic(nic_id, WORDS[AVAILABLE], AVAILABLE, None)
        if done_at is not None and seen >= done_at:
            phase = ATTACHED
        return Nic(nic_id, WORDS[phase], phase, instance_id)

    def attach(self, nic, instance_id, placement):
        if nic.id in self.written:
            self.refused.append(nic.id)
            raise ApiError('INVALID_NIC_ATTACHED', 'attached', http_status=400, action='AttachNetworkInterface', kind='conflict')
        self._write('attach', nic.id, instance_id)
        self.written[nic.id] = self.clock.now


def nic_ids(count):
    return ['eni-%04d' % number for number in range(count)]


def run(cloud, wants, clock, check_mode=False, concurrency=10):
    reconcilers = [Reconciler(cloud, want, check_mode=check_mode, clock=clock.monotonic, sleep=clock.sleep) for want in wants]
    return FleetDriver(cloud, concurrency, clock=clock.monotonic, sleep=clock.sleep).run(reconcilers)


def test_a_converged_fleet_is_one_read_per_hundred_interfaces(fake_clock):
    ids = nic_ids(250)
    cloud = SimCloud(fake_clock, dict((nic_id, (ATTACHED, 'i-1', None)) for nic_id in ids))
    outcomes = run(cloud, [Desired(nic_id, 'i-1') for nic_id in ids], fake_clock)
    assert [len(batch) for batch in cloud.batch_reads] == [100, 100, 50]
    assert cloud.writes == [] and fake_clock.sleeps == []
    assert [outcome.result.changed for outcome in outcomes] == [False] * 250
    assert [outcome.result.nic.id for outcome in outcomes] == ids  # input order


def test_a_fleet_from_scratch_polls_every_pending_interface_in_one_round(fake_clock):
    ids = nic_ids(200)
    cloud = SimCloud(fake_clock, dict((nic_id, (AVAILABLE, None, None)) for nic_id in ids), delay=2.0)
    outcomes = run(cloud, [Desired(nic_id, 'i-%d' % (number % 20)) for number, nic_id in enumerate(ids)], fake_clock, concurrency=20)
    assert all(outcome.result.changed and outcome.result.nic.status == 'InUse' for outcome in outcomes)
    assert len(cloud.writes) == 200
    rounds = len(cloud.batch_reads) // 2
    assert len(cloud.batch_reads) == 2 * rounds and rounds <= 4  # the first read, then a round per second of the 2 s wait
    assert all(len(batch) == 100 for batch in cloud.batch_reads)
    assert fake_clock.elapsed <= 3.0
    assert cloud.most_in_flight <= 20


def test_polls_share_rounds_while_writes_end_one_by_one(fake_clock):
    """A write that ends wakes nobody before their time: 100 attaches ending 0.03 s apart (3 s in all) are polled in
    rounds at least POLL_SLACK apart, not in a read after every write."""
    ids = nic_ids(100)
    cloud = SimCloud(fake_clock, dict((nic_id, (AVAILABLE, None, None)) for nic_id in ids), delay=2.0, write_seconds=0.03)
    outcomes = run(cloud, [Desired(nic_id, 'i-1') for nic_id in ids], fake_clock, concurrency=1)
    assert all(outcome.result.changed for outcome in outcomes)
    polls = cloud.read_times[1:]
    assert all(later - earlier >= POLL_SLACK for earlier, later in zip(polls, polls[1:])), polls
    assert len(polls) <= fake_clock.elapsed / POLL_SLACK


def test_an_attach_that_waited_for_its_turn_is_not_taken_for_one_that_did_nothing(fake_clock):
    """40 attaches one at a time, 0.5 s each: the last one reaches the cloud 20 s after the reconciler asked for it. Reads lag
    2 s, so its first poll still shows the interface free; that is no reason to call it silent and send it again."""
    ids = nic_ids(40)
    cloud = LaggingCloud(fake_clock, dict((nic_id, (AVAILABLE, None, None)) for nic_id in ids), delay=1.0, write_seconds=0.5)
    outcomes = run(cloud, [Desired(nic_id, 'i-1') for nic_id in ids], fake_clock, concurrency=1)
    assert cloud.refused == []
    assert [outcome.result.changed for outcome in outcomes] == [True] * 40


def test_writes_never_exceed_the_concurrency(fake_clock):
    ids = nic_ids(30)
    cloud = SimCloud(fake_clock, dict((nic_id, (AVAILABLE, None, None)) for nic_id in ids), write_hold=0.01)
    run(cloud, [Desired(nic_id, 'i-1') for nic_id in ids], fake_clock, concurrency=4)
    assert cloud.most_in_flight == 4 and len(cloud.writes) == 30


def test_each_item_keeps_its_own_outcome(fake_clock):
    quota = ApiError('EniPerInstanceLimitExceeded', 'full', http_status=403, action='AttachNetworkInterface', kind='quota')
    cloud = SimCloud(fake_clock, {
        'eni-converged': (ATTACHED, 'i-a', None),
        'eni-free': (AVAILABLE, None, None),
        'eni-elsewhere': (ATTACHED, 'i-b', None),
        'eni-detach': (ATTACHED, 'i-a', None),
        'eni-refused': (AVAILABLE, None, None),
    }, refuse={'i-full': quota})
    wants = [Desired('eni-converged', 'i-a'), Desired('eni-free', 'i-a'), Desired('eni-elsewhere', 'i-a', force=True),
             Desired('eni-detach', state='absent'), Desired('eni-missing', 'i-a'), Desired('eni-refused', 'i-full')]
    outcomes = run(cloud, wants, fake_clock)
    summary = [(outcome.result.changed if outcome.result else None, getattr(outcome.failure, 'code', None)) for outcome in outcomes]
    assert summary == [(False, None), (True, None), (True, None), (True, None), (None, 'NotFound'),
                       (None, 'EniPerInstanceLimitExceeded')]
    assert [outcome.reconciler.changed for outcome in outcomes] == [False, True, True, True, False, False]
    assert sorted(cloud.writes) == sorted([('attach', 'eni-free', 'i-a'), ('detach', 'eni-elsewhere', 'i-b'),
                                           ('attach', 'eni-elsewhere', 'i-a'), ('detach', 'eni-detach', 'i-a'),
                                           ('attach', 'eni-refused', 'i-full')])


def test_check_mode_reads_the_instances_of_every_predicted_attach_in_one_batch(fake_clock):
    ids = nic_ids(120)
    cloud = SimCloud(fake_clock, dict((nic_id, (AVAILABLE, None, None)) for nic_id in ids))
    outcomes = run(cloud, [Desired(nic_id, 'i-%d' % (number % 3)) for number, nic_id in enumerate(ids)], fake_clock, check_mode=True)
    assert cloud.writes == []
    assert cloud.instance_reads == [['i-0', 'i-1', 'i-2']]
    assert all(outcome.result.changed for outcome in outcomes)


def test_a_failed_batch_read_fails_the_items_of_that_batch_only(fake_clock):
    ids = nic_ids(150)
    cloud = SimCloud(fake_clock, dict((nic_id, (ATTACHED, 'i-1', None)) for nic_id in ids))
    original = cloud.get_many
    outage = ApiError('ServiceUnavailable', 'down', http_status=503, action='DescribeNetworkInterfaces', kind='transient')

    def flaky(batch):
        if batch[0] == 'eni-0100':
            raise outage
        return original(batch)

    cloud.get_many = flaky
    outcomes = run(cloud, [Desired(nic_id, 'i-1') for nic_id in ids], fake_clock)
    assert [outcome.failure for outcome in outcomes[100:]] == [outage] * 50
    assert all(outcome.result is not None for outcome in outcomes[:100])


def test_a_bug_in_an_adapter_is_not_swallowed(fake_clock):
    cloud = SimCloud(fake_clock, {'eni-1': (AVAILABLE, None, None)})

    def broken(nic, instance_id, placement):
        raise KeyError('bug')

    cloud.attach = broken
    with pytest.raises(KeyError):
        run(cloud, [Desired('eni-1', 'i-1')], fake_clock)
