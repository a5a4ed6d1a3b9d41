# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input, both clouds, through the real modules (scenarios.BAD_INPUT).

Every refusal must name the option, come before any attach or detach, and, for a pure input error, before any API
call at all (the row's emulator logs none). Valid but tricky inputs (state: absent with and without instance_id,
force on a primary interface, a region that does not exist) are checked the same way.
"""

from __future__ import annotations

import pytest

import scenarios
from harness import SECRETS, Ansible


@pytest.fixture(scope='module')
def batch(emulator, tmp_path_factory):
    ansible = Ansible(emulator, tmp_path_factory.mktemp('bad-input'))
    outcomes, _played = scenarios.run(scenarios.BAD_INPUT, ansible)
    return outcomes, tuple(SECRETS) + tuple(ansible.extra_secrets)


@pytest.mark.parametrize('row', scenarios.params(scenarios.BAD_INPUT))
def test_bad_input(batch, row):
    outcomes, secrets = batch
    scenarios.check(row, outcomes[row.id], secrets)
    calls = outcomes[row.id].calls
    assert not [call for call in calls if call['action'] in scenarios.MUTATING and row.expect.failed]
    if row.expect.failed and row.expect.code is None:
        assert calls == []
