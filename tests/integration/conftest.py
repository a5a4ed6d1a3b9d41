# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the integration tests: one emulator per session, reset before each test."""

from __future__ import annotations

import pytest

from harness import Ansible, start_emulator


@pytest.fixture(scope='session')
def emulator():
    with start_emulator(attach_delay=0.3, detach_delay=0.3) as emu:
        yield emu


@pytest.fixture
def emu(emulator):
    emulator.reset()
    return emulator


@pytest.fixture
def ansible(emu, tmp_path):
    return Ansible(emu, tmp_path)
