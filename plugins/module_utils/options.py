# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Argument specs and input checks shared by every module of the collection.

FOR INTERNAL COLLECTION USE ONLY. Python versions supported: 3.9 and newer.

Every check returns a sentence that names the option and what is allowed, so that a module can
refuse bad input before it makes any API call.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.cloudnet.nic.plugins.module_utils import client

_ID_CHARS = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]*$')
# Key ids and STS tokens travel in HTTP headers: printable ASCII without spaces.
_HEADER_SAFE = re.compile(r'^[!-~]+$')
# Upper bounds that keep every timer and socket timeout representable.
MAX_TIMEOUT = 3600
MAX_WAIT_TIMEOUT = 86400


def transport_argument_spec():
    return dict(
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        timeout=dict(type='int', default=30),
    )


def url_without_secret(value):
    """``value`` as it may be shown: a password in the URL is replaced by ``********``."""
    try:
        parts = urlsplit(value)
        password = parts.password
    except ValueError:
        return '<an endpoint that is not a URL>'
    if not password:
        return value
    return value.replace(':%s@' % password, ':********@', 1)


def attachment_argument_spec():
    return dict(
        instance_id=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        force=dict(type='bool', default=False),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=300),
    )


# The list form: the most attach/detach calls a task has in flight at once, and the most API calls per second it may cap.
MAX_CONCURRENCY = 50
MAX_CALLS_PER_SECOND = 1000
ITEM_KEYS = ('instance_id', 'state', 'force')


def fleet_argument_spec(id_option, id_aliases, placement):
    """``attachments`` (the list form: each item's unset keys default to the top-level options of the same name), and
    the options that pace a task."""
    item = {id_option: dict(type='str', required=True, aliases=id_aliases), 'instance_id': dict(type='str'),
            'state': dict(type='str', choices=['present', 'absent']), 'force': dict(type='bool')}
    item.update(placement)
    return dict(
        attachments=dict(type='list', elements='dict', options=item),
        concurrency=dict(type='int', default=10),
        max_calls_per_second=dict(type='float'),
    )


def attachment_items(params, id_option, placement_keys):
    """``[(label, item)]``: the one interface of the single form (label None), or each item of ``attachments`` (label
    ``attachments[N]``) with its unset keys taken from the top-level options."""
    keys = ITEM_KEYS + tuple(placement_keys)
    if params.get('attachments') is None:
        return [(None, dict((key, params[key]) for key in (id_option,) + keys))]
    items = []
    for number, entry in enumerate(params['attachments']):
        item = dict((key, params[key] if entry.get(key) is None else entry[key]) for key in keys)
        item[id_option] = entry[id_option]
        items.append(('attachments[%d]' % number, item))
    return items


def fleet_problems(params):
    return [problem for problem in (
        bad_range('concurrency', params.get('concurrency'), 1, MAX_CONCURRENCY),
        bad_range('max_calls_per_second', params.get('max_calls_per_second'), 0.1, MAX_CALLS_PER_SECOND),
    ) if problem]


def missing_instance(item, label):
    if item['state'] != 'present' or item['instance_id']:
        return None
    if label is None:
        return 'instance_id is required when state is present.'
    return ('%s.instance_id is required when its state is present: set it in the item, or the top-level instance_id for every item.'
            % label)


def repeated_ids(ids, option):
    seen, repeated = set(), []
    for nic_id in ids:
        if nic_id in seen and nic_id not in repeated:
            repeated.append(nic_id)
        seen.add(nic_id)
    if not repeated:
        return None
    return 'attachments names %s %s more than once: give each interface once.' % (option, ', '.join(repeated))


def bad_range(option, value, lowest, highest):
    if value is not None and not lowest <= value <= highest:
        return '%s must be from %s to %s, not %s.' % (option, lowest, highest, value)
    return None


def from_env(names, **spec):
    """An option spec whose value falls back to the first set environment variable of ``names``."""
    spec['fallback'] = (env_fallback, names)
    return spec


