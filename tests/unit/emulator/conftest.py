# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One exact emulator (0.2 s transitions, no read lag: ``control.EXACT``) for the emulator tests, reset before each test.

Tests of the rough behaviours (lag, settling statuses, conflicts) change the settings they need. The emulator
(tests/emulator/) is a standalone program whose modules import each other by their bare names, so its directory goes on
``sys.path``; the tests' own helpers (``emu_clients``) are imported by their collection path.
"""

from __future__ import annotations

import os
import sys

import pytest

EMULATOR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'emulator'))
if EMULATOR not in sys.path:
    sys.path.insert(0, EMULATOR)

from control import EXACT, Emulator  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.cloudnet.nic.tests.unit.emulator.emu_clients import DELAY, Ecs, Zec  # noqa: E402  pylint: disable=wrong-import-position


def _emulator_scope(fixture_name, config):  # pylint: disable=unused-argument
    """One emulator per session, or per test under ``ansible-test units``.

    ansible-test runs every test in a forked child (its ``ansible_forked`` plugin) that exits without tearing down
    session fixtures, so a session-scoped emulator started in a child would outlive it: one stray server per test.
    """
    return 'function' if config.pluginmanager.has_plugin('ansible_forked') else 'session'


@pytest.fixture(scope=_emulator_scope)
def emulator():
    with Emulator.start(attach_delay=DELAY, detach_delay=DELAY, settings=EXACT) as emu:
        yield emu


@pytest.fixture
def emu(emulator):
    emulator.reset()
    return emulator


@pytest.fixture
def ecs(emu):
    return Ecs(emu.url)


@pytest.fixture
def ecs_v1(emu):
    return Ecs(emu.url, scheme='v1')


@pytest.fixture
def zec(emu):
    return Zec(emu.url)
