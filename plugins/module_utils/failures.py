# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How a failed API call reaches the person running the task.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.
"""

from __future__ import annotations


def describe_api_error(err, subject):
    """One sentence: which call failed for what, the cloud's reason and code, and what to do."""
    hint = ' %s' % err.hint if err.hint else ''
    request = ', request %s' % err.request_id if err.request_id else ''
    return '%s failed for %s: %s (%s%s).%s' % (
        err.action or 'The API call', subject, err.message.rstrip('.'), err.code, request, hint)


def fail_api_error(module, err, subject, note='', **result):
    """Exit the module with ``msg`` (plus ``note``) and ``error`` for an ``ApiError``. Never returns."""
    module.fail_json(msg=describe_api_error(err, subject) + note, error=err.as_dict(), **result)
