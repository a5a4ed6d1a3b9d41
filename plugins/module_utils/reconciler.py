# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cloud-neutral reconciler behind every ``*_attachment`` module: the only place that decides.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.

read -> decide -> act -> wait -> result, for one interface. ``Reconciler.process()`` is a generator of effects
(``effects.py``): it asks for reads, writes and pauses and is answered by a driver, so the same decisions run for one
interface (``Reconciler.run``) and for a fleet (``fleet.py``). It speaks only in neutral phases (``interface.py``);
an adapter maps its cloud's words onto them and says what differs between clouds (its traits: see ``AdapterBase``).

The rules for calls whose outcome is unknown, for other actors and for reads that lag the cloud are in
``docs/reliability.md``; in short:

- ``changed`` comes from the ledger of this task's own calls (``ledger.py``), never from what another party did;
- a refusal caused by a state that is still moving (another operation in flight, the instance starting or stopping,
  a read that lags the cloud) is retried with backoff within ``wait_timeout``; a settled refusal fails at once;
- a call whose answer was lost and that does not name the instance it acts on (an "unpinned" call) is never sent
  again, nor followed by a call it could undo, while a late copy of it may still reach the cloud;
- the task never returns a state that one of its own calls still in flight could change.
"""

from __future__ import annotations

import random
import time

from ansible_collections.cloudnet.nic.plugins.module_utils import effects, ledger
from ansible_collections.cloudnet.nic.plugins.module_utils.client import (
    BUSY, CONFLICT, CONNECTION, INSTANCE_STATE, INVALID_STATE, MALFORMED, NOT_FOUND, THROTTLED, TLS, TRANSIENT, ApiError,
)
from ansible_collections.cloudnet.nic.plugins.module_utils.interface import (
    ATTACHED, ATTACHING, AVAILABLE, CREATING, DETACHING, GONE_OR_BROKEN, REFUSING, STARTING_OR_STOPPING,
)

# How often the decision is taken again after the interface changed under us (races).
MAX_ROUNDS = 5
POLL_INTERVAL = 1.0
# Reads may lag an accepted write by some seconds (both clouds' reads are eventually consistent). An accepted call
# whose effect no read has shown within this many seconds did nothing, as far as anyone can tell; an interface that a
# refusal says is busy while the reads still show it free is given this long to show why.
READ_LAG_GRACE = 15.0
# An ECS ENI stuck in Detaching takes the detach again (the DetachNetworkInterface page: re-initiate the request).
REDETACH_AFTER = 20.0
# A call whose answer was lost may still be applied until max(timeout, this) seconds after the task gave up on it.
LATE_LANDING_FLOOR = 10.0
# No write is started with less time than this left before the task's deadline.
MIN_WRITE_WINDOW = 0.5
# Write retries: equal-jitter exponential backoff, so that a retry never follows its refusal at once.
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
# What a refused write's cause says about sending it again.
PASSING, UNEXPLAINED, SETTLED = 'passing', 'unexplained', 'settled'


class Desired:
    """What the task asks for."""

    def __init__(self, nic_id, instance_id=None, state='present', force=False, wait=True, wait_timeout=300, placement=None):
        self.nic_id = nic_id
        self.instance_id = instance_id
        self.state = state
        self.force = force
        self.wait = wait
        self.wait_timeout = wait_timeout
        self.placement = dict((key, value) for key, value in (placement or {}).items() if value is not None)

    @classmethod
    def from_params(cls, params, nic_id, placement=None):
        """The desired state from a module's parameters (the shared attachment options)."""
        return cls(nic_id, params['instance_id'], params['state'], params['force'], params['wait'], params['wait_timeout'], placement)


class AttachmentFailure(Exception):
    """The task cannot reach the desired state; ``msg`` says why in one sentence.

    ``code`` and ``kind`` name the reason the way an ``ApiError`` does, for failures that the
    reconciler decides itself (no API call failed).
    """

    def __init__(self, msg, code, kind):
        super().__init__(msg)
        self.msg = msg
        self.code = code
        self.kind = kind

    def as_dict(self):
        return {'code': self.code, 'message': self.msg, 'http_status': None, 'request_id': None, 'action': None, 'kind': self.kind}


