# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What is specific to cloudnet.nic.alicloud_eni_attachment (ECS error codes, credentials, input checks), through real ``ansible`` runs."""

from __future__ import annotations

import pytest

from harness import ECS_SECRET

MODULE = 'cloudnet.nic.alicloud_eni_attachment'
MUTATING = ('AttachNetworkInterface', 'DetachNetworkInterface')


def ecs_actions(emu):
    return [call['action'] for call in emu.calls(cloud='ecs')]


@pytest.mark.parametrize('args, code, words', [
    ({'eni_id': 'eni-emu-1', 'instance_id': 'i-emu-missing'}, 'InvalidEcsId.NotFound', 'instance_id'),
    ({'eni_id': 'eni-emu-1', 'instance_id': 'i-emu-otherzone'}, 'InvalidOperation.AvailabilityZoneMismatch', 'zone'),
    ({'eni_id': 'eni-emu-1', 'instance_id': 'i-emu-othervpc'}, 'InvalidOperation.VpcMismatch', 'VPC'),
    # Starting for ever here (the session emulator's instance_start_delay is null): retried until wait_timeout, then the cloud's code
    ({'eni_id': 'eni-emu-1', 'instance_id': 'i-emu-starting', 'wait_timeout': 5}, 'InvalidOperation.InvalidEcsState', 'Running or Stopped'),
])
def test_failures_name_the_cause(ansible, emu, args, code, words):
    run = ansible.adhoc(MODULE, args)
    result = run.result()
    assert run.rc != 0
    assert result['failed'] is True
    assert result['changed'] is False
    assert result['error']['code'] == code
    assert words in result['msg']
    assert not set(ecs_actions(emu)) - {'DescribeNetworkInterfaces', 'AttachNetworkInterface', 'DetachNetworkInterface', 'DescribeInstances'}


def test_attach_to_stopped_instance_works(ansible, emu):
    run = ansible.adhoc(MODULE, {'eni_id': 'eni-emu-1', 'instance_id': 'i-emu-stopped'})
    assert run.result()['changed'] is True
    assert run.result()['network_interface']['status'] == 'InUse'


def test_wrong_secret_fails_with_signature_code_and_never_prints_it(ansible, emu):
    wrong = 'not-the-secret-0001-%s' % ECS_SECRET[::-1]
    ansible.extra_secrets.append(wrong)
    run = ansible.adhoc(MODULE, {'eni_id': 'eni-emu-1', 'instance_id': 'i-emu-running'}, verbosity=4,
                        env={'ALIBABA_CLOUD_ACCESS_KEY_SECRET': wrong})
    result = run.result()
    assert run.rc != 0
    assert result['error']['code'] == 'SignatureDoesNotMatch'
    assert 'access_key_secret' in result['msg']
    assert 'ANSIBLE_MODULE_ARGS' in run.output or 'ESTABLISH LOCAL CONNECTION' in run.output  # it really ran at -vvvv


def test_wrong_key_id_fails_with_its_code(ansible, emu):
    run = ansible.adhoc(MODULE, {'eni_id': 'eni-emu-1', 'instance_id': 'i-emu-running'},
                        env={'ALIBABA_CLOUD_ACCESS_KEY_ID': 'LTAI5tNOSUCHKEY0000'})
    assert run.result()['error']['code'] == 'InvalidAccessKeyId.NotFound'


def test_missing_credentials_name_the_option_and_variables(ansible, emu):
    run = ansible.adhoc(MODULE, {'eni_id': 'eni-emu-1', 'instance_id': 'i-emu-running'},
                        env_drop=('ALIBABA_CLOUD_ACCESS_KEY_SECRET',))
    result = run.result()
    assert 'access_key_secret is required' in result['msg']
    assert 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' in result['msg']
    assert emu.calls(cloud='ecs') == []


@pytest.mark.parametrize('args, words', [
    ({'eni_id': '   ', 'instance_id': 'i-emu-running'}, 'eni_id must not be empty'),
    ({'eni_id': 'nic-emu-1', 'instance_id': 'i-emu-running'}, "must start with 'eni-'"),
    ({'eni_id': 'eni-emu-1', 'instance_id': 'ins-emu-running'}, "must start with 'i-'"),
    ({'eni_id': 'eni-emu-1', 'instance_id': 'i-emu-running', 'wait_timeout': 0}, 'wait_timeout must be'),
    ({'eni_id': 'eni-emu-1', 'instance_id': 'i-emu-running', 'endpoint': 'not a url'}, 'endpoint'),
    ({'eni_id': 'eni-emu-1', 'instance_id': 'i-emu-running', 'region': 'Hangzhou!'}, 'region'),
    ({'eni_id': 'eni-emu-1'}, 'instance_id'),
])
def test_bad_input_fails_before_any_call(ansible, emu, args, words):
    run = ansible.adhoc(MODULE, args)
    result = run.result()
    assert run.rc != 0 and result['failed'] is True
    assert words in result['msg']
    assert emu.calls(cloud='ecs') == []
