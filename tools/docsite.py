#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's docsite: extra docs generated from the markdown pages, and an offline build that fails on warnings.

Usage:
  tools/docsite.py rst [--check]   (re)write docs/docsite/rst/*.rst from docs/*.md (PAGES); --check writes nothing
                                   and exits 1 when a page is out of date (tests/unit/test_docsite_pages.py runs it)
  tools/docsite.py build           antsibull-docs sphinx-init + antsibull-docs collection + sphinx-build into
                                   .build/docsite; exits 1 on any warning that is not an offline intersphinx lookup

The markdown pages in docs/ are the sources people read on GitHub (docs/error-codes.md and docs/reliability.md are
themselves generated, by tools/error_codes_doc.py and tools/reliability_doc.py); the RST pages under
docs/docsite/rst/ are what antsibull-docs renders beside the module pages (docs/docsite/extra-docs.yml), and what
Galaxy and Automation Hub show. Nobody edits the RST: it is converted from the markdown by this tool, which knows the
markdown these pages use (headings, paragraphs, lists, pipe tables, fenced code, inline code, bold, links, comments).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / 'docs'
RST_DIR = DOCS / 'docsite' / 'rst'
BUILD = REPO / '.build' / 'docsite'
COLLECTIONS_PATH = REPO / '.build' / 'collections'
REPOSITORY_BLOB = 'https://github.com/cloudnet/nic/blob/main/'
LABEL_PREFIX = 'ansible_collections.cloudnet.nic.docsite.'
# markdown page (docs/NAME.md) -> docsite page (docs/docsite/rst/NAME.rst, label LABEL_PREFIX + NAME with _ for -)
PAGES = ('user-guide', 'awx', 'error-codes', 'reliability')
# Warnings of an offline build that only come from the intersphinx inventories (docs.ansible.com, python.org) being
# unreachable: the inventories themselves, and references to labels that only those inventories hold (the generated
# module pages link to Ansible's own docs, e.g. common_return_values). A reference to a label of this collection
# (ansible_collections.cloudnet.nic.*) must resolve: it is never excused.
OFFLINE_INTERSPHINX = re.compile(
    r'failed to reach any of the inventories|intersphinx inventory .* not (fetchable|readable)'
    r"|undefined label: '(?!ansible_collections\.cloudnet\.nic\.)[^']+'")

FENCE = re.compile(r'^(?P<indent> *)```(?P<lang>[A-Za-z0-9_+-]*)\s*$')
HEADING = re.compile(r'^(?P<level>#{1,6}) +(?P<text>.+?) *#*$')
LIST_ITEM = re.compile(r'^(?P<indent> *)(?P<marker>[-*+]|\d+\.) +\S')
TABLE_SEPARATOR = re.compile(r'^ *\|? *:?-{3,}:? *(\| *:?-{3,}:? *)*\|? *$')
ADORNMENTS = {1: '=', 2: '=', 3: '-', 4: '^', 5: '"', 6: "'"}
BEFORE_MARKUP = set(' \t\'"([{<-/:')
AFTER_MARKUP = set(' \t\'")]}>-/:.,;!?\\')


def label(name):
    return LABEL_PREFIX + name.replace('-', '_')


def slug(title):
    return re.sub(r'[^a-z0-9]+', '-', re.sub(r'`', '', title).lower()).strip('-')


def escape_text(text):
    """Plain markdown text as RST text: backslashes, stars, pipes and reference-like underscores escaped."""
    text = text.replace('\\', '\\\\').replace('*', '\\*').replace('|', '\\|')
    return re.sub(r'(?<=\w)_(?!\w)', r'\\_', text)


class Inline:
    """Converts one line (or table cell) of markdown inline markup to RST."""

    CODE = re.compile(r'`([^`]+)`')
    LINK = re.compile(r'\[([^\]]+)\]\(([^)\s]+)\)')
    BOLD = re.compile(r'\*\*(.+?)\*\*')

    def __init__(self, page, titles):
        self.page = page
        self.titles = titles  # slug -> title of this page's headings

    def link(self, text, url):
        plain = text.replace('`', '')
        if url.startswith('#'):
            title = self.titles.get(url[1:])
            if title is None:
                raise SystemExit('docsite: %s.md links to #%s, which is no heading of it' % (self.page, url[1:]))
            return '`%s <%s_>`_' % (plain, title) if plain != title else '`%s`_' % title
        if re.match(r'^[a-z]+://', url):
            return '`%s <%s>`__' % (plain, url)
        target, _hash, _anchor = url.partition('#')
        name = target[:-3] if target.endswith('.md') and '/' not in target else None
        if name in PAGES:
            return ':ref:`%s <%s>`' % (plain, label(name)) if not plain.endswith('.md') else ':ref:`%s`' % label(name)
        path = os.path.normpath(os.path.join('docs', target)).replace(os.sep, '/')
        return '`%s <%s%s>`__' % (plain, REPOSITORY_BLOB, path)

    def tokens(self, text):
        """(kind, rst) pieces: kind 'text' for plain text, 'markup' for inline markup that needs word boundaries."""
        pieces = []
        position = 0
        pattern = re.compile('%s|%s|%s' % (self.LINK.pattern, self.CODE.pattern, self.BOLD.pattern))
        for match in pattern.finditer(text):
            if match.start() > position:
                pieces.append(('text', escape_text(text[position:match.start()])))
            if match.group(1) is not None:
                pieces.append(('markup', self.link(match.group(1), match.group(2))))
            elif match.group(3) is not None:
                pieces.append(('markup', '``%s``' % match.group(3)))
            else:
                pieces.append(('markup', '**%s**' % escape_text(match.group(4)).replace('\\*', '*')))
            position = match.end()
        if position < len(text):
            pieces.append(('text', escape_text(text[position:])))
        return pieces

    def __call__(self, text):
        out = ''
        pieces = self.tokens(text)
        for index, (kind, rst) in enumerate(pieces):
            if kind == 'markup':
                if out and out[-1] not in BEFORE_MARKUP:
                    out += '\\ '
                out += rst
                following = pieces[index + 1][1] if index + 1 < len(pieces) else ''
                if following and following[0] not in AFTER_MARKUP:
                    out += '\\ '
            else:
                out += rst
        return out


def split_cells(line):
    """The cells of a pipe-table row; pipes inside inline code do not split."""
    cells, current, in_code = [], '', False
    body = line.strip()
    body = body[1:] if body.startswith('|') else body
    body = body[:-1] if body.endswith('|') and not body.endswith('\\|') else body
    for char in body:
        if char == '`':
            in_code = not in_code
        if char == '|' and not in_code:
            cells.append(current.strip())
            current = ''
        else:
            current += char
    cells.append(current.strip())
    return cells


def list_table(rows, indent, inline):
    pad = ' ' * indent
    out = ['', pad + '.. list-table::', pad + '   :header-rows: 1', '']
    for row in rows:
        for number, cell in enumerate(row):
            text = inline(cell)
            if re.match(r'^([-*+]|\d+\.)(\s|$)', text):
                text = '\\' + text
            out.append(pad + ('   * - ' if number == 0 else '     - ') + text if text else pad + ('   * -' if number == 0 else '     -'))
    out.append('')
    return out


def convert(name, markdown):
    """RST for docs/NAME.md."""
    lines = markdown.splitlines()
    titles = {}
    for line in lines:
        match = HEADING.match(line)
        if match:
            titles[slug(match.group('text'))] = match.group('text').replace('`', '')
    inline = Inline(name, titles)
    out = [
        '..',
        '  Generated by tools/docsite.py from docs/%s.md: edit that page, then run `make docs`.' % name,
        '',
        '.. _%s:' % label(name),
        '',
    ]
    index = 0
    seen_title = False
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith('<!--'):
            while '-->' not in lines[index]:
                index += 1
            index += 1
            continue
        fence = FENCE.match(line)
        if fence:
            indent = len(fence.group('indent'))
            pad = ' ' * indent
            body = []
            index += 1
            while not re.match(r'^ *```\s*$', lines[index]):
                body.append(lines[index][indent:] if lines[index][:indent].strip() == '' else lines[index].lstrip())
                index += 1
            index += 1
            language = {'sh': 'shell', '': 'text'}.get(fence.group('lang'), fence.group('lang'))
            out += ['', pad + '.. code-block:: ' + language, '']
            out += [(pad + '    ' + text) if text.strip() else '' for text in body]
            out.append('')
            continue
        heading = HEADING.match(line)
        if heading:
            level = len(heading.group('level'))
            text = inline(heading.group('text'))
            rule = ADORNMENTS[level] * max(len(text), 3)
            if level == 1:
                if seen_title:
                    raise SystemExit('docsite: docs/%s.md has more than one level-1 heading' % name)
                seen_title = True
                out += [rule, text, rule, '']
            else:
                out += ['', text, rule, '']
            index += 1
            continue
        if stripped.startswith('|') and index + 1 < len(lines) and TABLE_SEPARATOR.match(lines[index + 1]):
            indent = len(line) - len(line.lstrip())
            rows = [split_cells(line)]
            index += 2
            while index < len(lines) and lines[index].strip().startswith('|'):
                rows.append(split_cells(lines[index]))
                index += 1
            widths = set(len(row) for row in rows)
            if len(widths) != 1:
                raise SystemExit('docsite: docs/%s.md has a table whose rows differ in length (line %d)' % (name, index))
            out += list_table(rows, indent, inline)
            continue
        if not stripped:
            out.append('')
            index += 1
            continue
        if LIST_ITEM.match(line) and out and out[-1].strip() and not LIST_ITEM.match(lines[index - 1]) \
                and not lines[index - 1].startswith(' '):
            out.append('')  # RST needs a blank line between a paragraph and a list
        indent = len(line) - len(line.lstrip())
        while stripped.count('`') % 2 and index + 1 < len(lines) and lines[index + 1].strip():
            index += 1  # inline code that goes on to the next line: one line for RST, which ends inline markup at a line's end
            stripped += ' ' + lines[index].strip()
        out.append(' ' * indent + inline(stripped))
        index += 1
    text = '\n'.join(out)
    text = re.sub(r'\n{3,}', '\n\n', text).strip('\n') + '\n'
    return text


def rst(check):
    RST_DIR.mkdir(parents=True, exist_ok=True)
    stale = []
    wanted = set()
    for name in PAGES:
        target = RST_DIR / ('%s.rst' % name)
        wanted.add(target.name)
        text = convert(name, (DOCS / ('%s.md' % name)).read_text(encoding='utf-8'))
        current = target.read_text(encoding='utf-8') if target.exists() else None
        if current != text:
            stale.append(target.relative_to(REPO).as_posix())
            if not check:
                target.write_text(text, encoding='utf-8')
    extra = sorted(path.relative_to(REPO).as_posix() for path in RST_DIR.glob('*.rst') if path.name not in wanted)
    if check:
        if stale or extra:
            print('docsite: out of date (run `make docs`): %s' % ', '.join(stale + ['%s (no docs/*.md)' % path for path in extra]),
                  file=sys.stderr)
            return 1
        return 0
    for path in extra:
        (REPO / path).unlink()
    print('docsite: %s' % (('wrote ' + ', '.join(stale)) if stale else 'pages are current'))
    return 0


def run(argv, cwd, env, log_path=None):
    print('docsite: %s' % ' '.join(str(arg) for arg in argv), flush=True)
    if log_path is None:
        return subprocess.call([str(arg) for arg in argv], cwd=str(cwd), env=env, stdin=subprocess.DEVNULL)
    with open(log_path, 'w', encoding='utf-8') as output:
        rc = subprocess.call([str(arg) for arg in argv], cwd=str(cwd), env=env, stdin=subprocess.DEVNULL, stdout=output,
                             stderr=subprocess.STDOUT)
    sys.stdout.write(Path(log_path).read_text(encoding='utf-8', errors='replace'))
    return rc


def build():
    """Build the docsite offline; returns the exit status."""
    if rst(check=True) != 0:
        return 1
    binaries = Path(sys.executable).parent
    collection_link = COLLECTIONS_PATH / 'ansible_collections' / 'cloudnet' / 'nic'
    if not os.path.lexists(collection_link):
        collection_link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.path.relpath(REPO, collection_link.parent), collection_link)
    if BUILD.exists():
        shutil.rmtree(BUILD)
    BUILD.mkdir(parents=True)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_PATH), PATH=os.pathsep.join([str(binaries), os.environ.get('PATH', '')]),
               HOME=str(REPO / '.cache' / 'docsite-home'))
    (REPO / '.cache' / 'docsite-home').mkdir(parents=True, exist_ok=True)
    antsibull_docs = binaries / 'antsibull-docs'
    if run([antsibull_docs, 'sphinx-init', '--use-current', '--fail-on-error', '--lenient', '--dest-dir', BUILD, 'cloudnet.nic'], REPO, env):
        return 1
    source = BUILD / 'rst'
    if run([antsibull_docs, 'collection', '--use-current', '--fail-on-error', '--dest-dir', source, 'cloudnet.nic'], REPO, env):
        return 1
    warnings_file = BUILD / 'warnings.txt'
    rc = run([binaries / 'sphinx-build', '-M', 'html', source, BUILD / 'build', '-c', BUILD, '-q', '-w', warnings_file], BUILD, env)
    warnings = [line for line in warnings_file.read_text(encoding='utf-8').splitlines() if line.strip()] if warnings_file.exists() else []
    offline = [line for line in warnings if OFFLINE_INTERSPHINX.search(line)]
    other = [line for line in warnings if line not in offline]
    pages = sorted(path.relative_to(BUILD / 'build' / 'html').as_posix() for path in (BUILD / 'build' / 'html').rglob('*.html')) \
        if (BUILD / 'build' / 'html').exists() else []
    expected = ['collections/cloudnet/nic/docsite/%s.html' % name for name in PAGES]
    expected += ['collections/cloudnet/nic/%s_module.html' % path.stem for path in sorted((REPO / 'plugins' / 'modules').glob('*.py'))
                 if path.name != '__init__.py']
    missing = [page for page in expected if page not in pages]
    print('docsite: %d pages in %s; %d offline intersphinx warning(s) ignored' % (len(pages), BUILD / 'build' / 'html', len(offline)))
    for line in other:
        print('docsite: WARNING: %s' % line, file=sys.stderr)
    for page in missing:
        print('docsite: missing page: %s' % page, file=sys.stderr)
    if rc != 0 or other or missing:
        print('docsite: FAILED (sphinx-build exit status %d, %d warning(s), %d missing page(s))' % (rc, len(other), len(missing)), file=sys.stderr)
        return 1
    print('docsite: passed')
    return 0


def main(argv):
    if argv[:1] == ['rst'] and argv[1:] in ([], ['--check']):
        return rst(check=argv[1:] == ['--check'])
    if argv == ['build']:
        return build()
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
