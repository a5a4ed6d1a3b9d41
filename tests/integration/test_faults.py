# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection through the emulator, both clouds, through the real modules (scenarios.FAULTS).

One ``ansible-playbook`` run plays every row side by side, at -vvvv, each row on its own emulator; each test then
checks one row: changed and failed, the error code, every API call made, the interface's final state.
"""

from __future__ import annotations

import importlib.util
import time

import pytest

import scenarios
from harness import REPO, SECRETS, Ansible


def test_reliability_doc_is_current():
    """docs/reliability.md is what tools/reliability_doc.py renders from scenarios.py (run the tool after changing rows)."""
    spec = importlib.util.spec_from_file_location('reliability_doc', str(REPO / 'tools' / 'reliability_doc.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.DOC.read_text(encoding='utf-8') == tool.render(), 'docs/reliability.md is out of date: run tools/reliability_doc.py'


def test_every_row_has_its_own_id():
    ids = [row.id for _title, rows in scenarios.MATRIX for row in rows]
    assert len(ids) == len(set(ids))


@pytest.fixture(scope='module')
def batch(emulator, tmp_path_factory):
    ansible = Ansible(emulator, tmp_path_factory.mktemp('faults'))
    started = time.monotonic()
    outcomes, played = scenarios.run(scenarios.FAULTS, ansible)
    return outcomes, played, time.monotonic() - started, tuple(SECRETS) + tuple(ansible.extra_secrets)


@pytest.mark.parametrize('row', scenarios.params(scenarios.FAULTS))
def test_fault(batch, row):
    outcomes, _played, _seconds, secrets = batch
    scenarios.check(row, outcomes[row.id], secrets)


LISTED = [scenarios.as_one_of_many(row) for row in scenarios.FAULTS if row.listed and row.hosts == 1]


@pytest.fixture(scope='module')
def listed_batch(emulator, tmp_path_factory):
    ansible = Ansible(emulator, tmp_path_factory.mktemp('listed'))
    outcomes, _played = scenarios.run(LISTED, ansible, verbosity=2)
    return outcomes, tuple(SECRETS) + tuple(ansible.extra_secrets)


@pytest.mark.parametrize('row', scenarios.params(LISTED))
def test_fault_as_one_of_many(listed_batch, row):
    """The same fault when the interface is one item of attachments (the list form): the same calls, outcome and state."""
    outcomes, secrets = listed_batch
    scenarios.check(row, outcomes[row.id], secrets)


def test_the_batch_ran_at_full_verbosity_without_runaway_retries(batch):
    _outcomes, played, seconds, _secrets = batch
    assert 'ESTABLISH LOCAL CONNECTION' in played.output  # -vvvv: the secrets scan saw everything Ansible can print
    assert seconds < 120, 'the fault batch took %.1f s (about 40 s expected)' % seconds
