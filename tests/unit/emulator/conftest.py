# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One exact emulator (0.2 s transitions, no read lag: ``control.EXACT``) for the emulator tests, reset before each test.

Tests of the rough behaviours (lag, settling statuses, conflicts) change the settings they need.
"""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, '..', '..', 'emulator')
for path in (HERE, EMULATOR):
    if path not in sys.path:
        sys.path.insert(0, path)

from control import EXACT, Emulator  # noqa: E402  pylint: disable=wrong-import-position
from emu_clients import DELAY, Ecs, Zec  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope='session')
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
