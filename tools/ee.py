#!/usr/bin/env python
"""``make ee`` and ``make test-ee``: build the collection's execution environment (EE) image, and run AWX's job in it.

    tools/ee.py build [--base-image NAME] [--tag NAME]     the image, with ansible-builder
    tools/ee.py test [--tag NAME] [PYTEST_ARGS ...]        tests/ee (ansible-runner --process-isolation) in the image

The EE definition is the one docs/awx.md shows users (the block marked ``<!-- cloudnet.nic: execution-environment.yml
-->``), with only the base image replaced by ``--base-image``. The default base, ``LOCAL_BASE``, is made here from
Debian packages with debootstrap, for machines that reach no container registry; only for it, ``DEBIAN_OPTIONS`` are
added (apt-get, and Debian's own pip). ``tests/integration/test_execution_environment.py`` checks that this is all that
differs. The collection goes in from the tarball ``make build`` made (.build/dist).

Everything reusable is cached in .cache/ee (git-ignored): the base image's root file system as a tarball, and the
wheels of every Python package the image gets (downloaded on the host with the pins of tests/constraints.txt, so the
build itself needs no network). Work files go to .build/ee. The host packages it needs (podman, runc, debootstrap) are
installed with apt-get when missing. Podman keeps its images in its default (root) storage.

podman runs with the ``containers.conf`` that ``containers_conf()`` writes (through ``CONTAINERS_CONF``; nothing in
/etc is changed): runc, cgroupfs, a file events log, and default ulimits within this host's hard limits.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CACHE = REPO / '.cache' / 'ee'
WORK = REPO / '.build' / 'ee'
DIST = REPO / '.build' / 'dist'
DOC = REPO / 'docs' / 'awx.md'
DOC_BLOCK = re.compile(r'<!-- cloudnet\.nic: execution-environment\.yml -->\s*\n```ya?ml\n(?P<body>.*?)\n```', re.DOTALL)
CONSTRAINTS = REPO / 'tests' / 'constraints.txt'

DEFAULT_TAG = 'localhost/cloudnet-nic-ee:latest'
# The base image made from Debian packages; only this one gets DEBIAN_OPTIONS.
LOCAL_BASE = 'localhost/cloudnet-nic-ee-base:bookworm'
DEBIAN_SUITE = 'bookworm'
DEBIAN_PYTHON = '3.11'  # bookworm's python3
DEBIAN_GLIBC_MINOR = 36  # bookworm's glibc: 2.36
DEBIAN_PACKAGES = ('python3', 'python3-pip')
DEBIAN_OPTIONS = {
    'package_manager_path': '/usr/bin/apt-get',
    # Debian's python3 has no ensurepip; python3-pip is in the base image.
    'skip_pip_install': True,
}
BASE_LABEL = 'org.cloudnet.nic.ee-base'
# Python packages ansible-builder installs besides the definition's: the builder stage's tools and the default
# container_init (ansible_builder/ee_schema.py).
BUILDER_PACKAGES = ('bindep', 'pyyaml', 'packaging', 'dumb-init==1.2.5')
# Host packages, each with the command or file that shows it is installed.
HOST_PACKAGES = {
    'podman': 'podman',
    'runc': 'runc',
    'debootstrap': 'debootstrap',
    'debian-archive-keyring': '/usr/share/keyrings/debian-archive-keyring.gpg',  # debootstrap checks Debian's signatures
}


def log(message):
    print('ee: %s' % message, flush=True)


def run(argv, **kwargs):
    """Run a command, echoing it; raise SystemExit with its status on failure."""
    argv = [str(arg) for arg in argv]
    log('$ %s' % ' '.join(argv))
    completed = subprocess.run(argv, check=False, stdin=subprocess.DEVNULL, **kwargs)
    if completed.returncode != 0:
        raise SystemExit('ee: failed (exit status %d): %s' % (completed.returncode, ' '.join(argv)))
    return completed


def run_logged(argv, log_file, env=None):
    """Run a command with its output in ``log_file``; on failure, show the end of it and raise SystemExit."""
    argv = [str(arg) for arg in argv]
    log('$ %s  (output: %s)' % (' '.join(argv), log_file.relative_to(REPO)))
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, 'w', encoding='utf-8') as out:
        returncode = subprocess.call(argv, stdout=out, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL)
    if returncode != 0:
        lines = log_file.read_text(encoding='utf-8', errors='replace').splitlines()
        print('\n'.join(lines[-40:]), flush=True)
        raise SystemExit('ee: failed (exit status %d; the last 40 lines of %s are above): %s'
                         % (returncode, log_file.relative_to(REPO), ' '.join(argv)))


def output(argv, env=None):
    """A command's stdout, or None if it fails."""
    completed = subprocess.run([str(arg) for arg in argv], capture_output=True, text=True, check=False, env=env,
                               stdin=subprocess.DEVNULL)
    return completed.stdout.strip() if completed.returncode == 0 else None


