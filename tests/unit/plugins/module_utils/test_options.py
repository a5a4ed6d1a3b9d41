# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks shared by every module: each returns one sentence naming the option, or None."""

from __future__ import annotations

import pytest

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.cloudnet.nic.plugins.module_utils import client, options


@pytest.mark.parametrize('value', [None, 'eni-bp17pdijfczax1huji4b', 'eni-1', 'eni-a_b.c'])
def test_good_ids(value):
    assert options.bad_id('eni_id', value, 'eni-', 'eni-bp1') is None


def test_any_id_is_good_without_a_prefix():
    assert options.bad_id('nic_id', '1475945014486896967') is None


@pytest.mark.parametrize('value', ['', ' ', '\t\n'])
def test_blank_id(value):
    assert options.bad_id('eni_id', value, 'eni-', 'eni-bp1') == 'eni_id must not be empty or blank.'


@pytest.mark.parametrize('value', [' eni-1', 'eni-1 ', 'eni 1', 'eni-1,eni-2', '-eni', 'eni-1/x', "eni-'1'"])
def test_id_with_characters_an_id_cannot_have(value):
    assert options.bad_id('eni_id', value, 'eni-', 'eni-bp1') == (
        'eni_id %r contains characters an id cannot have; give the id alone, for example eni-bp1.' % value)


@pytest.mark.parametrize('value', ['nic-123', 'i-123', 'ENI-123', 'eni'])
def test_id_of_another_kind(value):
    problem = options.bad_id('eni_id', value, 'eni-', 'eni-bp1')
    assert problem == "eni_id %r does not look like an id of this cloud: it must start with 'eni-', for example eni-bp1." % value


@pytest.mark.parametrize('value, problem', [
    (None, None), (1, None), (0.5, None), (86400, None),
    (0, 'wait_timeout must be a number of seconds greater than 0 and at most 86400, not 0.'),
    (-1, 'wait_timeout must be a number of seconds greater than 0 and at most 86400, not -1.'),
    (86401, 'wait_timeout must be a number of seconds greater than 0 and at most 86400, not 86401.'),
    (2 ** 63, 'wait_timeout must be a number of seconds greater than 0 and at most 86400, not %d.' % 2 ** 63),
])
def test_bad_positive(value, problem):
    assert options.bad_positive('wait_timeout', value, 86400) == problem


@pytest.mark.parametrize('value, problem', [
    (None, None), (0, None), (3, None), (-1, 'network_card_index must be 0 or greater, not -1.'),
])
def test_bad_minimum(value, problem):
    assert options.bad_minimum('network_card_index', value, 0) == problem


@pytest.mark.parametrize('value', [None, '', 'https://ecs.cn-hangzhou.aliyuncs.com', 'http://127.0.0.1:8080',
                                   'https://h.test/api/v2/zec', 'HTTPS://H.TEST'])
def test_good_urls(value):
    assert options.bad_url('endpoint', value) is None


@pytest.mark.parametrize('value', ['ecs.cn-hangzhou.aliyuncs.com', 'ftp://h.test', 'https://', 'http:/h.test', '127.0.0.1:8080',
                                   'http://h.test:port', 'http://h.test:99999', 'http://h .test', 'http://h.test\n', 'http://\u2603.test'])
def test_bad_urls(value):
    assert options.bad_url('endpoint', value) == (
        'endpoint %r is not a URL: give a base URL such as https://host or http://127.0.0.1:8080.' % value)


def test_a_url_that_does_not_parse_is_not_shown():  # it could hold a password nobody can locate
    assert options.bad_url('endpoint', 'http://u:pw@[::1') == (
        "endpoint '<an endpoint that is not a URL>' is not a URL: give a base URL such as https://host or http://127.0.0.1:8080.")


@pytest.mark.parametrize('value, shown', [
    ('https://user:s3cret-pw@h.test', 'https://user:********@h.test'),
    ('https://user@h.test', 'https://user@h.test'),
])
def test_urls_with_credentials_are_refused_without_showing_the_password(value, shown):
    problem = options.bad_url('endpoint', value)
    assert problem.startswith('endpoint %r must not carry a user name or password' % shown)
    assert 's3cret-pw' not in problem


def test_url_without_secret_of_a_url_that_does_not_parse():
    assert options.url_without_secret('http://[::1') == '<an endpoint that is not a URL>'


@pytest.mark.parametrize('value', ['LTAI5tABC', 'STS.NU8+/=x'])
def test_header_safe_values(value):
    assert options.bad_header_value('access_key_id', value) is None


