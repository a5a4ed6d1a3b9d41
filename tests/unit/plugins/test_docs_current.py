# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generated documentation matches the code it is generated from."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
if not (REPO / 'tools' / 'error_codes_doc.py').exists():
    pytest.skip('tools/ (a development folder) is not shipped in the release tarball', allow_module_level=True)
sys.path.insert(0, str(REPO / 'tools'))

import error_codes_doc  # noqa: E402  pylint: disable=wrong-import-position,import-error


def test_error_codes_page_is_generated_from_the_error_tables():
    assert error_codes_doc.PAGE.read_text() == error_codes_doc.render(), 'run: .venv/bin/python tools/error_codes_doc.py'


def test_error_codes_page_lists_every_code_of_both_clouds():
    from ansible_collections.cloudnet.nic.plugins.module_utils import alicloud, zenlayer
    page = error_codes_doc.PAGE.read_text()
    for code in list(alicloud.ERRORS.entries) + list(zenlayer.ERRORS.entries):
        assert '| `%s` |' % code in page
