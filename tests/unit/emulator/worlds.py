# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Worlds for the tests of the rough behaviours: the default world, exact unless the test asks otherwise."""

from __future__ import annotations

import json
import os

from control import EXACT, SERVER

DEFAULT_STATE = os.path.join(os.path.dirname(SERVER), 'default_state.json')


def default_world(**settings):
    """The default world as the file holds it (PENDING, Creating, BOOTING ... as written), ``EXACT`` plus ``settings``."""
    with open(DEFAULT_STATE, encoding='utf-8') as handle:
        state = json.load(handle)
    state['settings'].update(EXACT, attach_delay=0.2, detach_delay=0.2)
    state['settings'].update(settings)
    return state


def load(emu, **settings):
    """Load the default world with ``settings`` into ``emu`` now (the moment its settling delays count from)."""
    emu.put_state(default_world(**settings))