class Timer:
    """Seconds spent in each step, printed at the end."""

    def __init__(self):
        self.steps = []

    def step(self, name, started):
        self.steps.append((name, time.monotonic() - started))
        log('%s: %.0f s' % (name, self.steps[-1][1]))

    def report(self):
        log('timings: %s' % ', '.join('%s %.0f s' % step for step in self.steps))


# --- host packages and podman's configuration ------------------------------------------------------------------------


def ensure_host_packages():
    """apt-get install the packages whose command is missing (none: nothing is done)."""
    missing = [package for package, found in HOST_PACKAGES.items() if not (Path(found).exists() if '/' in found else shutil.which(found))]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which('apt-get'):
        raise SystemExit('ee: %s missing; install them (Debian/Ubuntu: apt-get install %s), or run as root on Debian'
                         % (', '.join(missing), ' '.join(missing)))
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    install = ['apt-get', 'install', '-y', '-q', '--no-install-recommends'] + missing
    log('installing %s' % ' '.join(missing))
    if subprocess.run(install, env=env, check=False, stdin=subprocess.DEVNULL).returncode != 0:
        # stale or missing package lists
        run(['apt-get', 'update', '-q'], env=env)
        run(install, env=env)


def containers_conf():
    """The environment for podman: ``CONTAINERS_CONF`` naming a configuration that works on this host."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    nofile = hard if hard != resource.RLIM_INFINITY else 1048576
    pid_max = int(Path('/proc/sys/kernel/pid_max').read_text(encoding='ascii').strip())
    nproc = min(pid_max, 32768)
    WORK.mkdir(parents=True, exist_ok=True)
    conf = WORK / 'containers.conf'
    conf.write_text(
        '# Written by tools/ee.py for podman on this host (CONTAINERS_CONF).\n'
        '[containers]\n'
        'default_ulimits = ["nofile=%d:%d", "nproc=%d:%d"]\n'
        '\n'
        '[engine]\n'
        'runtime = "runc"\n'
        'cgroup_manager = "cgroupfs"\n'
        'events_logger = "file"\n' % (nofile, nofile, nproc, nproc), encoding='utf-8')
    return dict(os.environ, CONTAINERS_CONF=str(conf))


def podman(*args, env, capture=False):
    argv = ['podman'] + [str(arg) for arg in args]
    if capture:
        return output(argv, env=env)
    return run(argv, env=env)


# --- the local base image --------------------------------------------------------------------------------------------


def debian_mirror():
    """The Debian mirror of this host's apt sources (deb822 or one-line format), for debootstrap."""
    sources = Path('/etc/apt/sources.list.d/debian.sources')
    if sources.exists():
        for stanza in sources.read_text(encoding='utf-8').split('\n\n'):
            fields = dict(line.split(':', 1) for line in stanza.splitlines() if ':' in line and not line.startswith('#'))
            if DEBIAN_SUITE in fields.get('Suites', '').split() and fields.get('URIs', '').strip():
                return fields['URIs'].split()[0]
    one_line = Path('/etc/apt/sources.list')
    if one_line.exists():
        for line in one_line.read_text(encoding='utf-8').splitlines():
            words = line.split()
            if len(words) >= 3 and words[0] == 'deb' and words[2] == DEBIAN_SUITE:
                return words[1]
    return 'http://deb.debian.org/debian'


def base_key():
    """What the base image is made of; a change makes a new rootfs tarball and image."""
    recipe = 'debootstrap --variant=minbase --include=%s %s' % (','.join(DEBIAN_PACKAGES), DEBIAN_SUITE)
    return hashlib.sha256(recipe.encode('utf-8')).hexdigest()[:16]


def mounts_under(path):
    """The mount points inside ``path``, deepest first."""
    prefix = str(path) + '/'
    points = [line.split()[1] for line in Path('/proc/mounts').read_text(encoding='utf-8').splitlines()]
    return sorted((point for point in points if point.startswith(prefix)), key=len, reverse=True)


