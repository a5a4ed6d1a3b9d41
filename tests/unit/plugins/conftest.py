# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the unit tests of the collection's plugins.

- ``fake_clock``: a monotonic clock that only moves when something sleeps on it, so that waits, retries and
  timeouts run instantly and deterministically.
- ``instant_waits``: makes every reconciler and HTTP client that a module builds use ``fake_clock``, so that a
  module run through ``main()`` never really sleeps.
- ``run_module``: runs a module's ``main()`` with the given arguments (``patch_module_args``, falling back to
  patching ``basic._ANSIBLE_ARGS`` on ansible-core older than 2.19) as on a managed node, and returns the JSON it
  printed, with ``rc``, ``stdout``, ``stderr`` and ``warning_texts`` (the warnings' messages).
"""

from __future__ import annotations

import contextlib
import json
from unittest import mock

import pytest

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        serialized = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}))
        with mock.patch.object(basic, '_ANSIBLE_ARGS', serialized):
            yield


class FakeClock:
    """``monotonic()`` and ``sleep()`` over a counter; every pause is recorded in ``sleeps``."""

    def __init__(self, start=1000.0):
        self.now = start
        self.start = start
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0, 'negative sleep %r' % seconds
        self.sleeps.append(seconds)
        self.now += seconds

    @property
    def elapsed(self):
        return self.now - self.start


@pytest.fixture
def fake_clock():
    return FakeClock()


def _with_clock(cls, clock):
    """A subclass of ``cls`` whose instances default to the fake clock and sleep."""

    class Patched(cls):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault('clock', clock.monotonic)
            kwargs.setdefault('sleep', clock.sleep)
            super().__init__(*args, **kwargs)

    Patched.__name__ = cls.__name__
    return Patched


@pytest.fixture
def instant_waits(monkeypatch, fake_clock):
    """Reconcilers and clients built by the modules wait on ``fake_clock``; returns it."""
    # Imported here, not at the top: conftest runs before ansible-test installs Ansible's collection finder.
    from ansible_collections.cloudnet.nic.plugins.module_utils import alicloud, attachment, zenlayer

    monkeypatch.setattr(attachment, 'Reconciler', _with_clock(attachment.Reconciler, fake_clock))
    for adapter_module in (alicloud, zenlayer):
        monkeypatch.setattr(adapter_module, 'Client', _with_clock(adapter_module.Client, fake_clock))
    return fake_clock


@contextlib.contextmanager
def _as_on_a_managed_node():
    """Run a module as on a managed node, where its warnings go into its result.

    A test process that loaded controller code makes ``AnsibleModule.warn`` print through ``Display`` instead.
    """
    from ansible.module_utils.common import warnings
    for recorded in ('_global_warnings', '_global_deprecations'):  # module-global: left over from earlier runs
        getattr(warnings, recorded, {}).clear()
    try:
        from ansible.module_utils import _internal
    except ImportError:  # ansible-core < 2.18 has no _internal; 2.18 has no is_controller: warnings always go into the result
        _internal = None
    if not hasattr(_internal, 'is_controller'):
        yield
        return
    with mock.patch.object(_internal, 'is_controller', False):
        yield


def _warning_texts(result):
    """The warnings' messages: plain strings before ansible-core 2.19, WarningSummary objects since."""
    texts = []
    for warning in result.get('warnings', []):
        texts.append(warning if isinstance(warning, str) else (warning.get('event') or {}).get('msg', json.dumps(warning)))
    return texts


@pytest.fixture
def run_module(capsys):
    """``run_module(main, args, check_mode=False, diff=False)`` -> the module's JSON result plus ``rc`` and ``stderr``."""

    def run(main, args, check_mode=False, diff=False):
        args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        with patch_module_args(args), _as_on_a_managed_node(), pytest.raises(SystemExit) as exited:
            main()
        out, err = capsys.readouterr()
        result = json.loads(out)
        result.update(rc=exited.value.code, stdout=out, stderr=err, warning_texts=_warning_texts(result))
        return result

    return run
