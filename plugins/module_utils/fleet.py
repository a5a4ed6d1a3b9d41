# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fleet mode: converge many attachments in one task, each decided by its own reconciler.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.

The reconciler stays the only place that decides; this driver only answers the effects of many reconcilers at once
(``effects.py``):

- reads: every reconciler waiting for a read at the same moment is answered by one batched read of up to 100
  interfaces per call (``adapter.get_many``), so the first read of 200 interfaces is 2 calls, and so is each poll round;
- instance reads (check mode, and refusals caused by an instance's status) likewise (``adapter.get_instances``);
- writes: run side by side in a pool of ``concurrency`` threads, paced by the client's one rate limiter;
- pauses: a reconciler sleeps until its time; when the first one is due, those due within ``POLL_SLACK`` of it wake with
  it, so that their polls share a round (a write that ends wakes nobody: rounds do not follow every write).
"""

from __future__ import annotations

import heapq
import itertools
import queue
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.cloudnet.nic.plugins.module_utils import effects
from ansible_collections.cloudnet.nic.plugins.module_utils.client import ApiError
from ansible_collections.cloudnet.nic.plugins.module_utils.listing import chunks
from ansible_collections.cloudnet.nic.plugins.module_utils.reconciler import AttachmentFailure

POLL_SLACK = 0.5  # seconds a pause may end early so that polls due at nearly the same time share one read


class Outcome:
    """How one reconciler ended: ``result`` (a ``Result``) or ``failure`` (``AttachmentFailure`` / ``ApiError``)."""

    __slots__ = ('reconciler', 'result', 'failure')

    def __init__(self, reconciler):
        self.reconciler = reconciler
        self.result = None
        self.failure = None


class _Slot:
    __slots__ = ('outcome', 'process', 'effect')

    def __init__(self, reconciler):
        self.outcome = Outcome(reconciler)
        self.process = reconciler.process()
        self.effect = None


class FleetDriver:
    """Runs many reconcilers' processes to their end, answering their effects together."""

    def __init__(self, adapter, concurrency=10, clock=time.monotonic, sleep=time.sleep):
        self.adapter = adapter
        self.concurrency = concurrency
        self._clock = clock
        self._sleep = sleep
        self._order = itertools.count()

    def run(self, reconcilers):
        """The ``Outcome`` of each reconciler, in the order given."""
        slots = [_Slot(reconciler) for reconciler in reconcilers]
        ready = [(slot, None, False) for slot in slots]  # (slot, answer, answer is an exception to throw)
        sleepers = []  # heap of (wake time, order, slot)
        writes = []  # slots whose Write waits for a free thread, first come first served
        finished = queue.Queue()  # (slot, answer, is_error) of writes done by the pool
        in_flight = 0
        live = len(slots)
        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            while live:
                reads, instance_reads = [], []
                for slot, answer, failed in ready:
                    if not self._advance(slot, answer, failed):
                        live -= 1
                    elif isinstance(slot.effect, effects.Read):
                        reads.append(slot)
                    elif isinstance(slot.effect, effects.ReadInstance):
                        instance_reads.append(slot)
                    elif isinstance(slot.effect, effects.Write):
                        writes.append(slot)
                    else:
                        heapq.heappush(sleepers, (self._clock() + slot.effect.seconds, next(self._order), slot))
                ready = self._read(reads) + self._read_instances(instance_reads)
                while writes and in_flight < self.concurrency:
                    slot = writes.pop(0)
                    pool.submit(self._write, slot, finished)
                    in_flight += 1
                if ready or not live:
                    continue
                done = self._wait(sleepers, in_flight, finished)
                in_flight -= len(done)
                ready = done + self._wake(sleepers)
        return [slot.outcome for slot in slots]

    @staticmethod
    def _advance(slot, answer, failed):
        """Resume a process with its answer; False once it has ended (its outcome recorded)."""
        try:
            slot.effect = slot.process.throw(answer) if failed else slot.process.send(answer)
        except StopIteration as done:
            slot.outcome.result = done.value
            return False
        except (AttachmentFailure, ApiError) as failure:  # an item's failure ends that item only
            slot.outcome.failure = failure
            return False
        return True

    def _read(self, slots):
        """One batched read for every slot waiting on a read: ``[(slot, Nic or None, False)]``, or the error per chunk."""
        answers = []
        for chunk in chunks(slots):
            try:
                found = self.adapter.get_many([slot.effect.nic_id for slot in chunk])
            except ApiError as err:
                answers.extend((slot, err, True) for slot in chunk)
                continue
            answers.extend((slot, found.get(slot.effect.nic_id), False) for slot in chunk)
        return answers

    def _read_instances(self, slots):
        answers = []
        for with_limit in (False, True):
            group = [slot for slot in slots if slot.effect.with_limit == with_limit]
            if not group:
                continue
            try:
                found = self.adapter.get_instances(sorted(set(slot.effect.instance_id for slot in group)), with_limit)
            except ApiError as err:
                answers.extend((slot, err, True) for slot in group)
                continue
            answers.extend((slot, found.get(slot.effect.instance_id), False) for slot in group)
        return answers

    def _write(self, slot, finished):
        try:
            finished.put((slot, effects.perform(self.adapter, slot.effect), False))
        except Exception as err:  # pylint: disable=broad-exception-caught  # thrown into the process, which raises what it cannot handle
            finished.put((slot, err, True))

    def _wait(self, sleepers, in_flight, finished):
        """Block until a write finishes or the first sleeper is due; the finished writes (maybe none)."""
        timeout = max(0.0, sleepers[0][0] - self._clock()) if sleepers else None
        done = []
        if in_flight:
            try:
                done.append(finished.get(timeout=timeout))
            except queue.Empty:
                pass
            while True:
                try:
                    done.append(finished.get_nowait())
                except queue.Empty:
                    break
        elif timeout:
            self._sleep(timeout)
        return done

    def _wake(self, sleepers):
        """Once a sleeper is due: it, with those due within ``POLL_SLACK`` of now, so that their polls share a read.
        None before (a write that finished does not wake anyone early: rounds would follow every write)."""
        woken = []
        now = self._clock()
        if not sleepers or sleepers[0][0] > now:
            return woken
        while sleepers and sleepers[0][0] <= now + POLL_SLACK:
            woken.append((heapq.heappop(sleepers)[2], None, False))
        return woken