def remove_rootfs(rootfs):
    """Remove a (partial) debootstrap tree, unmounting first what an interrupted debootstrap left mounted in it
    (/proc, /sys, a bind-mounted /dev), so that nothing of the host is deleted through it."""
    for point in mounts_under(rootfs):
        run(['umount', '--lazy', point])
    if mounts_under(rootfs):
        raise SystemExit('ee: %s still has file systems mounted in it: not removing it' % rootfs)
    if rootfs.exists():
        shutil.rmtree(rootfs)


def ensure_base_image(name, env, timer):
    """``name`` from the cached rootfs tarball, made first with debootstrap if it is not cached."""
    key = base_key()
    if label(name, BASE_LABEL, env) == key:
        log('base image %s is up to date' % name)
        return
    tarball = CACHE / ('debian-%s-%s.tar' % (DEBIAN_SUITE, key))
    if not tarball.exists():
        started = time.monotonic()
        rootfs = WORK / 'rootfs'
        remove_rootfs(rootfs)
        run_logged(['debootstrap', '--variant=minbase', '--include=%s' % ','.join(DEBIAN_PACKAGES), DEBIAN_SUITE, rootfs,
                    debian_mirror()], WORK / 'debootstrap.log')
        if mounts_under(rootfs):
            raise SystemExit('ee: debootstrap left %s mounted' % ', '.join(mounts_under(rootfs)))
        for leftovers in ('var/cache/apt/archives', 'var/lib/apt/lists', 'var/log'):
            for path in (rootfs / leftovers).glob('*'):
                if path.is_file():
                    path.unlink()
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = tarball.with_suffix('.partial')
        run(['tar', '--numeric-owner', '--xattrs', '-C', rootfs, '-cf', partial, '.'])
        partial.rename(tarball)
        for stale in CACHE.glob('debian-*.tar'):
            if stale != tarball:
                stale.unlink()
        remove_rootfs(rootfs)
        timer.step('debootstrap', started)
    started = time.monotonic()
    previous = image_id(name, env)
    podman('import', '--change', 'LABEL %s=%s' % (BASE_LABEL, key), '--change', 'CMD ["/bin/bash"]', tarball, name, env=env)
    if previous and previous != image_id(name, env):
        output(['podman', 'rmi', previous], env=env)  # the base this name had before (kept while an image uses it)
    timer.step('base image import', started)


# --- the EE definition -----------------------------------------------------------------------------------------------


def documented_definition():
    """The EE definition docs/awx.md shows users, parsed."""
    match = DOC_BLOCK.search(DOC.read_text(encoding='utf-8'))
    if not match:
        raise SystemExit('ee: %s has no block marked <!-- cloudnet.nic: execution-environment.yml -->' % DOC)
    return yaml.safe_load(match.group('body'))


def definition(base_image):
    """The definition ``make ee`` builds: docs/awx.md's, on ``base_image``, plus DEBIAN_OPTIONS on LOCAL_BASE."""
    built = copy.deepcopy(documented_definition())
    built['images']['base_image']['name'] = base_image
    if base_image == LOCAL_BASE:
        built.setdefault('options', {}).update(DEBIAN_OPTIONS)
    return built


def image_requirements(built):
    """Every top-level Python requirement the build installs: ansible-core, ansible-runner, the collection's, builder's."""
    dependencies = built.get('dependencies', {})
    requirements = [dependencies[name]['package_pip'] for name in ('ansible_core', 'ansible_runner') if name in dependencies]
    requirements += [line.split('#', 1)[0].strip() for line in (REPO / 'requirements.txt').read_text(encoding='utf-8').splitlines()
                     if line.split('#', 1)[0].strip()]
    return requirements + list(BUILDER_PACKAGES)


# --- wheels and pip's configuration for the build --------------------------------------------------------------------


