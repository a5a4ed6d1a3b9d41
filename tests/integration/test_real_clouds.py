# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real clouds' quirks, lost answers, other actors and outages, both clouds, through the real modules.

Rows: ``scenarios.REAL_CLOUDS`` (issue 10: interfaces being created, instances that move, reads that lag, the network
card index, a detach that sticks, the codes users hit, check mode's predictions) and ``scenarios.UNKNOWN_OUTCOMES``
(issue 11). Each row asks its emulator for the realism it needs (settings), as the rest of the matrix asks for exactness.
One ``ansible-playbook`` run plays every row side by side, at -vvvv.
"""

from __future__ import annotations

import pytest

import scenarios
from harness import SECRETS, Ansible

ROWS = scenarios.REAL_CLOUDS + scenarios.UNKNOWN_OUTCOMES


@pytest.fixture(scope='module')
def batch(emulator, tmp_path_factory):
    ansible = Ansible(emulator, tmp_path_factory.mktemp('real'))
    outcomes, _played = scenarios.run(ROWS, ansible)
    return outcomes, tuple(SECRETS) + tuple(ansible.extra_secrets)


@pytest.mark.parametrize('row', scenarios.params(ROWS))
def test_row(batch, row):
    outcomes, secrets = batch
    scenarios.check(row, outcomes[row.id], secrets)
