# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cloud-neutral view of a network interface and of an instance.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.

An adapter maps its cloud's status words onto these phases; the reconciler speaks only in them.
"""

from __future__ import annotations

AVAILABLE = 'AVAILABLE'
CREATING = 'CREATING'  # being created: becomes AVAILABLE by itself (ZEC PENDING, ECS Creating)
ATTACHING = 'ATTACHING'
ATTACHED = 'ATTACHED'
DETACHING = 'DETACHING'
GONE_OR_BROKEN = 'GONE_OR_BROKEN'
MOVING = (ATTACHING, DETACHING, CREATING)

# What an instance's status means for an attach or a detach.
READY = 'ready'  # the cloud accepts attach and detach
STARTING_OR_STOPPING = 'moving'  # it refuses now but will settle by itself: wait, then try again
REFUSING = 'refusing'  # a settled status that refuses (stopped, released, failed): waiting does not help


class Nic:
    """One network interface as the reconciler sees it.

    ``placement`` holds attachment details the user may pin (e.g. ``network_card_index``), as the cloud reports them
    (``None`` where it reports nothing); ``facts`` holds the rest of the cloud's fields, in snake_case. ``known`` is
    false for a status word the adapter has no mapping for: its phase is GONE_OR_BROKEN (no decision acts on it) but a
    wait keeps polling through it. ``instance_id`` may be None while ATTACHING: some clouds name the instance only once
    the interface is attached.
    """

    __slots__ = ('id', 'known', 'status', 'phase', 'instance_id', 'primary', 'placement', 'facts')

    def __init__(self, nic_id, status, phase, instance_id=None, primary=False, placement=None, facts=None, known=True):
        self.id = nic_id
        self.known = known
        self.status = status
        self.phase = phase
        self.instance_id = instance_id or None
        self.primary = primary
        self.placement = placement or {}
        self.facts = facts or {}

    @property
    def settling(self):
        """In a transition the cloud finishes by itself; a status word the adapter does not know counts as one."""
        return self.phase in MOVING or not self.known

    @property
    def on_an_instance(self):
        return self.phase in (ATTACHING, ATTACHED, DETACHING)

    def attached_to(self, instance_id):
        return self.instance_id == instance_id and self.phase in (ATTACHING, ATTACHED)

    def where(self):
        """``(phase, instance_id)``: what tells two reads of the interface apart for the reconciler."""
        return self.phase, self.instance_id

    def view(self):
        result = dict(self.facts)
        result.update(self.placement)
        result.update(id=self.id, instance_id=self.instance_id, status=self.status)
        return result

    def predicted(self, phase, status, instance_id, placement, dropped=()):
        """The interface as a call would leave it: ``dropped`` facts describe the old attachment and are left out."""
        facts = dict((key, value) for key, value in self.facts.items() if key not in dropped)
        kept = dict((key, placement.get(key)) for key in self.placement) if instance_id else dict.fromkeys(self.placement)
        kept.update(placement if instance_id else {})
        return Nic(self.id, status, phase, instance_id, self.primary, kept, facts)


class Instance:
    """An instance as far as an attach or a detach cares: its status, where it is, and how many interfaces it holds.

    ``state`` is READY, STARTING_OR_STOPPING or REFUSING. ``location`` holds what must match the interface's for an
    attach (e.g. ``{'zone_id': ..., 'vpc_id': ...}``); ``interface_limit`` is None where the cloud does not say.
    """

    __slots__ = ('id', 'status', 'state', 'location', 'interfaces', 'interface_limit')

    def __init__(self, instance_id, status, state, location=None, interfaces=None, interface_limit=None):
        self.id = instance_id
        self.status = status
        self.state = state
        self.location = location or {}
        self.interfaces = interfaces
        self.interface_limit = interface_limit
