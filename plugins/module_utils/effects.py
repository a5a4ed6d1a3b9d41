# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the reconciler asks of the outside world, and the driver that answers for one interface.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.

The reconciler is a generator: it yields an effect (read the interface, read an instance, attach or detach, pause)
and is sent the answer, or has the ``ApiError`` thrown into it. It never performs I/O itself, so the same decisions
serve one interface (``drive``: each effect performed at once) and a fleet (``fleet.py``: reads of many interfaces
batched into one call, pauses aligned, writes run side by side under one rate limit).
"""

from __future__ import annotations

import time

from ansible_collections.cloudnet.nic.plugins.module_utils.client import ApiError


class Read:
    """Read the interface: answered with a ``Nic``, or None when the cloud does not know it."""

    __slots__ = ('nic_id',)

    def __init__(self, nic_id):
        self.nic_id = nic_id


class ReadInstance:
    """Read an instance (``with_limit``: and its interface limit, where that takes another call): an ``Instance``, or None."""

    __slots__ = ('instance_id', 'with_limit')

    def __init__(self, instance_id, with_limit=False):
        self.instance_id = instance_id
        self.with_limit = with_limit


class Write:
    """Attach ``nic`` to ``instance_id`` (with ``placement``), or detach it from the instance it is on."""

    __slots__ = ('verb', 'nic', 'instance_id', 'placement')

    def __init__(self, verb, nic, instance_id=None, placement=None):
        self.verb = verb
        self.nic = nic
        self.instance_id = instance_id
        self.placement = placement or {}


class Pause:
    """Let ``seconds`` pass before going on."""

    __slots__ = ('seconds',)

    def __init__(self, seconds):
        self.seconds = seconds


def perform(adapter, effect, sleep=time.sleep):
    """Carry out one effect through ``adapter``; its answer, or the ``ApiError`` it raised."""
    if isinstance(effect, Read):
        return adapter.get(effect.nic_id)
    if isinstance(effect, Write):
        if effect.verb == 'attach':
            return adapter.attach(effect.nic, effect.instance_id, effect.placement)
        return adapter.detach(effect.nic)
    if isinstance(effect, ReadInstance):
        return adapter.get_instance(effect.instance_id, effect.with_limit)
    sleep(effect.seconds)
    return None


def drive(process, adapter, sleep=time.sleep):
    """Run a reconciler's ``process`` generator to its end, one effect at a time; its return value.

    An ``ApiError`` an effect raises is thrown into the process, which decides what it means.
    """
    send, value = process.send, None
    while True:
        try:
            effect = send(value)
        except StopIteration as done:
            return done.value
        try:
            send, value = process.send, perform(adapter, effect, sleep)
        except ApiError as err:
            send, value = process.throw, err
