# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A table of hostile values for every option of every module, through ``main()``.

For each value: no exception escapes (a result, never a traceback), a failure carries ``msg`` and ``error``, an input
failure names the option and makes no HTTP call, and no secret reaches the output. The HTTP boundary is a
``responses`` mock with no routes: a value the module accepts makes a call that fails to connect, which is fine.
"""

from __future__ import annotations

import pytest
import responses

from ansible_collections.cloudnet.nic.plugins.module_utils import attachment
from ansible_collections.cloudnet.nic.plugins.modules import (
    alicloud_eni_attachment, alicloud_eni_info, zenlayer_vnic_attachment, zenlayer_vnic_info,
)

SECRET = 'hostile-test-secret-0001'
ENDPOINT = 'http://127.0.0.1:9'
BASE = {
    'alicloud_eni_attachment': (alicloud_eni_attachment, dict(eni_id='eni-1', instance_id='i-1', region='cn-hangzhou',
                                                              access_key_id='LTAI5tHOSTILE', access_key_secret=SECRET, endpoint=ENDPOINT)),
    'alicloud_eni_info': (alicloud_eni_info, dict(region='cn-hangzhou', access_key_id='LTAI5tHOSTILE', access_key_secret=SECRET,
                                                  endpoint=ENDPOINT)),
    'zenlayer_vnic_attachment': (zenlayer_vnic_attachment, dict(nic_id='1475945014486896967', instance_id='1478001766933994003',
                                                                access_key_id='ZLHOSTILE', access_key_password=SECRET, endpoint=ENDPOINT)),
    'zenlayer_vnic_info': (zenlayer_vnic_info, dict(access_key_id='ZLHOSTILE', access_key_password=SECRET, endpoint=ENDPOINT)),
}
HOSTILE = [None, '', ' ', '\x00', '\n', 'x' * 5000, '\u2603', '[::1', 'http://[::1', 'http://u:pw-in-url@127.0.0.1:1',
           'https://127.0.0.1:9', '/nonexistent.pem', -1, 0, 1, 2 ** 63, 1.5, True, False, [], {}, ['a'], {'a': 1},
           '../../etc/passwd', '$(id)', 'eni-1', '1475945014486896967', 'i-1']
ENV = ('ALIBABA_CLOUD_', 'ALICLOUD_', 'ZENLAYERCLOUD_')


def _argument_spec(module):
    """The module's argument spec, as its ``main()`` hands it to ``CloudModule``."""
    captured = {}

    class Captured(Exception):
        pass

    def capture(self, argument_spec, failure_keys=None, **kwargs):
        captured.update(argument_spec)
        raise Captured()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(attachment.CloudModule, '__init__', capture)
        with pytest.raises(Captured):
            module.main()
    return captured


def _cases():
    for name, (module, _base) in BASE.items():
        for option in sorted(_argument_spec(module)):
            for index, value in enumerate(HOSTILE):
                yield pytest.param(name, option, value, id='%s-%s-%d' % (name, option, index))


@pytest.fixture(autouse=True)
def no_cloud_environment(monkeypatch, instant_waits):
    import os
    for key in list(os.environ):
        if key.startswith(ENV):
            monkeypatch.delenv(key)
    return instant_waits


@pytest.mark.parametrize('name, option, value', list(_cases()))
def test_a_hostile_value_gets_a_sentence_never_a_traceback(run_module, name, option, value):
    module, base = BASE[name]
    args = dict(base)
    args[option] = value
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        result = run_module(module.main, args)
        calls = len(http.calls)
    output = result['stdout'] + result['stderr']
    assert 'Traceback' not in output and 'exception' not in result and 'module_stderr' not in result, output
    assert SECRET not in output
    if option == 'endpoint':  # a key id is not a secret and is shown; a password in a URL is one, wherever it is written
        assert 'pw-in-url' not in output
    assert result['rc'] in (0, 1)
    if result['rc'] == 0:
        return
    assert result['msg'] and result['error']['code'] and result['error']['kind']
    if result['error']['code'] == 'InvalidInput':
        assert calls == 0, 'an input failure made %d HTTP call(s)' % calls
        spec = _argument_spec(module)[option] if option in _argument_spec(module) else {}
        names = [option] + list(spec.get('aliases', ()))
        assert any(text in result['msg'] for text in names) or 'state is present but' in result['msg'], result['msg']
