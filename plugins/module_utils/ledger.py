# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The attach and detach calls a task sent, and what the reads since have shown of each.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.

``changed`` is true exactly when one of these calls took effect. A call the cloud accepted counts unless the reads
show it was rolled back or had no effect; a call whose answer never came counts only once a read shows its effect.
One read credits at most one call, and an effect credited from an in-progress status is confirmed or withdrawn by
how that transition ends.
"""

from __future__ import annotations

from ansible_collections.cloudnet.nic.plugins.module_utils.interface import (
    ATTACHED, ATTACHING, AVAILABLE, DETACHING,
)

ACCEPTED = 'accepted'
UNANSWERED = 'unanswered'  # sent, but no answer came: it may have been applied, or may still be
REFUSED = 'refused'

PENDING = 'pending'  # no read has shown its effect yet
MOVING = 'moving'  # a read showed its transition under way
DONE = 'done'  # a read showed its end state
UNDONE = 'undone'  # rolled back by the cloud, or judged to have had no effect

# What a read says about a call.
SHOWS_MOVING, SHOWS_DONE, SHOWS_BACK, SHOWS_NOTHING = 'moving', 'done', 'back', 'nothing'


class Call:
    """One attach or detach of this task. ``instance_id``: the target of an attach, the instance a detach leaves."""

    __slots__ = ('verb', 'instance_id', 'action', 'sent_at', 'answer', 'effect', 'error', 'may_land_until')

    def __init__(self, verb, instance_id, sent_at, action=None):
        self.verb = verb
        self.instance_id = instance_id
        self.action = action
        self.sent_at = sent_at
        self.answer = None
        self.effect = PENDING
        self.error = None  # the ApiError of an unanswered or refused call
        self.may_land_until = None  # for an unanswered call: until when the cloud may still apply it

    @property
    def counts(self):
        """Did this call take effect, as far as the reads tell?"""
        if self.answer == REFUSED or self.effect == UNDONE:
            return False
        return self.answer == ACCEPTED or self.effect in (MOVING, DONE)

    @property
    def open(self):
        return self.answer != REFUSED and self.effect in (PENDING, MOVING)

    def shown_by(self, nic):
        """What the interface as read says of this call: under way, done, back where it was before, or nothing."""
        if self.verb == 'attach':
            return _attach_shown_by(nic, self.instance_id)
        return _detach_shown_by(nic, self.instance_id)


def _attach_shown_by(nic, target):
    if nic is None:
        return SHOWS_NOTHING
    if nic.phase == ATTACHING and nic.instance_id in (target, None):
        return SHOWS_MOVING
    if nic.phase in (ATTACHED, DETACHING) and nic.instance_id == target:
        return SHOWS_DONE  # attached there (and perhaps already being detached by someone else)
    if nic.phase == AVAILABLE:
        return SHOWS_BACK
    return SHOWS_NOTHING


def _detach_shown_by(nic, source):
    if nic is None:
        return SHOWS_DONE  # deleted: attached to nothing
    if nic.phase == DETACHING and nic.instance_id in (source, None):
        return SHOWS_MOVING
    if nic.phase == AVAILABLE or (nic.instance_id is not None and nic.instance_id != source):
        return SHOWS_DONE  # it left the instance (wherever it went next, someone else took it there)
    if nic.phase == ATTACHING and nic.instance_id == source:
        return SHOWS_DONE  # it must have been free before anyone could attach it again
    if nic.phase == ATTACHED and nic.instance_id == source:
        return SHOWS_BACK
    return SHOWS_NOTHING


class Ledger:
    """The task's calls in the order sent."""

    def __init__(self):
        self.calls = []

    def sent(self, verb, instance_id, now, action=None):
        call = Call(verb, instance_id, now, action)
        self.calls.append(call)
        return call

    @property
    def changed(self):
        return any(call.counts for call in self.calls)

    def observe(self, nic):
        """Credit, confirm or withdraw effects from one read; returns the calls this read showed rolled back."""
        rolled_back = []
        credited = set()
        for call in self._by_credit_order():
            shown = call.shown_by(nic)
            key = (call.verb, call.instance_id)
            if shown == SHOWS_BACK and call.effect == MOVING:
                call.effect = UNDONE
                rolled_back.append(call)
            elif shown in (SHOWS_MOVING, SHOWS_DONE) and key not in credited:
                credited.add(key)
                call.effect = DONE if shown == SHOWS_DONE else MOVING
        return rolled_back

    def _by_credit_order(self):
        """Open calls, those already credited first, then accepted ones, then unanswered ones oldest first."""
        open_calls = [call for call in self.calls if call.open]
        return sorted(open_calls, key=lambda call: (call.effect != MOVING, call.answer != ACCEPTED))

    def in_flight(self, now):
        """Unanswered calls that the cloud may still apply: no read has shown them, and their window is open."""
        return [call for call in self.calls
                if call.answer == UNANSWERED and call.effect == PENDING and call.may_land_until and now < call.may_land_until]

    def may_land(self, verbs, now):
        """Unanswered calls of ``verbs`` whose copy may still reach the cloud, whatever the reads showed."""
        return [call for call in self.calls
                if call.answer == UNANSWERED and call.verb in verbs and call.may_land_until and now < call.may_land_until]
