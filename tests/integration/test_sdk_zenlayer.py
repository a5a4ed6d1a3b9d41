# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Proof of fidelity: the official Zenlayer Cloud SDK drives a whole attach/detach against the emulator."""

from __future__ import annotations

import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'emulator'))

from control import Emulator  # noqa: E402  pylint: disable=wrong-import-position

credential = pytest.importorskip('zenlayercloud.common.credential')
config_module = pytest.importorskip('zenlayercloud.common.config')
errors = pytest.importorskip('zenlayercloud.common.excpetion.zenlayer_cloud_sdk_exception')
zec_client = pytest.importorskip('zenlayercloud.zec.v20250901.zec_client')
zec_models = pytest.importorskip('zenlayercloud.zec.v20250901.models')

KEY_ID, PASSWORD = 'ZLEMULATORKEY0001', 'emulator-password-0001'


@pytest.fixture(scope='module')
def sdk_emulator():
    with Emulator.start(attach_delay=0.2, detach_delay=0.2) as emu:
        yield emu


@pytest.fixture
def emu(sdk_emulator):
    sdk_emulator.reset()
    return sdk_emulator


def client(emu, password=PASSWORD, **options):
    config = config_module.Config(scheme='http', domain=emu.url.split('://', 1)[1], request_timeout=10, **options)
    return zec_client.ZecClient(credential.Credential(KEY_ID, password), config)


def request(model, **fields):
    instance = getattr(zec_models, model)()
    for name, value in fields.items():
        setattr(instance, name, value)
    return instance


def nic_state(sdk, nic_id):
    response = sdk.DescribeNetworkInterfaces(request('DescribeNetworkInterfacesRequest', nicIds=[nic_id]))
    assert response.totalCount == 1
    nic = response.dataSet[0]
    return nic.status, nic.instanceId


def wait_status(sdk, nic_id, wanted, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        state = nic_state(sdk, nic_id)
        if state[0] == wanted or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


def test_attach_describe_detach(emu):
    sdk = client(emu)
    response = sdk.AttachNetworkInterface(request('AttachNetworkInterfaceRequest', nicId='nic-emu-1', instanceId='ins-emu-running'))
    assert response.requestId.startswith('T')
    assert wait_status(sdk, 'nic-emu-1', 'USED') == ('USED', 'ins-emu-running')
    sdk.DetachNetworkInterface(request('DetachNetworkInterfaceRequest', nicId='nic-emu-1'))
    assert wait_status(sdk, 'nic-emu-1', 'AVAILABLE') == ('AVAILABLE', None)
    calls = emu.calls(cloud='zec')
    assert [call['action'] for call in calls if call['action'] != 'DescribeNetworkInterfaces'] == [
        'AttachNetworkInterface', 'DetachNetworkInterface']
    assert all(call['outcome'] == 'ok' and call['auth'] == 'zc2' for call in calls)


def test_sdk_sees_the_cloud_error(emu):
    with pytest.raises(errors.ZenlayerCloudSdkException) as caught:
        client(emu).AttachNetworkInterface(request('AttachNetworkInterfaceRequest', nicId='nic-emu-1', instanceId='ins-emu-otherregion'))
    assert caught.value.code == 'INVALID_NIC_INSTANCE_REGION_MISMATCH'
    with pytest.raises(errors.ZenlayerCloudSdkException) as caught:
        nic_state(client(emu, password='wrong'), 'nic-emu-1')
    assert caught.value.code == 'AUTHFAILURE_SIGNATURE_FAILURE'


def test_sdk_retries_its_rate_limit_and_reads_challenge_and_blocked(emu):
    emu.fault('zec', 'DescribeNetworkInterfaces', 'throttle', count=2)
    sdk = client(emu, rate_limit_retry_duration=lambda _index: 0)
    assert nic_state(sdk, 'nic-emu-1') == ('AVAILABLE', None)
    assert [call['outcome'] for call in emu.calls(cloud='zec')] == ['REQUEST_LIMIT_EXCEEDED'] * 2 + ['ok']
    emu.fault('zec', '*', 'challenge')
    emu.fault('zec', '*', 'blocked')
    codes = []
    for _attempt in range(2):
        with pytest.raises(errors.ZenlayerCloudSdkException) as caught:
            nic_state(sdk, 'nic-emu-1')
        codes.append(caught.value.code)
    assert codes == ['SECURITY_CHALLENGE', 'REQUEST_BLOCKED']
