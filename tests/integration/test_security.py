# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS, credentials and secrets, both clouds, through the real modules (scenarios.SECURITY).

The TLS rows run against emulators that serve HTTPS with a certificate from a test CA (trustme). Every run is at
-vvvv and its whole output, and every result and message, is searched for every secret in use.
"""

from __future__ import annotations

import re

import pytest

import scenarios
from harness import SECRETS, Ansible

SECRET_OPTIONS = ('access_key_secret', 'access_key_password', 'security_token')


@pytest.fixture(scope='module')
def batch(emulator, tmp_path_factory):
    ansible = Ansible(emulator, tmp_path_factory.mktemp('security'))
    outcomes, played = scenarios.run(scenarios.SECURITY, ansible)
    return outcomes, played, tuple(SECRETS) + tuple(ansible.extra_secrets)


@pytest.mark.parametrize('row', scenarios.params(scenarios.SECURITY))
def test_security(batch, row):
    outcomes, _played, secrets = batch
    scenarios.check(row, outcomes[row.id], secrets)


def test_the_scan_covers_every_secret_the_rows_use(batch):
    _outcomes, played, secrets = batch
    used = set(value for row in scenarios.SECURITY for option, value in row.args.items() if option in SECRET_OPTIONS)
    used.update(value for row in scenarios.SECURITY for name, value in row.env.items() if 'SECRET' in name or 'PASSWORD' in name)
    used.discard('')
    assert {'emulator-sts-secret-0001', 'emulator-sts-token-0001'} <= used
    assert used <= set(secrets), sorted(used - set(secrets))
    assert 'ESTABLISH LOCAL CONNECTION' in played.output  # the scan ran over -vvvv output
    if 'module_args' in played.output:  # ansible-core < 2.21 prints each result's invocation at -vvvv; 2.21 does not
        assert played.output.count('VALUE_SPECIFIED_IN_NO_LOG_PARAMETER') >= len(used)


def test_only_the_rows_without_certificate_checks_warn(batch):
    _outcomes, played, _secrets = batch
    # ansible-core 2.16 wraps a warning at 79 columns when stdout is not a terminal: match on whitespace-joined text
    warned = re.findall(r'\[WARNING\]: (validate_certs is false: .*? is not verified\.)', ' '.join(played.output.split()))
    expected = [row.expect.warns for row in scenarios.SECURITY if row.expect.warns]
    assert sorted(warned) == sorted(expected)