@pytest.mark.parametrize('value', ['with space', 'line\nbreak', '\u2603', 'tab\t'])
def test_values_that_cannot_travel_in_a_header_are_refused_without_being_shown(value):
    problem = options.bad_header_value('security_token', value)
    assert problem.startswith('security_token must be printable ASCII') and value not in problem


def test_ca_path_must_exist(tmp_path):
    bundle = tmp_path / 'ca.pem'
    bundle.write_text('x')
    assert options.bad_ca_path(str(bundle)) is None and options.bad_ca_path(str(tmp_path)) is None
    assert options.bad_ca_path(str(tmp_path / 'missing.pem')).startswith("ca_path '%s' is not a file or directory" % (tmp_path / 'missing.pem'))


@pytest.mark.parametrize('value', [None, ''])
def test_missing(value):
    assert options.missing({'region': value}, 'region', ['A_REGION', 'B_REGION']) == (
        'region is required: set the region option or one of the environment variables A_REGION, B_REGION.')


def test_missing_absent_key_and_present_value():
    assert options.missing({}, 'region', ['A']) is not None
    assert options.missing({'region': 'cn-hangzhou'}, 'region', ['A']) is None


def test_from_env_adds_the_fallback():
    assert options.from_env(['A', 'B'], type='str', no_log=True) == {'type': 'str', 'no_log': True,
                                                                     'fallback': (env_fallback, ['A', 'B'])}


def test_argument_specs():
    assert options.transport_argument_spec() == {'validate_certs': {'type': 'bool', 'default': True},
                                                 'ca_path': {'type': 'path'}, 'timeout': {'type': 'int', 'default': 30}}
    spec = options.attachment_argument_spec()
    assert spec['state'] == {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}
    assert (spec['force']['default'], spec['wait']['default'], spec['wait_timeout']['default']) == (False, True, 300)


def test_common_problems_collects_every_problem_in_order():
    assert options.common_problems({'timeout': 0, 'wait_timeout': -1, 'endpoint': 'x', 'ca_path': '/nonexistent.pem'}) == [
        'timeout must be a number of seconds greater than 0 and at most 3600, not 0.',
        'wait_timeout must be a number of seconds greater than 0 and at most 86400, not -1.',
        "endpoint 'x' is not a URL: give a base URL such as https://host or http://127.0.0.1:8080.",
        "ca_path '/nonexistent.pem' is not a file or directory on the host running the module: give the PEM file (or c_rehash "
        "directory) of the CA that signed the endpoint certificate.",
    ]
    assert options.common_problems({'timeout': 30}) == []


class Stop(Exception):
    pass


class FakeModule:
    def __init__(self, validate_certs=True, endpoint=None):
        self.params = {'validate_certs': validate_certs, 'endpoint': endpoint}
        self.no_log_values = set()
        self.warnings = []
        self.failed = None

    def fail_json(self, **result):
        self.failed = result
        raise Stop()

    def warn(self, text):
        self.warnings.append(text)


def test_refuse_bad_input_joins_the_problems_into_one_message():
    module = FakeModule()
    with pytest.raises(Stop):
        options.refuse_bad_input(module, [None, 'a is bad.', None, 'b is bad.'], 'ECS')
    assert module.failed == {'msg': 'a is bad. b is bad.'}


def test_a_password_in_the_endpoint_becomes_a_no_log_value():
    module = FakeModule(endpoint='https://user:s3cret@h.test')
    with pytest.raises(Stop):
        options.refuse_bad_input(module, [options.bad_url('endpoint', module.params['endpoint'])], 'ECS')
    assert module.no_log_values == {'s3cret'}


def test_refuse_bad_input_passes_good_input_silently():
    module = FakeModule()
    options.refuse_bad_input(module, [None, None], 'ECS')
    assert (module.failed, module.warnings) == (None, [])


def test_refuse_bad_input_warns_when_certificates_are_not_checked():
    module = FakeModule(validate_certs=False)
    options.refuse_bad_input(module, [], 'ZEC')
    assert module.warnings == ['validate_certs is false: the TLS certificate of the ZEC endpoint is not verified.']


def test_refuse_bad_input_reports_a_missing_requests_first(monkeypatch):
    monkeypatch.setattr(client, 'requests', None)
    module = FakeModule()
    with pytest.raises(Stop):
        options.refuse_bad_input(module, ['a is bad.'], 'ECS')
    assert module.failed == {'msg': missing_required_lib('requests')}
