# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconciler's decision table (DESIGN section 2) as rows that each cloud's module test runs through ``main()``.

A row names the task, the interface as successive reads show it, and the outcome. Reads are written in neutral words
that each cloud's test turns into its own status words and replies: ``available``, ``attaching``, ``attached``,
``detaching``, ``deleting``, ``unknown`` (a status word the module has no mapping for), ``missing``, with ``@target`` or
``@other`` for the instance and ``primary`` for a primary interface. The last read repeats.
"""

from __future__ import annotations


class Row:
    def __init__(self, name, task, reads, calls, changed, final=None, code=None, words=None):
        self.name = name
        self.task = task            # 'present', 'present+force', 'absent' (no instance_id) or 'absent@target'
        self.reads = reads
        self.calls = calls          # the mutating calls, in order: 'attach', 'detach'
        self.changed = changed
        self.final = final          # neutral word of the returned interface's status, when the task succeeds
        self.code = code            # error.code, when the task fails
        self.words = words          # a piece of the failure message naming the cause

    @property
    def failed(self):
        return self.code is not None


ROWS = [
    # state: present
    Row('present-not-found', 'present', ['missing'], [], False, code='NotFound', words='was not found'),
    Row('present-attached-to-target', 'present', ['attached@target'], [], False, final='attached'),
    Row('present-attaching-to-target-waits', 'present', ['attaching@target', 'attached@target'], [], False, final='attached'),
    Row('present-available-attaches', 'present', ['available', 'attaching@target', 'attached@target'], ['attach'], True,
        final='attached'),
    Row('present-attached-elsewhere-fails', 'present', ['attached@other'], [], False, code='AttachedElsewhere',
        words='is attached to instance @other'),
    Row('present-attaching-elsewhere-fails', 'present', ['attaching@other'], [], False, code='AttachedElsewhere',
        words='set force=true to move it'),
    Row('present-force-moves', 'present+force',
        ['attached@other', 'detaching@other', 'available', 'attaching@target', 'attached@target'], ['detach', 'attach'], True,
        final='attached'),
    Row('present-force-waits-for-attaching-elsewhere-then-moves', 'present+force',
        ['attaching@other', 'attached@other', 'detaching@other', 'available', 'attached@target'], ['detach', 'attach'], True,
        final='attached'),
    Row('present-detaching-waits-then-attaches', 'present', ['detaching@other', 'available', 'attached@target'], ['attach'], True,
        final='attached'),
    Row('present-primary-elsewhere-fails', 'present+force', ['attached@other primary'], [], False, code='PrimaryInterface',
        words='is the primary interface of instance @other'),
    Row('present-deleting-fails', 'present', ['deleting'], [], False, code='UnusableStatus', words='while its status is'),
    Row('present-unknown-status-fails', 'present', ['unknown'], [], False, code='UnusableStatus', words='while its status is'),
    Row('present-rejected-attach-fails-unchanged', 'present', ['available', 'attaching@target', 'available'], ['attach'], False,
        code='Rejected', words='did not carry it out'),
    # state: absent
    Row('absent-not-found', 'absent', ['missing'], [], False),
    Row('absent-available', 'absent', ['available'], [], False, final='available'),
    Row('absent-attached-detaches', 'absent', ['attached@other', 'detaching@other', 'available'], ['detach'], True,
        final='available'),
    Row('absent-attached-to-the-named-instance-detaches', 'absent@target', ['attached@target', 'available'], ['detach'], True,
        final='available'),
    Row('absent-attached-to-another-instance-is-left-alone', 'absent@target', ['attached@other'], [], False, final='attached'),
    Row('absent-detaching-waits', 'absent', ['detaching@other', 'available'], [], False, final='available'),
    Row('absent-attaching-waits-then-detaches', 'absent', ['attaching@other', 'attached@other', 'available'], ['detach'], True,
        final='available'),
    Row('absent-primary-fails', 'absent', ['attached@other primary'], [], False, code='PrimaryInterface',
        words='primary interfaces are never detached'),
    Row('absent-deleting-fails', 'absent', ['deleting@other'], [], False, code='UnusableStatus', words='while its status is'),
]


def parse_read(read):
    """``'attached@other primary'`` -> ``('attached', 'other', True)``."""
    words = read.split()
    state, _at, instance = words[0].partition('@')
    return state, instance or None, 'primary' in words[1:]


def check_mode_outcome(row):
    """``(changed, code)`` that check mode predicts for a row: decided on the first read alone, with no call made."""
    if row.code == 'Rejected':
        return True, None  # the cloud's rejection shows only after the call, which check mode does not make
    return (False, row.code) if row.failed else (bool(row.calls), None)


def task_args(row, id_option, nic_id, target):
    args = {id_option: nic_id}
    if row.task.startswith('present'):
        args.update(instance_id=target, force=row.task.endswith('+force'))
    else:
        args.update(state='absent')
        if row.task == 'absent@target':
            args.update(instance_id=target)
    return args


def check_outcome(row, result, mutations, status_words, instances, check_mode=False):
    """Assert a module result against a row; ``mutations`` are the attach/detach calls made, as verbs."""
    changed, code = check_mode_outcome(row) if check_mode else (row.changed, row.code)
    assert (result['rc'], result['changed']) == ((1, changed) if code else (0, changed)), result
    assert mutations == ([] if check_mode else row.calls)
    if code:
        assert result['failed'] is True and result['error']['code'] == code
        words = row.words
        for name, instance_id in instances.items():
            words = words.replace('@' + name, instance_id)
        assert words in result['msg']
    elif row.final and not check_mode:
        assert result['network_interface']['status'] == status_words[row.final]