def missing(params, option, env_names):
    if params.get(option) in (None, ''):
        return '%s is required: set the %s option or one of the environment variables %s.' % (
            option, option, ', '.join(env_names))
    return None


def bad_id(option, value, prefix=None, example=None):
    """Why ``value`` is not a usable resource id, or None. ``prefix`` is the cloud's id prefix."""
    if value is None:
        return None
    if not value.strip():
        return '%s must not be empty or blank.' % option
    if value != value.strip() or not _ID_CHARS.match(value):
        return '%s %r contains characters an id cannot have; give the id alone, for example %s.' % (option, value, example)
    if prefix and not value.startswith(prefix):
        return '%s %r does not look like an id of this cloud: it must start with %r, for example %s.' % (
            option, value, prefix, example)
    return None


def bad_positive(option, value, most):
    if value is not None and not 0 < value <= most:
        return '%s must be a number of seconds greater than 0 and at most %s, not %s.' % (option, most, value)
    return None


def bad_minimum(option, value, minimum):
    if value is not None and value < minimum:
        return '%s must be %s or greater, not %s.' % (option, minimum, value)
    return None


def bad_url(option, value):
    """Why ``value`` is not a usable base URL, or None; the sentence never shows a password the URL carries."""
    if not value:  # unset, or an empty environment variable (AWX injects one for an optional field left empty)
        return None
    shown = url_without_secret(value)
    try:
        parts = urlsplit(value)
        parts.port  # pylint: disable=pointless-statement  # raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ('http', 'https') or not parts.hostname or not _HEADER_SAFE.fullmatch(value):
        return '%s %r is not a URL: give a base URL such as https://host or http://127.0.0.1:8080.' % (option, shown)
    if parts.username or parts.password:
        return ('%s %r must not carry a user name or password: give the credentials in the access key options, and proxy '
                'credentials in the https_proxy environment variable.' % (option, shown))
    return None


def _url_password(value):
    try:
        return urlsplit(value).password if value else None
    except ValueError:
        return None


def bad_header_value(option, value):
    """A key id or token that cannot travel in an HTTP header; the sentence never shows the value."""
    if value and not _HEADER_SAFE.fullmatch(value):
        return '%s must be printable ASCII without spaces or line breaks (as the cloud issues it); check the value given.' % option
    return None


def bad_ca_path(value):
    if value and not (os.path.isfile(value) or os.path.isdir(value)):
        return 'ca_path %r is not a file or directory on the host running the module: give the PEM file (or c_rehash directory) of ' \
               'the CA that signed the endpoint certificate.' % value
    return None


def common_problems(params):
    """Problems with the transport options, and with the attachment options when the module has them."""
    return [problem for problem in (
        bad_positive('timeout', params.get('timeout'), MAX_TIMEOUT),
        bad_positive('wait_timeout', params.get('wait_timeout'), MAX_WAIT_TIMEOUT),
        bad_url('endpoint', params.get('endpoint')),
        bad_ca_path(params.get('ca_path')),
        bad_header_value('access_key_id', params.get('access_key_id')),
        bad_header_value('security_token', params.get('security_token')),
    ) if problem]


def refuse_bad_input(module, problems, service):
    """Fail before any API call when a library or an option is wrong; warn when TLS checks are off.

    A password written into the endpoint URL is added to the module's no_log values first, so that Ansible masks it
    wherever it would show (the invocation's arguments, any message).
    """
    password = _url_password(module.params.get('endpoint'))
    if password:
        module.no_log_values.add(password)
    if client.requests is None:
        module.fail_json(msg=missing_required_lib('requests'))
    problems = [problem for problem in problems if problem]
    if problems:
        module.fail_json(msg=' '.join(problems))
    if not module.params['validate_certs']:
        module.warn('validate_certs is false: the TLS certificate of the %s endpoint is not verified.' % service)