class Result:
    """The interface as the task leaves it (or predicts it, in check mode), and what it took."""

    def __init__(self, changed, nic, before, waited=None, diff_keys=()):
        self.changed = changed
        self.nic = nic
        self.before = before
        self.waited = waited or {'seconds': 0.0, 'reads': 0}
        self.diff_keys = tuple(diff_keys)

    def as_dict(self, with_diff=False):
        result = {'changed': self.changed, 'network_interface': self.nic.view() if self.nic else {}, 'waited': self.waited}
        if with_diff:
            result['diff'] = {'before': _diff_side(self.before, self.diff_keys), 'after': _diff_side(self.nic, self.diff_keys)}
        return result


def _diff_side(nic, keys):
    side = {'instance_id': nic.instance_id if nic else None, 'status': nic.status if nic else None}
    side.update((key, nic.placement.get(key) if nic else None) for key in keys)
    return side


class Reconciler:
    """Drives one interface to the desired state through a cloud adapter.

    The adapter provides the three calls (through the effects its driver performs), ``get_instance`` for the paths
    that need the instance, and its traits: ``noun``, ``where``, ``status_word(phase)``, ``limit_to(deadline)``,
    ``request_timeout``, ``UNPINNED_CALLS``, ``REDETACH_WHILE_DETACHING``, ``PLACEMENT_DEFAULTS``,
    ``ATTACHMENT_FACTS`` and ``refusal(nic, instance)`` (see ``attachment.AdapterBase``).
    """

    def __init__(self, adapter, desired, check_mode=False, clock=time.monotonic, sleep=time.sleep, poll_interval=POLL_INTERVAL,
                 rand=random.uniform):
        self.adapter = adapter
        self.want = desired
        self.check_mode = check_mode
        self.ledger = ledger.Ledger()
        self.note = ''  # what the task did to undo a half-done move, for the failure message
        self.before = None
        self.last_seen = None
        self.last_seen_at = None
        self.last_read_error = None  # the error of the latest read, when it failed
        self.waited = 0.0
        self.wait_reads = 0
        self._clock = clock
        self._sleep = sleep
        self._poll_interval = poll_interval
        self._rand = rand
        self._deadline = None
        self._predicted = False  # check mode: a call would have been made
        self._moved = None  # (our detach call, instance_id, placement) when this task took the interface off an instance to move it
        self._failed_sends = 0  # writes in a row that were refused or got no answer: the next one waits first
        self._silent_calls = 0  # accepted calls that no read ever showed happening
        self._stuck_error = None  # the error of the last call, when its outcome was unknown and nothing moved
        self._detaching_since = None
        self._redetached = False
        self._rollbacks = []  # our calls whose transition the reads showed undone by the cloud, not yet reported

    @property
    def changed(self):
        return self._predicted or self.ledger.changed

    def waited_stats(self):
        return {'seconds': round(self.waited, 1), 'reads': self.wait_reads}

    def run(self):
        """Reconcile, performing each effect at once; the ``Result``, or ``AttachmentFailure`` / ``ApiError``."""
        return effects.drive(self.process(), self.adapter, self._sleep)

    def process(self):
        """The whole task as a generator of effects; returns the ``Result``."""
        self._deadline = self._clock() + self.want.wait_timeout
        self.adapter.limit_to(self._deadline)
        nic = yield from self._read()
        self.before = nic
        try:
            final = yield from (self._present(nic) if self.want.state == 'present' else self._absent(nic))
        except (AttachmentFailure, ApiError):
            self.note += self._aftermath()
            raise
        return Result(self.changed, final, self.before, self.waited_stats(), self.want.placement)

    # state: present -----------------------------------------------------------------------------------------------

    def _present(self, nic):
        target = self.want.instance_id
        rounds = 0
        while rounds < MAX_ROUNDS:
            rounds += 1
            if nic is None:
                raise self._missing()
            self._refuse_unattachable(nic)
            if (nic.phase == CREATING and not self.check_mode) or (nic.phase == ATTACHING and nic.instance_id is None):
                nic = yield from self._settle(nic)  # being created, or attaching to an instance the cloud does not name yet
                continue
            if nic.attached_to(target) and self._placement_fits(nic):
                if nic.phase == ATTACHING and self.want.wait:
                    if self.check_mode:
                        return self._predict_attached(nic)
                    nic = yield from self._settle(nic)
                    continue
                fresh = yield from self._outlive_late_calls(nic)
                if fresh is nic:
                    return nic
                nic = fresh
                continue
            if nic.phase in (ATTACHING, ATTACHED):
                self._refuse_move(nic)
            if self.check_mode:
                return (yield from self._predict_attach(nic))
            if nic.settling:
                nic = yield from self._settle(nic)
            elif nic.phase == AVAILABLE:
                nic, done = yield from self._attach(nic, target)
                if done:
                    return nic
            else:
                nic = yield from self._detach_to_move(nic)
                if self._moved and self._moved[0].effect == ledger.DONE and nic is not None and nic.phase == AVAILABLE:
                    rounds -= 1  # the attach that completes our own move belongs to this decision: never stop half-way
        raise self._stuck_error or self._unsettled('attach it to %s' % target)

    def _attach(self, nic, target):
        """Attach and wait; ``(interface, True)`` when the task is done (``wait: false``), else the interface to decide on."""
        try:
            call, fresh = yield from self._write('attach', nic, target, self.want.placement)
            if call is None:
                return fresh, False
            if not self.want.wait:
                return self._predict_attached(nic), True
            return (yield from self._settle(nic, expecting=call)), False
        except (ApiError, AttachmentFailure) as failure:
            yield from self._put_back(failure)
            raise failure

    def _detach_to_move(self, nic):
        call, fresh = yield from self._write('detach', nic, nic.instance_id)
        if call is None:
            return fresh
        self._moved = (call, nic.instance_id, dict(nic.placement))
        return (yield from self._settle(nic, expecting=call))

    def _put_back(self, failure):
        """After our own detach of a force-move, an attach the new instance refused leaves the interface on no instance:
        attach it back where it was, so that a failed move changes nothing the operator did not ask for. Only when our
        own call was refused for a reason that lies with the new instance, and nobody has taken the interface since."""
        moved, self._moved = self._moved, None
        nic = self.last_seen
        if not moved or moved[0].effect != ledger.DONE or not _refused_by_target(failure) or nic is None or nic.phase != AVAILABLE:
            return
        _detach, instance_id, placement = moved
        back = dict((key, value) for key, value in placement.items() if value is not None)
        try:
            call, fresh = yield from self._write('attach', nic, instance_id, back)
            if call is None:
                where = 'on instance %s' % fresh.instance_id if fresh is not None and fresh.instance_id else 'gone'
                self.note = ' %s %s was not attached back to %s: someone else acted on it meanwhile; it is now %s.' % (
                    self.adapter.noun, nic.id, instance_id, fresh.status if fresh is not None and not fresh.instance_id else where)
                return
            yield from self._settle(nic, expecting=call, resend_silent=False)
        except (ApiError, AttachmentFailure) as undo:
            seen = self.last_seen
            self.note = ' Attaching %s %s back to %s failed too (%s); it is now %s.' % (
                self.adapter.noun, nic.id, instance_id, getattr(undo, 'code', undo), seen.status if seen else 'gone')
            return
        self.note = ' %s %s was attached back to %s, where it was before this task.' % (self.adapter.noun, nic.id, instance_id)

    def _refuse_unattachable(self, nic):
        if nic.primary and nic.instance_id != self.want.instance_id:
            raise AttachmentFailure('%s %s is the primary interface of instance %s and cannot be moved to %s.' % (
                self.adapter.noun, nic.id, nic.instance_id, self.want.instance_id), 'PrimaryInterface', CONFLICT)
        if nic.phase == GONE_OR_BROKEN:
            raise AttachmentFailure('%s %s cannot be attached while its status is %s.' % (
                self.adapter.noun, nic.id, nic.status), 'UnusableStatus', INVALID_STATE)

    def _refuse_move(self, nic):
        if self.want.force:
            return
        if nic.instance_id == self.want.instance_id:
            raise AttachmentFailure('%s %s is attached to %s with %s, not the requested %s; set force=true to re-attach it.' % (
                self.adapter.noun, nic.id, nic.instance_id, self._placement_text(nic), _placement_text(self.want.placement)),
                'PlacementMismatch', CONFLICT)
        raise AttachmentFailure('%s %s is attached to instance %s (status %s), not %s; set force=true to move it.' % (
            self.adapter.noun, nic.id, nic.instance_id, nic.status, self.want.instance_id), 'AttachedElsewhere', CONFLICT)

    def _placement_fits(self, nic):
        """Does the interface sit where the task pins it? A value the cloud does not report while attaching is not known
        yet (the wait decides); one it leaves out once attached is the cloud's default."""
        if nic.primary:
            return True
        for key, wanted in self.want.placement.items():
            if nic.placement.get(key) is None and nic.phase != ATTACHED:
                continue
            if self._reported(nic, key) != wanted:
                return False
        return True

    def _reported(self, nic, key):
        value = nic.placement.get(key)
        return self.adapter.PLACEMENT_DEFAULTS.get(key) if value is None else value

    def _placement_text(self, nic):
        return ', '.join('%s=%s' % (key, self._reported(nic, key)) for key in sorted(self.want.placement))

    # state: absent ------------------------------------------------------------------------------------------------

    def _absent(self, nic):
        for _round in range(MAX_ROUNDS):
            if nic is not None and nic.phase == ATTACHING and nic.instance_id is None:
                nic = yield from self._settle(nic)  # attaching to an instance the cloud does not name yet
                continue
            if nic is None or not self._attached_to_wanted(nic):
                fresh = yield from self._outlive_late_calls(nic)
                if fresh is nic:
                    return nic
                nic = fresh
                continue
            if nic.primary:
                raise AttachmentFailure('%s %s is the primary interface of instance %s; primary interfaces are never detached.' % (
                    self.adapter.noun, nic.id, nic.instance_id), 'PrimaryInterface', CONFLICT)
            if nic.phase == GONE_OR_BROKEN:
                raise AttachmentFailure('%s %s cannot be detached while its status is %s.' % (
                    self.adapter.noun, nic.id, nic.status), 'UnusableStatus', INVALID_STATE)
            if nic.phase == DETACHING:
                if not self.want.wait:
                    return nic
                if self.check_mode:
                    return self._predict_detached(nic)
                nic = yield from self._settle(nic)
            elif self.check_mode:
                self._predicted = True
                return self._predict_detached(nic)
            elif nic.phase == ATTACHING:
                nic = yield from self._settle(nic)
            else:
                call, fresh = yield from self._write('detach', nic, nic.instance_id)
                if call is None:
                    nic = fresh
                elif not self.want.wait:
                    return self._predict_detached(nic)
                else:
                    nic = yield from self._settle(nic, expecting=call)
        raise self._stuck_error or self._unsettled('detach it')

    def _attached_to_wanted(self, nic):
        if nic.phase in (AVAILABLE, CREATING) or nic.instance_id is None:
            return False
        return self.want.instance_id is None or nic.instance_id == self.want.instance_id

    # check mode ---------------------------------------------------------------------------------------------------

    def _predict_attach(self, nic):
        """Check mode: the attach a real run would make, unless the instance shows the cloud would refuse it.

        The instance is read only here: one extra call (ECS: two, the second for its type's ENI limit), only in check mode
        and only when an attach is predicted.
        """
        try:
            instance = yield effects.ReadInstance(self.want.instance_id, with_limit=True)
        except ApiError:
            instance = False  # the instance could not be read: predict the attach, as a plain check would
        refusal = None if instance is False else self.adapter.refusal(nic, instance)
        if refusal is not None:
            raise refusal
        self._predicted = True
        return self._predict_attached(nic)

    def _predict_attached(self, nic):
        phase = ATTACHED if self.want.wait else ATTACHING
        return nic.predicted(phase, self.adapter.status_word(phase), self.want.instance_id, self.want.placement,
                             self.adapter.ATTACHMENT_FACTS)

    def _predict_detached(self, nic):
        phase = AVAILABLE if self.want.wait else DETACHING
        instance_id = None if self.want.wait else nic.instance_id
        dropped = self.adapter.ATTACHMENT_FACTS if self.want.wait else ()
        placement = {} if self.want.wait else dict(nic.placement)
        return nic.predicted(phase, self.adapter.status_word(phase), instance_id, placement, dropped)

    # acting -------------------------------------------------------------------------------------------------------

    def _write(self, verb, nic, instance_id, placement=None):
        """Send an attach or a detach; ``(call, None)`` when the cloud accepted it, else ``(None, fresh read)``.

        A refusal that a fresh read explains (someone changed the interface), and a call whose answer was lost, give
        the fresh read back: the caller decides again from what is now true. A refusal caused by a state that is still
        moving is retried here, with backoff, within the deadline. Any other refusal is raised.
        """
        fresh = yield from self._await_late_calls(verb)
        if fresh is not None:
            return None, fresh
        first_unexplained = None
        refusal = None
        while True:
            if self._failed_sends:
                yield from self._back_off(refusal)
            self._require_time_for(verb, refusal)
            call = self.ledger.sent(verb, instance_id, self._clock())
            try:
                yield effects.Write(verb, nic, instance_id, placement)
            except ApiError as err:
                self._failed_sends += 1
                call.error = err
                if err.outcome_unknown:
                    call.answer = ledger.UNANSWERED
                    if err.may_land_later:  # no final answer from the API: a copy of it may still be at work
                        call.may_land_until = self._clock() + max(self.adapter.request_timeout, LATE_LANDING_FLOOR)
                    fresh = yield from self._read()
                    self._stuck_error = err if fresh is not None and fresh.where() == nic.where() else None
                    return None, fresh
                call.answer = ledger.REFUSED
                refusal = err
                if err.kind not in (CONFLICT, INVALID_STATE, BUSY, INSTANCE_STATE, NOT_FOUND):
                    raise err  # quota, permission, input, throttling that outlasted the retries: nothing to read again for
                fresh = yield from self._read()
                if fresh is None:
                    raise self._missing()  # deleted meanwhile (a missing instance leaves the interface readable)
                if fresh.where() != nic.where():
                    return None, fresh  # someone changed the interface: that explains the refusal
                outlook = yield from self._refusal_outlook(err, instance_id or nic.instance_id)
                if outlook == PASSING:
                    nic = fresh
                    continue
                if outlook == UNEXPLAINED:  # our reads may not show yet what the cloud refused for
                    first_unexplained = first_unexplained or self._clock()
                    if self._clock() - first_unexplained < READ_LAG_GRACE:
                        nic = fresh
                        continue
                raise err
            call.answer = ledger.ACCEPTED
            # the read-lag grace runs from the cloud's answer: in a list, a write waits in the driver's queue and rate
            # limiter, and reaches the cloud later than it was asked for
            call.sent_at = self._clock()
            self._failed_sends = 0
            self._stuck_error = None
            return call, None

    def _refusal_outlook(self, err, instance_id):
        """Whether a refusal will pass: caused by something still moving (another operation in flight, the instance
        starting or stopping), settled, or not explained by what we read (the interface's status; an instance that
        already reads as ready: it finished starting since, or the read lags). The instance is read only here."""
        if err.kind == BUSY:
            return PASSING
        if err.kind == INVALID_STATE:
            return UNEXPLAINED
        if err.kind != INSTANCE_STATE or not instance_id:
            return SETTLED
        try:
            instance = yield effects.ReadInstance(instance_id)
        except ApiError:
            return SETTLED  # cannot tell: the cloud's refusal stands
        if instance is None or instance.state == REFUSING:
            return SETTLED
        return PASSING if instance.state == STARTING_OR_STOPPING else UNEXPLAINED

    def _back_off(self, refusal):
        delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (self._failed_sends - 1))
        pause = self._rand(delay / 2, delay)
        if self._clock() + pause > self._deadline:
            if refusal is not None:
                raise refusal
            raise self._timed_out(self.last_seen, 'no time was left to send the next call')
        yield from self._pause(pause)

    def _require_time_for(self, verb, refusal):
        if self._deadline - self._clock() < MIN_WRITE_WINDOW:
            if refusal is not None:
                raise refusal
            raise self._timed_out(self.last_seen, 'no time was left to send the %s' % verb)

    def _await_late_calls(self, verb):
        """Before sending ``verb``: while an unanswered unpinned call may still reach the cloud, send nothing it could
        undo or repeat. Polls until its window closes (or, for another call of the same verb, until a read shows it
        landed); returns the fresh read, or None when nothing was in flight."""
        late = self.ledger.may_land(self.adapter.UNPINNED_CALLS, self._clock())
        if not late:
            return None
        until = max(call.may_land_until for call in late)
        fresh = self.last_seen
        while self._clock() < until:
            if all(call.verb == verb and call.effect in (ledger.MOVING, ledger.DONE) for call in late):
                break
            fresh, _polled = yield from self._poll(fresh)
        return fresh

    def _outlive_late_calls(self, nic):
        """Before returning ``nic``: an unpinned call of ours that may still land could change it; wait its window out
        and read again (the caller decides again from the fresh read). Returns ``nic`` itself when nothing is in flight."""
        late = self.ledger.may_land(self.adapter.UNPINNED_CALLS, self._clock())
        if not late or nic is None or not nic.on_an_instance:
            return nic
        until = max(call.may_land_until for call in late)
        fresh = nic
        while self._clock() < until:
            fresh, _polled = yield from self._poll(fresh)
        return fresh if fresh is not nic else (yield from self._read())

    # waiting ------------------------------------------------------------------------------------------------------

    def _settle(self, nic, expecting=None, resend_silent=True):
        """Poll until the interface leaves its transition, and judge how our own call (``expecting``) ended.

        Our call's end state returns; a rollback the reads showed fails at once (``Rejected``); an interface that went
        to a third place returns, for the caller to decide again (a race). An accepted call that no read showed
        happening within ``READ_LAG_GRACE`` did nothing: it is sent once more (``resend_silent``), then ``Rejected``.
        """
        polled = False
        while True:
            if self._rollbacks:
                call, self._rollbacks = self._rollbacks[-1], []
                raise self._rejected(call, nic)
            if expecting is not None and expecting.effect == ledger.DONE:
                return nic
            if nic is None:
                if self.want.state == 'absent' and expecting is None:
                    return None  # deleted while detaching: attached to nothing, which is what was asked
                raise AttachmentFailure('%s %s disappeared while this task was waiting for it.' % (
                    self.adapter.noun, self.want.nic_id), 'Disappeared', NOT_FOUND)
            if nic.settling:
                nic = yield from self._redetach_if_stuck(nic)
            elif expecting is None or _went_elsewhere(nic, expecting):
                return nic
            elif polled and self._clock() - expecting.sent_at >= READ_LAG_GRACE:
                expecting.effect = ledger.UNDONE  # never seen happening, and back where it was: it did nothing
                self._silent_calls += 1
                if resend_silent and self._silent_calls == 1:
                    return nic
                raise self._rejected(expecting, nic, silent=True)
            nic, read = yield from self._poll(nic, expecting)
            polled = polled or read

    def _redetach_if_stuck(self, nic):
        """An interface that has been Detaching for long takes the detach again, once, where the cloud allows it."""
        if nic.phase != DETACHING:
            self._detaching_since = None
            return nic
        now = self._clock()
        if self._detaching_since is None:
            self._detaching_since = now
        if (self._redetached or self.check_mode or not self.adapter.REDETACH_WHILE_DETACHING
                or now - self._detaching_since < REDETACH_AFTER):
            return nic
        self._redetached = True
        try:
            call, fresh = yield from self._write('detach', nic, nic.instance_id)
        except ApiError:
            return nic  # the cloud would not take it again: keep waiting
        return nic if call is not None else fresh

    def _poll(self, nic, expecting=None):
        """Pause, then read: ``(interface, True)``, or ``(nic, False)`` when throttling defeated the read.

        A read that fails after the client's own retries for another reason (the endpoint is down, 5xx, garbage) ends
        the wait with that error: polling on would only hide an outage until ``wait_timeout``.
        """
        remaining = self._deadline - self._clock()
        if remaining <= 0:
            if expecting is not None and expecting.effect == ledger.PENDING and expecting.answer == ledger.ACCEPTED \
                    and self.last_read_error is None and expecting.shown_by(nic) == ledger.SHOWS_BACK:
                expecting.effect = ledger.UNDONE  # never seen moving and still as before our call: it changed nothing
            raise self._timed_out(nic)
        yield from self._pause(min(self._poll_interval, remaining))
        self.wait_reads += 1
        try:
            fresh = yield from self._read()
        except ApiError as err:
            self.last_read_error = err
            if err.kind == THROTTLED:
                return nic, False
            raise
        return fresh, True

    def _pause(self, seconds):
        yield effects.Pause(seconds)
        self.waited += seconds

    def _read(self):
        nic = yield effects.Read(self.want.nic_id)
        self.last_seen, self.last_seen_at, self.last_read_error = nic, self._clock(), None
        self._rollbacks.extend(self.ledger.observe(nic))
        return nic

    # failures -----------------------------------------------------------------------------------------------------

    def _missing(self):
        if self.before is None:
            return AttachmentFailure('%s %s was not found %s.' % (self.adapter.noun, self.want.nic_id, self.adapter.where),
                                     'NotFound', NOT_FOUND)
        return AttachmentFailure('%s %s disappeared while this task was working on it.' % (self.adapter.noun, self.want.nic_id),
                                 'Disappeared', NOT_FOUND)

    def _rejected(self, call, nic, silent=False):
        now = ' on instance %s' % nic.instance_id if nic is not None and nic.instance_id else ''
        how = 'no read showed it happening (twice, %d s each)' % READ_LAG_GRACE if silent else 'the cloud rolled it back'
        return AttachmentFailure('The cloud accepted the %s of %s %s %s instance %s but did not carry it out (%s): the interface is '
                                 'now %s%s; check the instance status and its interface limit.' % (
                                     call.verb, self.adapter.noun, self.want.nic_id, 'to' if call.verb == 'attach' else 'from',
                                     call.instance_id, how, nic.status if nic is not None else 'gone', now), 'Rejected', INVALID_STATE)

    def _timed_out(self, nic, why=None):
        return AttachmentFailure('Timed out after %s seconds waiting for %s %s to settle%s; %s.' % (
            self.want.wait_timeout, self.adapter.noun, self.want.nic_id, ' (%s)' % why if why else '', self._last_seen_text(nic)),
            'WaitTimeout', 'timeout')

    def _last_seen_text(self, nic=None):
        nic = nic if nic is not None else self.last_seen
        if nic is None:
            return 'it was not found when last read'
        where = ' on instance %s' % nic.instance_id if nic.instance_id else ''
        return 'it was %s%s when last read, %.1f s ago' % (nic.status, where, self._clock() - self.last_seen_at)

    def _unsettled(self, goal):
        return AttachmentFailure('%s %s kept changing while this task tried to %s; another process is acting on it.' % (
            self.adapter.noun, self.want.nic_id, goal), 'Unsettled', CONFLICT)

    def _aftermath(self):
        """What a failure message must add: a read that failed last, and calls of ours that may still be applied."""
        notes = []
        if self.last_read_error is not None and self.last_seen_at is not None:
            notes.append('The last read failed (%s, kind %s); %s.' % (
                self.last_read_error.code, self.last_read_error.kind, self._last_seen_text()))
        unsettled = [call for call in self.ledger.calls if call.answer == ledger.UNANSWERED and call.effect == ledger.PENDING]
        if unsettled:
            last = unsettled[-1]
            calls = 'The %s call sent %.1f s ago' % (last.error.action or last.verb, self._clock() - last.sent_at) if len(unsettled) == 1 else \
                '%d calls of this task, the last a %s sent %.1f s ago,' % (len(unsettled), last.error.action or last.verb, self._clock() - last.sent_at)
            notes.append('%s got no answer (%s) and no read has shown its effect: it may have been applied, or may still be.' % (
                calls, last.error.code))
        return ''.join(' ' + note for note in notes)


def _went_elsewhere(nic, call):
    """After our attach, the interface is on some third instance: another actor took it there."""
    return call.verb == 'attach' and nic.instance_id is not None and nic.instance_id != call.instance_id and nic.on_an_instance


def _refused_by_target(failure):
    """Was our attach refused for a reason that lies with the new instance (not a race, not a lost answer)?"""
    if isinstance(failure, AttachmentFailure):
        return failure.code == 'Rejected'
    return not failure.outcome_unknown and failure.kind not in (CONFLICT, INVALID_STATE, BUSY, THROTTLED, TRANSIENT, CONNECTION, MALFORMED, TLS)


def _placement_text(placement):
    return ', '.join('%s=%s' % (key, placement[key]) for key in sorted(placement)) or 'its current placement'