def ensure_wheels(requirements):
    """The wheels of ``requirements`` for the base's Python, pinned by tests/constraints.txt, in .cache/ee/wheels.

    Downloaded once on the host (with the host's pip configuration); the build installs only from them.
    """
    wheels = CACHE / 'wheels'
    machine = platform.machine()
    target = ['--only-binary=:all:', '--implementation', 'cp', '--python-version', DEBIAN_PYTHON,
              '--abi', 'cp%s' % DEBIAN_PYTHON.replace('.', '')]
    # pip does not widen a manylinux_2_X platform to older glibc versions: name each one bookworm's glibc accepts
    for glibc_minor in range(DEBIAN_GLIBC_MINOR, 16, -1):
        target += ['--platform', 'manylinux_2_%d_%s' % (glibc_minor, machine)]
    target += ['--platform', 'manylinux2014_%s' % machine]
    key = hashlib.sha256('\n'.join(target + sorted(requirements) + [CONSTRAINTS.read_text(encoding='utf-8')]).encode('utf-8'))
    stamp = wheels / ('.complete-%s' % key.hexdigest()[:16])
    if stamp.exists():
        log('wheels in %s are up to date' % wheels.relative_to(REPO))
        return wheels
    wheels.mkdir(parents=True, exist_ok=True)
    run([sys.executable, '-m', 'pip', 'download', '--disable-pip-version-check', '-qq', '--dest', wheels,
         '--constraint', CONSTRAINTS] + target + requirements)
    for old in wheels.glob('.complete-*'):
        old.unlink()
    stamp.touch()
    return wheels


