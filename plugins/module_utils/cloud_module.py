# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``AnsibleModule`` of every module of the collection.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudnet.nic.plugins.module_utils.client import INVALID_INPUT


class CloudModule(AnsibleModule):
    """An ``AnsibleModule`` whose every failure carries the keys RETURN documents, even one from argument validation.

    ``failure_keys`` are the result keys with the value a failure gets when the code that fails does not give one
    (``network_interface: {}``); ``error`` defaults to an ``InvalidInput`` error built from the message.
    """

    def __init__(self, argument_spec, failure_keys=None, **kwargs):
        self.failure_keys = dict(failure_keys or {})
        self._reading_options = True
        self._given_types = {}
        super().__init__(argument_spec, **kwargs)
        self._reading_options = False

    def _load_params(self):
        super()._load_params()
        # validation converts values in place (a string given for a list becomes a list); a message names what was given
        self._given_types = dict((name, type(value).__name__) for name, value in (self.params or {}).items())

    def exit_json(self, **kwargs):
        self._mask_secrets()
        super().exit_json(**kwargs)

    def _naming_the_option(self, msg):
        """Ansible's own message for a malformed list of dictionaries names no option ("dictionary requested, could not
        parse JSON or key=value"); say which options it can be about, in the words ansible-core uses for a type error
        ("option 'NAME' is of type"), which ansible-lint's ``args`` rule knows to skip when the value is a template."""
        names = [name for name, spec in self.argument_spec.items() for name in [name] + list(spec.get('aliases') or ())]
        if any(name in msg for name in names):
            return msg
        nested = sorted(name for name, spec in self.argument_spec.items() if spec.get('options'))
        given = [name for name in nested if isinstance(self.params, dict) and self.params.get(name) is not None]
        if len(given) != 1:
            return '%s (%s must be a list of dictionaries, each with the suboptions the documentation lists).' % (
                msg.rstrip('.'), ' or '.join(nested) or 'an option')
        return "option '%s' is of type %s and must be a list of dictionaries, each with the suboptions the documentation " \
            "lists (%s)." % (given[0], self._given_types.get(given[0], type(self.params[given[0]]).__name__), msg.rstrip('.'))

    def _mask_secrets(self):
        """Make sure the value of every no_log option is masked in the result.

        ansible-core collects no_log values in one pass over the whole spec; a malformed value of an option with
        suboptions (``attachments: ''``) makes that pass fail and leaves every secret of the task unmasked in the
        failure it then reports (seen on 2.19). The top-level secrets are collected again here, which cannot fail.
        """
        for name, spec in self.argument_spec.items():
            value = self.params.get(name) if isinstance(self.params, dict) else None
            if spec.get('no_log') and isinstance(value, str) and value:
                self.no_log_values.add(value)

    def _log_invocation(self):
        """Argument validation is over; ansible-core logs the invocation next. From Python 3.12 its syslog refuses a NUL
        character, which ansible-core then reports as "Failed to log to syslog", naming no option: name it first."""
        self._reading_options = False
        for name in sorted(self.params):
            if isinstance(self.params[name], str) and '\x00' in self.params[name]:
                self.fail_json(msg='%s contains a NUL character (\\x00), which no option of this module accepts.' % name)
        super()._log_invocation()

    def fail_json(self, msg, **kwargs):
        self._mask_secrets()
        if self._reading_options:
            msg = self._naming_the_option(msg)
        for key, value in self.failure_keys.items():
            kwargs.setdefault(key, value)
        kwargs.setdefault('error', {'code': 'InvalidInput', 'message': msg, 'http_status': None, 'request_id': None, 'action': None,
                                    'kind': INVALID_INPUT})
        super().fail_json(msg=msg, **kwargs)
