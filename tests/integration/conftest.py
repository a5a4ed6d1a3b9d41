# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the integration tests: one emulator per session, reset before each test."""

from __future__ import annotations

import pytest

from harness import Ansible, start_emulator


@pytest.fixture(scope='session')
def emulator():
    # i-emu-starting stays Starting (test_failures_name_the_cause needs it); the rest of the world is as rough as the default
    with start_emulator(attach_delay=0.3, detach_delay=0.3, settings={'instance_start_delay': None}) as emu:
        yield emu


@pytest.fixture
def emu(emulator):
    emulator.reset()
    return emulator


@pytest.fixture
def ansible(emu, tmp_path):
    return Ansible(emu, tmp_path)