def pip_conf(directory, wheels):
    """The pip configuration of the build's RUN steps, ``directory``, mounted at /etc/xdg/pip (so that the image keeps
    none of it): the pins of tests/constraints.txt, and either only the cached ``wheels`` (linked into
    ``directory``/wheels) or the package index with this host's CA bundle."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    shutil.copy(CONSTRAINTS, directory / 'constraints.txt')
    lines = ['[global]', 'constraint = /etc/xdg/pip/constraints.txt', 'disable-pip-version-check = true',
             'root-user-action = ignore']
    if wheels:
        (directory / 'wheels').mkdir()
        for wheel in wheels.glob('*.whl'):
            try:
                os.link(wheel, directory / 'wheels' / wheel.name)
            except OSError:
                shutil.copy(wheel, directory / 'wheels' / wheel.name)
        lines += ['no-index = true', 'find-links = /etc/xdg/pip/wheels']
    else:
        bundle = os.environ.get('PIP_CERT') or output([sys.executable, '-m', 'pip', 'config', 'get', 'global.cert'])
        if bundle and Path(bundle).is_file():
            shutil.copy(bundle, directory / 'ca-bundle.crt')
            lines.append('cert = /etc/xdg/pip/ca-bundle.crt')
    (directory / 'pip.conf').write_text('\n'.join(lines) + '\n', encoding='utf-8')
    return directory


# --- make ee ---------------------------------------------------------------------------------------------------------


def galaxy():
    return yaml.safe_load((REPO / 'galaxy.yml').read_text(encoding='utf-8'))


def release_tarball():
    """The tarball ``make build`` made of this tree."""
    info = galaxy()
    tarball = DIST / ('%s-%s-%s.tar.gz' % (info['namespace'], info['name'], info['version']))
    if not tarball.is_file():
        raise SystemExit('ee: %s not found: run make build first (make ee does)' % tarball.relative_to(REPO))
    return tarball


def write_definition(built, tarball):
    """.build/ee/definition/: execution-environment.yml with the tarball beside it, as docs/awx.md tells users."""
    directory = WORK / 'definition'
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    sources = [entry['src'] for entry in built.get('additional_build_files', [])]
    if tarball.name not in sources:
        raise SystemExit('ee: the EE definition of %s ships %s, not %s: update it with galaxy.yml\'s version'
                         % (DOC.relative_to(REPO), ', '.join(sources) or 'no file', tarball.name))
    shutil.copy(tarball, directory / tarball.name)
    path = directory / 'execution-environment.yml'
    path.write_text('---\n# Written by tools/ee.py from docs/awx.md\n' + yaml.safe_dump(built, sort_keys=False), encoding='utf-8')
    return path


def image_size(tag, env):
    size = podman('image', 'inspect', '--format', '{{ .Size }}', tag, env=env, capture=True)
    return int(size) if size and size.isdigit() else None


def label(image, name, env):
    return podman('image', 'inspect', '--format', '{{ index .Labels "%s" }}' % name, image, env=env, capture=True)


def image_id(tag, env):
    return podman('image', 'inspect', '--format', '{{ .Id }}', tag, env=env, capture=True)


def build(args):
    """``make ee``: the image ``args.tag`` on ``args.base_image``; prints its size and the time the build took."""
    timer = Timer()
    started = time.monotonic()
    ensure_host_packages()
    timer.step('host packages', started)
    env = containers_conf()
    built = definition(args.base_image)
    local = args.base_image == LOCAL_BASE
    wheels = None
    if local:
        # the base image (debootstrap, the slow part when not cached) and the wheels (downloads) side by side
        with ThreadPoolExecutor(max_workers=2) as pool:
            base = pool.submit(ensure_base_image, args.base_image, env, timer)
            downloads = pool.submit(timed, timer, 'wheels', ensure_wheels, image_requirements(built))
            base.result()
            wheels = downloads.result()
    path = write_definition(built, release_tarball())
    pip = pip_conf(WORK / 'pip', wheels)
    # --layers=false: no layer cache. podman keys a cached RUN step on its command, not on what the mounted pip
    # configuration lets it install, so a cached layer could hold other pins; and no intermediate images pile up.
    extra = ['-v', '%s:/etc/xdg/pip:ro' % pip, '--network', 'host', '--pull=%s' % ('never' if local else 'missing'),
             '--layers=false']
    context = WORK / 'context'
    if context.exists():
        shutil.rmtree(context)
    previous = image_id(args.tag, env)
    started = time.monotonic()
    run_logged([BIN / 'ansible-builder', 'build', '--file', path, '--context', context, '--tag', args.tag,
                '--container-runtime', 'podman', '--extra-build-cli-args=%s' % ' '.join(extra), '--verbosity', '3'],
               WORK / 'ansible-builder.log', env=env)
    timer.step('ansible-builder build', started)
    current = image_id(args.tag, env)
    if previous and previous != current:
        # the image this tag named before; kept if a container still uses it
        output(['podman', 'rmi', previous], env=env)
    size = image_size(args.tag, env)
    log('image %s: %s MB, built in %.0f s (ansible-builder build) on %s'
        % (args.tag, '%.0f' % (size / 1e6) if size else '?', timer.steps[-1][1], args.base_image))
    timer.report()
    return 0


def timed(timer, name, function, *args):
    started = time.monotonic()
    result = function(*args)
    timer.step(name, started)
    return result


# --- make test-ee ----------------------------------------------------------------------------------------------------


def junit_totals(path):
    """``{tests, failures, errors, skipped}`` of a pytest JUnit XML report."""
    root = ElementTree.parse(str(path)).getroot()
    suites = [root] if root.tag == 'testsuite' else list(root.iter('testsuite'))
    return dict((name, sum(int(suite.get(name, 0)) for suite in suites)) for name in ('tests', 'failures', 'errors', 'skipped'))


def test(args, pytest_args):
    """tests/ee against ``args.tag``; fails unless every test ran and passed (a skip is a failure here)."""
    started = time.monotonic()
    ensure_host_packages()
    env = containers_conf()
    if image_size(args.tag, env) is None:
        raise SystemExit('ee: image %s not found: run make ee first (make test-ee does)' % args.tag)
    env.update(CLOUDNET_EE_IMAGE=args.tag, CLOUDNET_EE_TARBALL=str(release_tarball()))
    report = WORK / 'test-ee.xml'
    if report.exists():
        report.unlink()
    completed = subprocess.run([sys.executable, '-m', 'pytest', 'tests/ee', '-p', 'no:cacheprovider', '--junitxml', str(report)]
                               + pytest_args, cwd=str(REPO), env=env, check=False, stdin=subprocess.DEVNULL)
    totals = junit_totals(report) if report.exists() else None
    log('tests/ee in %s: %.0f s, %s' % (args.tag, time.monotonic() - started, totals))
    if completed.returncode != 0:
        return completed.returncode
    if not totals or not totals['tests'] or totals['skipped'] or totals['failures'] or totals['errors']:
        log('FAILED: every test of tests/ee must run and pass (skipped tests count as failures here)')
        return 1
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    commands = parser.add_subparsers(dest='command', required=True)
    build_parser = commands.add_parser('build', help='build the EE image')
    build_parser.add_argument('--base-image', default=LOCAL_BASE, help='the base image (default: %(default)s, made here)')
    build_parser.add_argument('--tag', default=DEFAULT_TAG, help='the image to build (default: %(default)s)')
    test_parser = commands.add_parser('test', help='run tests/ee in the EE image (other arguments go to pytest)')
    test_parser.add_argument('--tag', default=DEFAULT_TAG, help='the image to test (default: %(default)s)')
    args, rest = parser.parse_known_args(argv)
    if args.command == 'build':
        if rest:
            parser.error('unrecognized arguments: %s' % ' '.join(rest))
        return build(args)
    return test(args, rest)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
