# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the integration tests: one emulator per session, reset before each test."""

from __future__ import annotations

import pytest

from harness import Ansible, start_emulator


@pytest.fixture(scope='session')
def emulator():
    # Statuses do not change by themselves: i-emu-starting stays Starting (test_failures_name_the_cause) and interfaces
    # being created are ready at once (test_info_modules counts the free ones); otherwise as rough as the default world.
    with start_emulator(attach_delay=0.3, detach_delay=0.3, settings={'instance_start_delay': None, 'create_delay': 0}) as emu:
        yield emu


@pytest.fixture
def emu(emulator):
    emulator.reset()
    return emulator


@pytest.fixture
def ansible(emu, tmp_path):
    return Ansible(emu, tmp_path)
