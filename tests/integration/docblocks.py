# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The YAML blocks of a document that tests run, so that what a reader pastes is what the tests ran.

A block is marked in the Markdown source by an HTML comment just above its fence (invisible when rendered)::

    <!-- cloudnet.nic: alicloud injectors -->
    ```yaml
    env: ...
    ```
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r'<!-- cloudnet\.nic: (?P<name>[^>]+?) -->\s*\n```ya?ml\n(?P<body>.*?)\n```', re.DOTALL)


def texts(document):
    """``{name: YAML text}`` of the marked blocks of ``document`` (a path relative to the repository)."""
    found = {}
    for match in BLOCK.finditer((REPO / document).read_text(encoding='utf-8')):
        name = match.group('name').strip()
        assert name not in found, '%s marks two blocks %r' % (document, name)
        found[name] = match.group('body') + '\n'
    return found


def load(document, name):
    """The parsed YAML of the block ``name`` of ``document``."""
    blocks = texts(document)
    assert name in blocks, '%s has no block marked <!-- cloudnet.nic: %s --> (it has: %s)' % (document, name, ', '.join(sorted(blocks)))
    return yaml.safe_load(blocks[name])
