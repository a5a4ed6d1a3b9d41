# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cloud-neutral reconciler behind every ``*_attachment`` module.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.

read -> decide -> act -> wait -> result. It speaks only in neutral phases; a cloud adapter maps its
own status words onto them and performs the three calls (``get``, ``attach``, ``detach``).
Idempotency, check mode, diff, waiting and races live here once, for every cloud.
"""

from __future__ import annotations

import time

from ansible_collections.cloudnet.nic.plugins.module_utils.client import (
    ApiError, CONFLICT, INVALID_STATE, NOT_FOUND, READ_RETRY_KINDS,
)
from ansible_collections.cloudnet.nic.plugins.module_utils.failures import fail_api_error

AVAILABLE = 'AVAILABLE'
ATTACHING = 'ATTACHING'
ATTACHED = 'ATTACHED'
DETACHING = 'DETACHING'
GONE_OR_BROKEN = 'GONE_OR_BROKEN'
TRANSITIONAL = (ATTACHING, DETACHING)
UNREADABLE = object()  # a poll that could not read the interface

# How often the decision is taken again after the interface changed under us (races).
MAX_ROUNDS = 5
# An accepted attach may show the interface as AVAILABLE for a moment before ATTACHING;
# past this many seconds without ever seeing ATTACHING, AVAILABLE means the cloud rejected it.
REJECTION_GRACE = 5.0


class Nic:
    """One network interface as the reconciler sees it.

    ``placement`` holds attachment details the user may pin (e.g. ``network_card_index``);
    ``facts`` holds the rest of the cloud's fields, already in snake_case. ``known`` is false for a
    status word the adapter has no mapping for: its phase is GONE_OR_BROKEN (no decision acts on
    it) but a wait keeps polling through it.
    """

    def __init__(self, nic_id, status, phase, instance_id=None, primary=False, placement=None, facts=None, known=True):
        self.id = nic_id
        self.known = known
        self.status = status
        self.phase = phase
        self.instance_id = instance_id or None
        self.primary = primary
        self.placement = placement or {}
        self.facts = facts or {}

    def attached_to(self, instance_id):
        return self.instance_id == instance_id and self.phase in (ATTACHING, ATTACHED)

    def view(self):
        result = dict(self.facts)
        result.update(self.placement)
        result.update(id=self.id, instance_id=self.instance_id, status=self.status)
        return result

    def predicted(self, phase, status, instance_id, placement):
        kept = dict((key, placement.get(key)) for key in self.placement) if instance_id else dict.fromkeys(self.placement)
        return Nic(self.id, status, phase, instance_id, self.primary, kept, self.facts)

    @property
    def settling(self):
        """In a transition; a status word the adapter does not know counts as not done yet."""
        return self.phase in TRANSITIONAL or not self.known


class AdapterBase:
    """What every cloud adapter shares: its client, and the cloud's status word for each phase (``PHASE_STATUS``)."""

    PHASE_STATUS = {}

    def __init__(self, client):
        self.client = client

    def limit_to(self, deadline):
        """No retry pause may end past ``deadline`` (a ``time.monotonic()`` time): the task's wait_timeout."""
        self.client.deadline = deadline

    @classmethod
    def status_word(cls, phase):
        return cls.PHASE_STATUS[phase]


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
    def __init__(self, changed, nic, before):
        self.changed = changed
        self.nic = nic
        self.before = before

    def as_dict(self, with_diff=False):
        result = {'changed': self.changed, 'network_interface': self.nic.view() if self.nic else {}}
        if with_diff:
            result['diff'] = {'before': _diff_side(self.before), 'after': _diff_side(self.nic)}
        return result


def _diff_side(nic):
    if nic is None:
        return {'instance_id': None, 'status': None}
    return {'instance_id': nic.instance_id, 'status': nic.status}


