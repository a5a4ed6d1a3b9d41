# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generated documentation matches the code it is generated from."""

from __future__ import annotations

import io
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


def test_docsite_pages_are_generated_from_the_markdown_pages():
    import docsite  # pylint: disable=import-outside-toplevel,import-error
    for name in docsite.PAGES:
        markdown = (REPO / 'docs' / ('%s.md' % name)).read_text(encoding='utf-8')
        rst = (REPO / 'docs' / 'docsite' / 'rst' / ('%s.rst' % name)).read_text(encoding='utf-8')
        assert rst == docsite.convert(name, markdown), 'docs/docsite/rst/%s.rst is out of date: run make docs' % name


def test_docsite_toc_names_every_page_once():
    import yaml  # pylint: disable=import-outside-toplevel
    import docsite  # pylint: disable=import-outside-toplevel,import-error
    extra = yaml.safe_load((REPO / 'docs' / 'docsite' / 'extra-docs.yml').read_text(encoding='utf-8'))
    listed = [page for section in extra['sections'] for page in section['toctree']]
    assert sorted(listed) == sorted(docsite.PAGES)
    assert sorted(path.stem for path in (REPO / 'docs' / 'docsite' / 'rst').glob('*.rst')) == sorted(docsite.PAGES)


def test_docsite_conversion_keeps_markup_and_escapes_rst_syntax():
    docutils_core = pytest.importorskip('docutils.core')
    import docsite  # pylint: disable=import-outside-toplevel,import-error
    markdown = '\n'.join([
        '# Title with `code`', '', 'Text with `a`/`b`, **bold**, KEY_* and a|b; see [the AWX page](awx.md),',
        '[Known bugs](#known-bugs) and [the README](../README.md).', '', '1. first', '2. second:', '',
        '   | x | y |', '   |---|---|', '   | - | `p|q` |', '', '```yaml', '- name: x', '```', '', '## Known bugs', '', 'None.',
    ])
    rst = docsite.convert('user-guide', markdown)
    assert '.. _ansible_collections.cloudnet.nic.docsite.user_guide:' in rst
    assert '``a``/``b``' in rst and '**bold**' in rst and 'KEY\\_\\*' in rst and 'a\\|b' in rst
    assert ':ref:`the AWX page <ansible_collections.cloudnet.nic.docsite.awx>`' in rst
    assert '`Known bugs`_' in rst and '<https://github.com/cloudnet/nic/blob/main/README.md>`__' in rst
    assert '* - \\-' in rst and '``p|q``' in rst and '.. code-block:: yaml' in rst
    # docutils alone (no Sphinx: :ref: and code-block are Sphinx's) must find nothing else to complain about.
    rst = rst.replace(':ref:', ':literal:').replace('.. code-block:: yaml', '.. code:: yaml')
    warnings = io.StringIO()
    docutils_core.publish_doctree(rst, settings_overrides={'report_level': 2, 'halt_level': 5, 'warning_stream': warnings})
    assert warnings.getvalue() == ''


def test_readme_links_are_absolute():
    """Galaxy and Automation Hub render README.md away from the repository, where relative links break."""
    import re  # pylint: disable=import-outside-toplevel
    readme = (REPO / 'README.md').read_text(encoding='utf-8')
    links = re.findall(r'\]\(([^)\s]+)\)', readme)
    assert links
    assert [link for link in links if not link.startswith(('https://', '#'))] == []
    anchors = set(re.sub(r'[^a-z0-9 -]', '', title.lower()).replace(' ', '-') for title in re.findall(r'^#+ (.+)$', readme, re.MULTILINE))
    assert [link for link in links if link.startswith('#') and link[1:] not in anchors] == []
