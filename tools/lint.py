#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make lint``: the release linters, offline, every one of them run so one report shows every failure.

1. ``ansible-lint`` on the project (examples/*.yml, galaxy.yml, meta/, changelogs/, any playbook), with .ansible-lint.
2. ``ansible-lint`` on every module's EXAMPLES: each is read from the module source (not imported) and wrapped into a
   playbook of its own under .build/lint/, so the examples users copy are linted as the playbooks they end up in;
   and on every playbook (a ```yaml block whose plays have ``hosts:``) in README.md, the other top-level markdown
   pages and docs/*.md.
3. ``antsibull-docs lint-collection-docs --plugin-docs``: module documentation schema, markup and references.
4. ``antsibull-changelog lint`` (fragments) and ``lint-changelog-yaml`` (changelogs/changelog.yaml).

The tools run with ``HOME`` in .cache/lint-home (git-ignored): ansible-lint creates ~/.ansible and ~/.cache
folders, and nothing of this project's is to be left outside it. The collection is found through
.build/collections (a symlink to the checkout, as for the tests). Exit status: non-zero if any linter failed.

Usage: tools/lint.py [--only NAME ...] with NAME one of: ansible-lint, examples, docs, changelog
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COLLECTIONS_PATH = REPO / '.build' / 'collections'
COLLECTION = COLLECTIONS_PATH / 'ansible_collections' / 'cloudnet' / 'nic'
EXAMPLES_DIR = REPO / '.build' / 'lint'
LINT_HOME = REPO / '.cache' / 'lint-home'
# A ```yaml block of a markdown page, with the <!-- cloudnet.nic: NAME --> marker the tests read some blocks by.
YAML_BLOCK = re.compile(r'(?:<!-- cloudnet\.nic: (?P<name>[^>]+?) -->\s*\n)?^```ya?ml\n(?P<body>.*?)\n```', re.DOTALL | re.MULTILINE)


def log(message):
    print('lint: %s' % message, flush=True)


def environment():
    env = dict(os.environ)
    env.update(
        HOME=str(LINT_HOME),
        PATH=os.pathsep.join([str(BIN), env.get('PATH', '')]),
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_PATH),
        NO_COLOR='1',
    )
    env.pop('XDG_CACHE_HOME', None)
    env.pop('XDG_CONFIG_HOME', None)
    return env


def ensure_collection_link():
    """The collection at .../ansible_collections/cloudnet/nic, as the Makefile's setup makes it."""
    if not COLLECTION.exists():
        COLLECTION.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.path.relpath(REPO, COLLECTION.parent), COLLECTION)


def module_examples(path):
    """The EXAMPLES string of a module, read from its source without importing it."""
    for node in ast.parse(path.read_text(encoding='utf-8')).body:
        if isinstance(node, ast.Assign) and any(getattr(target, 'id', None) == 'EXAMPLES' for target in node.targets):
            return ast.literal_eval(node.value)
    return None


def write_examples_playbooks():
    """One playbook per module under .build/lint/; returns their paths and the modules without EXAMPLES."""
    if EXAMPLES_DIR.exists():
        shutil.rmtree(EXAMPLES_DIR)
    EXAMPLES_DIR.mkdir(parents=True)
    playbooks, missing = [], []
    for module in sorted((REPO / 'plugins' / 'modules').glob('*.py')):
        if module.name == '__init__.py':
            continue
        examples = module_examples(module)
        if not examples or not examples.strip():
            missing.append(module.stem)
            continue
        text = textwrap.dedent(examples).strip('\n') + '\n'
        entries = yaml.safe_load(text)
        if isinstance(entries, list) and entries and all(isinstance(entry, dict) and 'hosts' in entry for entry in entries):
            content = '---\n' + text  # the examples are whole plays already
        else:
            content = (
                '---\n'
                '# EXAMPLES of plugins/modules/%s, wrapped into a play by tools/lint.py\n'
                '- name: EXAMPLES of cloudnet.nic.%s\n'
                '  hosts: localhost\n'
                '  gather_facts: false\n'
                '  tasks:\n' % (module.name, module.stem)
            ) + textwrap.indent(text, '    ', lambda line: line.strip() != '')
        playbook = EXAMPLES_DIR / ('%s.yml' % module.stem)
        playbook.write_text(content, encoding='utf-8')
        playbooks.append(playbook)
    return playbooks, missing


def markdown_pages():
    """The markdown pages people read: README.md and the other top-level pages, and docs/*.md."""
    return sorted(REPO.glob('*.md')) + sorted((REPO / 'docs').glob('*.md'))


def doc_playbooks(text):
    """``(line, name, body)`` of every ```yaml block of a markdown page that is a playbook (a list of plays with hosts)."""
    found = []
    for match in YAML_BLOCK.finditer(text):
        try:
            plays = yaml.safe_load(match.group('body'))
        except yaml.YAMLError:
            plays = None  # not YAML at all: the page's own problem, and ansible-lint's below if it is a playbook
            if not re.search(r'^\s*-?\s*hosts:', match.group('body'), re.MULTILINE):
                continue
        if plays is not None and not (isinstance(plays, list) and plays and all(isinstance(play, dict) and 'hosts' in play for play in plays)):
            continue
        line = text.count('\n', 0, match.start()) + 1
        found.append((line, match.group('name'), match.group('body')))
    return found


def write_doc_playbooks():
    """Every playbook in a ```yaml block of README.md, the other top-level pages and docs/*.md, one file each under
    .build/lint/ (named after the page and the block's marker, or its line), so what readers copy is linted."""
    playbooks = []
    for page in markdown_pages():
        for line, marker, body in doc_playbooks(page.read_text(encoding='utf-8')):
            name = re.sub(r'[^A-Za-z0-9_.-]+', '-', marker) if marker else 'line-%d' % line
            prefix = 'docs-' if page.parent.name == 'docs' else ''
            playbook = EXAMPLES_DIR / ('%s%s-%s' % (prefix, page.stem, name if name.endswith('.yml') else name + '.yml'))
            playbook.write_text(body + '\n', encoding='utf-8')
            playbooks.append(playbook)
    return playbooks


def run(name, argv, cwd=REPO):
    log('%s: %s' % (name, ' '.join(str(arg) for arg in argv)))
    return subprocess.call([str(arg) for arg in argv], cwd=str(cwd), env=environment(), stdin=subprocess.DEVNULL) == 0


def lint_project():
    return run('ansible-lint', [BIN / 'ansible-lint', '--offline'])


def lint_examples():
    playbooks, missing = write_examples_playbooks()
    playbooks += write_doc_playbooks()
    if missing:
        log('examples: modules without EXAMPLES: %s' % ', '.join(missing))
    if not playbooks:
        log('examples: no module EXAMPLES found under plugins/modules')
        return False
    return run('examples', [BIN / 'ansible-lint', '--offline'] + [path.relative_to(REPO) for path in playbooks]) and not missing


def lint_docs():
    return run('docs', [
        BIN / 'antsibull-docs', 'lint-collection-docs', '--plugin-docs',
        '--validate-collection-refs', 'all', '--disallow-unknown-collection-refs', '.',
    ], cwd=COLLECTION)


def lint_changelog():
    fragments = run('changelog', [BIN / 'antsibull-changelog', 'lint'], cwd=COLLECTION)
    changelog = run('changelog', [BIN / 'antsibull-changelog', 'lint-changelog-yaml', 'changelogs/changelog.yaml'], cwd=COLLECTION)
    return fragments and changelog


LINTERS = {
    'ansible-lint': lint_project,
    'examples': lint_examples,
    'docs': lint_docs,
    'changelog': lint_changelog,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--only', action='append', choices=sorted(LINTERS), help='run only this linter (repeatable)')
    args = parser.parse_args()
    LINT_HOME.mkdir(parents=True, exist_ok=True)
    ensure_collection_link()
    failed = [name for name in (args.only or LINTERS) if not LINTERS[name]()]
    if failed:
        log('FAILED: %s' % ', '.join(failed))
        return 1
    log('passed: %s' % ', '.join(args.only or LINTERS))
    return 0


if __name__ == '__main__':
    sys.exit(main())
