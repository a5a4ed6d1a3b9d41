# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Proof of fidelity: the official Alibaba Cloud ECS SDK drives a whole attach/detach against the emulator.

Runs with the SDK's default V3 (ACS3-HMAC-SHA256) signing, with ``signature_algorithm='v2'`` (which is the
V1 HMAC-SHA1 RPC signature), and with STS credentials.
"""

from __future__ import annotations

import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'emulator'))

from control import Emulator  # noqa: E402  pylint: disable=wrong-import-position

ecs_client = pytest.importorskip('alibabacloud_ecs20140526.client')
ecs_models = pytest.importorskip('alibabacloud_ecs20140526.models')
openapi_models = pytest.importorskip('alibabacloud_tea_openapi.models')

REGION = 'cn-hangzhou'
KEY = {'access_key_id': 'LTAI5tEMULATOR0001', 'access_key_secret': 'emulator-secret-0001'}
STS = {'access_key_id': 'STS.EMULATOR0001', 'access_key_secret': 'emulator-sts-secret-0001', 'security_token': 'emulator-sts-token-0001'}


@pytest.fixture(scope='module')
def sdk_emulator():
    with Emulator.start(attach_delay=0.2, detach_delay=0.2) as emu:
        yield emu


@pytest.fixture
def emu(sdk_emulator):
    sdk_emulator.reset()
    return sdk_emulator


def client(emu, credentials=None, **options):
    config = openapi_models.Config(endpoint=emu.url.split('://', 1)[1], protocol='http', region_id=REGION, **dict(credentials or KEY, **options))
    return ecs_client.Client(config)


def eni_status(sdk, eni_id):
    response = sdk.describe_network_interfaces(ecs_models.DescribeNetworkInterfacesRequest(region_id=REGION, network_interface_id=[eni_id]))
    item = response.body.network_interface_sets.network_interface_set[0]
    return item.status, item.instance_id, item.attachment


def wait_status(sdk, eni_id, wanted, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        status = eni_status(sdk, eni_id)
        if status[0] == wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


@pytest.mark.parametrize('options, credentials, scheme', [
    ({}, KEY, 'v3'),
    ({'signature_algorithm': 'v2'}, KEY, 'v1'),
    ({}, STS, 'v3'),
    ({'signature_algorithm': 'v2'}, STS, 'v1'),
], ids=['v3', 'v1', 'v3-sts', 'v1-sts'])
def test_attach_describe_detach(emu, options, credentials, scheme):
    sdk = client(emu, credentials, **options)
    response = sdk.attach_network_interface(ecs_models.AttachNetworkInterfaceRequest(
        region_id=REGION, network_interface_id='eni-emu-1', instance_id='i-emu-running', network_card_index=0))
    assert response.status_code == 200 and response.body.request_id
    status, instance_id, attachment = wait_status(sdk, 'eni-emu-1', 'InUse')
    assert (status, instance_id, attachment.network_card_index) == ('InUse', 'i-emu-running', 0)
    sdk.detach_network_interface(ecs_models.DetachNetworkInterfaceRequest(
        region_id=REGION, network_interface_id='eni-emu-1', instance_id='i-emu-running'))
    assert wait_status(sdk, 'eni-emu-1', 'Available')[:2] == ('Available', '')
    calls = emu.calls(cloud='ecs')
    assert {call['auth'] for call in calls} == {scheme}
    assert [call['action'] for call in calls if call['action'] != 'DescribeNetworkInterfaces'] == [
        'AttachNetworkInterface', 'DetachNetworkInterface']
    assert all(call['outcome'] == 'ok' for call in calls)


def test_sdk_sees_the_cloud_error(emu):
    sdk = client(emu)
    with pytest.raises(Exception) as caught:
        sdk.attach_network_interface(ecs_models.AttachNetworkInterfaceRequest(
            region_id=REGION, network_interface_id='eni-emu-1', instance_id='i-emu-otherzone'))
    assert caught.value.code == 'InvalidOperation.AvailabilityZoneMismatch'
    assert caught.value.status_code == 403


def test_sdk_wrong_secret_is_a_signature_mismatch(emu):
    sdk = client(emu, dict(KEY, access_key_secret='not-the-secret'))
    with pytest.raises(Exception) as caught:
        eni_status(sdk, 'eni-emu-1')
    assert caught.value.code == 'SignatureDoesNotMatch'


def test_sdk_reads_throttling_and_its_retry_after(emu):
    emu.fault('ecs', 'DescribeNetworkInterfaces', 'throttle', retry_after=5)
    with pytest.raises(Exception) as caught:
        eni_status(client(emu), 'eni-emu-1')
    assert (type(caught.value).__name__, caught.value.code, caught.value.retry_after) == ('ThrottlingException', 'Throttling', 5)