class Reconciler:
    """Drives one interface to the desired state through a cloud adapter.

    The adapter provides: ``noun`` (e.g. ``'ENI'``), ``where`` (e.g. ``'in region cn-hangzhou'``),
    ``status_word(phase)``, ``limit_to(deadline)`` (no retry may pause past the task's deadline),
    ``get(nic_id) -> Nic | None``, ``attach(nic, instance_id, placement)`` and ``detach(nic)``.
    """

    def __init__(self, adapter, desired, check_mode=False, clock=time.monotonic, sleep=time.sleep, poll_interval=1.0):
        self.adapter = adapter
        self.want = desired
        self.check_mode = check_mode
        self._clock = clock
        self._sleep = sleep
        self._poll_interval = poll_interval
        self._deadline = None
        self._effects = []  # verbs of our calls that took effect, in order
        self._pending = []  # (verb, instance_id) of calls whose outcome is unknown and whose effect is not seen yet
        self._stuck_error = None  # the error of the last call, when its outcome was unknown and nothing moved
        self._predicted = False  # check mode: a call would have been made
        self._moved_from = None  # (instance_id, placement) the interface was detached from to move it (force)
        self.note = ''  # what the task did to undo a half-done move, for the failure message
        self.before = None
        self.last_seen = None

    @property
    def changed(self):
        return self._predicted or bool(self._effects)

    def run(self):
        self._deadline = self._clock() + self.want.wait_timeout
        self.adapter.limit_to(self._deadline)
        nic = self._read()
        self.before = nic
        try:
            final = self._present(nic) if self.want.state == 'present' else self._absent(nic)
        except (AttachmentFailure, ApiError):
            self._resolve_pending(self.last_seen)
            raise
        return Result(self.changed, final, self.before)

    # state: present

    def _present(self, nic):
        target = self.want.instance_id
        for _round in range(MAX_ROUNDS):
            if nic is None:
                raise AttachmentFailure('%s %s was not found %s.' % (self.adapter.noun, self.want.nic_id, self.adapter.where),
                                        'NotFound', NOT_FOUND)
            self._refuse_unattachable(nic)
            if nic.attached_to(target) and (nic.primary or self._placement_matches(nic)):
                self._resolve_pending(nic)
                if nic.phase == ATTACHING and self.want.wait:
                    if self.check_mode:
                        return self._predict_attached(nic)
                    nic = self._settle(nic)
                    continue
                return nic
            if nic.phase not in (AVAILABLE, DETACHING):
                self._refuse_move(nic)
            if self.check_mode:
                self._predicted = True
                return self._predict_attached(nic)
            if nic.phase in TRANSITIONAL:
                nic = self._settle(nic)
            elif nic.phase == AVAILABLE:
                try:
                    accepted, fresh = self._mutate('attach', nic, target)
                    if not accepted:
                        nic = fresh
                    elif not self.want.wait:
                        return self._predict_attached(nic)
                    else:
                        nic = self._settle(nic, expecting=('attach', target))
                except (ApiError, AttachmentFailure) as failure:
                    self._put_back(failure)
                    raise
            else:
                accepted, fresh = self._mutate('detach', nic, None)
                if accepted:
                    self._moved_from = (nic.instance_id, dict(nic.placement))
                nic = self._settle(nic, expecting=('detach', nic.instance_id)) if accepted else fresh
        raise self._stuck_error or self._unsettled('attach it to %s' % target)

    def _put_back(self, failure):
        """After our own detach of a force-move, an attach the cloud refused leaves the interface on no instance:
        attach it back where it was, so that a failed move changes nothing the operator did not ask for."""
        moved_from, self._moved_from = self._moved_from, None
        nic = self.last_seen
        refused = getattr(failure, 'code', None) == 'Rejected' or isinstance(failure, ApiError)
        if not moved_from or not refused or nic is None or nic.phase != AVAILABLE:
            return
        instance_id, placement = moved_from
        try:
            self.adapter.attach(nic, instance_id, placement)
            self._effects.append('attach')
            self._settle(nic, expecting=('attach', instance_id))
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
                self.adapter.noun, nic.id, nic.instance_id, _placement_text(nic.placement, self.want.placement),
                _placement_text(self.want.placement, self.want.placement)), 'PlacementMismatch', CONFLICT)
        raise AttachmentFailure('%s %s is attached to instance %s (status %s), not %s; set force=true to move it.' % (
            self.adapter.noun, nic.id, nic.instance_id, nic.status, self.want.instance_id), 'AttachedElsewhere', CONFLICT)

    def _placement_matches(self, nic):
        return all(nic.placement.get(key) == value for key, value in self.want.placement.items())

    def _predict_attached(self, nic):
        phase = ATTACHED if self.want.wait else ATTACHING
        return nic.predicted(phase, self.adapter.status_word(phase), self.want.instance_id, self.want.placement)

    # state: absent

    def _absent(self, nic):
        for _round in range(MAX_ROUNDS):
            if nic is None or not self._attached_to_wanted(nic):
                self._resolve_pending(nic)
                return nic
            if nic.primary:
                raise AttachmentFailure('%s %s is the primary interface of instance %s; primary interfaces are never detached.' % (
                    self.adapter.noun, nic.id, nic.instance_id), 'PrimaryInterface', CONFLICT)
            if nic.phase == GONE_OR_BROKEN:
                raise AttachmentFailure('%s %s cannot be detached while its status is %s.' % (
                    self.adapter.noun, nic.id, nic.status), 'UnusableStatus', INVALID_STATE)
            if nic.phase == DETACHING:
                self._resolve_pending(nic)
                if not self.want.wait:
                    return nic
                if self.check_mode:
                    return self._predict_detached(nic)
                nic = self._settle(nic)
            elif self.check_mode:
                self._predicted = True
                return self._predict_detached(nic)
            elif nic.phase == ATTACHING:
                nic = self._settle(nic)
            else:
                accepted, fresh = self._mutate('detach', nic, None)
                if not accepted:
                    nic = fresh
                elif not self.want.wait:
                    return self._predict_detached(nic)
                else:
                    nic = self._settle(nic, expecting=('detach', nic.instance_id))
        raise self._stuck_error or self._unsettled('detach it')

    def _attached_to_wanted(self, nic):
        if nic.phase == AVAILABLE or nic.instance_id is None:
            return False
        return self.want.instance_id is None or nic.instance_id == self.want.instance_id

    def _predict_detached(self, nic):
        phase = AVAILABLE if self.want.wait else DETACHING
        instance_id = None if self.want.wait else nic.instance_id
        return nic.predicted(phase, self.adapter.status_word(phase), instance_id, {})

    # acting and waiting

    def _mutate(self, verb, nic, instance_id):
        """Call attach or detach; returns ``(accepted, fresh_read)``.

        When the outcome is unknown, or the cloud refused because of a state or conflict that a
        fresh read shows has changed (a race), returns ``(False, fresh_read)`` so the caller decides
        again from what is now true. A refusal that the fresh read does not explain is raised.
        """
        self._resolve_pending(nic)
        try:
            if verb == 'attach':
                self.adapter.attach(nic, instance_id, self.want.placement)
            else:
                self.adapter.detach(nic)
        except ApiError as err:
            if not err.outcome_unknown and err.kind not in (CONFLICT, INVALID_STATE):
                raise
            if err.outcome_unknown:
                self._pending.append((verb, instance_id if verb == 'attach' else nic.instance_id))
            fresh = self._read()
            unexplained = fresh is not None and (fresh.phase, fresh.instance_id) == (nic.phase, nic.instance_id)
            if unexplained and not err.outcome_unknown:
                raise
            self._stuck_error = err if unexplained else None
            return False, fresh
        self._stuck_error = None
        self._effects.append(verb)
        return True, None

    def _resolve_pending(self, nic):
        """After a call whose outcome was unknown, finding its effect in place means the call did it.

        A call whose effect is not seen yet stays pending until the task ends: the cloud may apply it late.
        """
        for call in list(self._pending):
            verb, instance_id = call
            if verb == 'attach':
                took_effect = nic is not None and nic.attached_to(instance_id)
            else:
                took_effect = nic is None or nic.phase in (AVAILABLE, DETACHING) or nic.instance_id != instance_id
            if took_effect:
                self._pending.remove(call)
                self._effects.append(verb)

    def _settle(self, nic, expecting=None):
        """Poll until the interface leaves ATTACHING/DETACHING, and judge the end state of our own call.

        ``expecting`` is ``(verb, instance_id)`` after our own attach or detach: an end state other
        than the one that call asked for means the cloud rejected it, which fails at once instead of
        waiting out the timeout.
        """
        verb, instance_id = expecting or (None, None)
        started = self._clock()
        seen_transition = False
        polled = False  # a read succeeded since the call: only then can the interface be judged
        while True:
            if nic is None:
                if verb == 'detach' or (verb is None and self.want.state == 'absent'):
                    return None  # deleted while detaching: attached to nothing, which is what was asked
                raise AttachmentFailure('%s %s disappeared while this task was waiting for it.' % (
                    self.adapter.noun, self.want.nic_id), 'Disappeared', NOT_FOUND)
            if nic.settling:
                seen_transition = True
            elif verb is None or _reached(verb, nic, instance_id):
                return nic
            elif polled and (seen_transition or self._clock() - started >= REJECTION_GRACE):
                self._effects.remove(verb)  # the cloud rolled our call back: it changed nothing
                raise AttachmentFailure(self._rejected_text(verb, nic, instance_id), 'Rejected', INVALID_STATE)
            remaining = self._deadline - self._clock()
            if remaining <= 0:
                if verb is not None and polled and not seen_transition:
                    # Never seen moving and still as before our call: as far as anyone can tell, it changed nothing.
                    self._effects.remove(verb)
                raise AttachmentFailure('Timed out after %s seconds waiting for %s %s to settle; its status is still %s%s.' % (
                    self.want.wait_timeout, self.adapter.noun, nic.id, nic.status,
                    ' on instance %s' % nic.instance_id if nic.instance_id else ''), 'WaitTimeout', 'timeout')
            self._sleep(min(self._poll_interval, remaining))
            fresh = self._poll()
            if fresh is not UNREADABLE:
                nic, polled = fresh, True

    def _poll(self):
        """A read while waiting, or ``UNREADABLE`` when throttling or an outage defeated it (after the client's
        own retries): the wait then goes on with the interface as last seen, still bounded by wait_timeout."""
        try:
            return self._read()
        except ApiError as err:
            if err.kind not in READ_RETRY_KINDS:
                raise
            return UNREADABLE

    def _rejected_text(self, verb, nic, instance_id):
        now = ' on instance %s' % nic.instance_id if nic.instance_id else ''
        return ('The cloud accepted the %s of %s %s %s instance %s but did not carry it out: the interface is now %s%s; '
                'check the instance status and its interface limit.' % (
                    verb, self.adapter.noun, nic.id, 'to' if verb == 'attach' else 'from', instance_id, nic.status, now))

    def _unsettled(self, goal):
        return AttachmentFailure('%s %s kept changing while this task tried to %s; another process is acting on it.' % (
            self.adapter.noun, self.want.nic_id, goal), 'Unsettled', CONFLICT)

    def _read(self):
        nic = self.adapter.get(self.want.nic_id)
        self.last_seen = nic
        return nic


def _reached(verb, nic, instance_id):
    if verb == 'attach':
        return nic.phase == ATTACHED and nic.instance_id == instance_id
    return nic.phase == AVAILABLE or (nic.phase == ATTACHED and nic.instance_id != instance_id)


def _placement_text(placement, keys):
    return ', '.join('%s=%s' % (key, placement.get(key)) for key in sorted(keys)) or 'its current placement'


def run_module(module, adapter, desired):
    """Run the reconciler for an AnsibleModule and exit with its result. Never returns."""
    reconciler = Reconciler(adapter, desired, check_mode=module.check_mode)
    try:
        result = reconciler.run()
    except AttachmentFailure as failure:
        module.fail_json(msg=failure.msg + reconciler.note, changed=reconciler.changed, error=failure.as_dict(),
                         network_interface=reconciler.last_seen.view() if reconciler.last_seen else {})
    except ApiError as err:
        fail_api_error(module, err, '%s %s' % (adapter.noun, desired.nic_id), note=reconciler.note, changed=reconciler.changed,
                       network_interface=reconciler.last_seen.view() if reconciler.last_seen else {})
    module.exit_json(**result.as_dict(with_diff=module._diff))
