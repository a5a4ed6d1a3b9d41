# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start, drive and stop an emulator from Python (tests, the demo); standard library only.

    with Emulator.start(attach_delay=0.2, detach_delay=0.2) as emu:
        emu.fault('ecs', 'AttachNetworkInterface', 'throttle', count=2)
        ...  # point a client at emu.url
        assert [call['action'] for call in emu.calls(cloud='ecs')] == [...]

    with Emulator.start(settings=EXACT) as emu:   # the lag-free world of tests that predate the rough defaults
        ...

``Emulator.start_group(count)`` runs ``count`` independent emulators (each its own port, world, faults and call log)
in one process, for tests that run many scenarios side by side; ``python control.py COUNT [server.py options]`` is
that process.
"""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'server.py')
START_TIMEOUT = 30
# An exact world: reads do not lag, interfaces being created are ready at once, instance statuses stay as written
# (a test can pin Starting), and ECS does not refuse concurrent operations on one instance.
EXACT = {'read_lag_seconds': 0, 'create_delay': 0, 'instance_start_delay': None, 'instance_stop_delay': None,
         'instance_busy_conflict': False}


class EmulatorError(RuntimeError):
    """The emulator could not start, or an admin call failed."""


class Emulator:
    """A running emulator process and its admin API."""

    def __init__(self, process, url, state_file=None, log_file=None):
        self.process = process
        self.url = url
        self._state_file = state_file
        self._log_file = log_file
        self._context = None
        if url.startswith('https:'):
            self._context = ssl.create_default_context()
            self._context.check_hostname = False
            self._context.verify_mode = ssl.CERT_NONE

    @classmethod
    def start(cls, state=None, attach_delay=None, detach_delay=None, tls=None, host='127.0.0.1', port=0, verbose=False, settings=None):
        """Run ``server.py`` with this Python.

        ``state``: a dict or a path to a JSON file (default: default_state.json).
        ``settings``: settings of the start-up world (kept by reset), e.g. ``EXACT``.
        ``tls``: ``(cert_file, key_file)`` to serve HTTPS.
        """
        return cls._launch([sys.executable, SERVER], 1, state, attach_delay, detach_delay, tls, host, port, verbose, settings)[0]

    @classmethod
    def start_group(cls, count, state=None, attach_delay=None, detach_delay=None, tls=None, host='127.0.0.1', verbose=False, settings=None):
        """``count`` independent emulators served by one process (options as for ``start``; each gets a free port).

        They share the process: stopping any one of them stops them all.
        """
        return cls._launch([sys.executable, os.path.abspath(__file__), str(count)], count, state, attach_delay, detach_delay, tls,
                           host, 0, verbose, settings)

    @classmethod
    def _launch(cls, argv, count, state, attach_delay, detach_delay, tls, host, port, verbose, settings=None):
        argv = argv + ['--host', host, '--port', str(port)]
        for name, value in sorted((settings or {}).items()):
            argv += ['--set', '%s=%s' % (name, json.dumps(value))]
        state_file = None
        if isinstance(state, dict):
            handle, state_file = tempfile.mkstemp(prefix='emulator-state-', suffix='.json')
            with os.fdopen(handle, 'w') as out:
                json.dump(state, out)
            argv += ['--state', state_file]
        elif state:
            argv += ['--state', str(state)]
        if attach_delay is not None:
            argv += ['--attach-delay', str(attach_delay)]
        if detach_delay is not None:
            argv += ['--detach-delay', str(detach_delay)]
        if tls:
            argv += ['--tls-cert', str(tls[0]), '--tls-key', str(tls[1])]
        if verbose:
            argv.append('--verbose')
        log_file = tempfile.TemporaryFile()  # pylint: disable=consider-using-with
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log_file)  # pylint: disable=consider-using-with
        urls = _first_line(process, START_TIMEOUT).split()
        if len(urls) != count or not all(url.startswith(('http://', 'https://')) for url in urls):
            process.kill()
            process.wait()
            log_file.seek(0)
            raise EmulatorError('the emulator did not start: %r\n%s' % (urls, log_file.read().decode('utf-8', 'replace')))
        return [cls(process, url, state_file, log_file) for url in urls]

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.stop()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        if self._log_file:
            self._log_file.close()
            self._log_file = None
        if self._state_file and os.path.exists(self._state_file):
            os.unlink(self._state_file)

    def admin(self, method, name, data=None, query=None):
        """One call to ``/_emulator/<name>``; the decoded JSON answer."""
        url = '%s/_emulator/%s%s' % (self.url, name, '?' + urlencode(query) if query else '')
        body = None if data is None else json.dumps(data).encode('utf-8')
        request = Request(url, data=body, method=method, headers={'Content-Type': 'application/json'})
        try:
            with urlopen(request, timeout=30, context=self._context) as response:
                return json.loads(response.read().decode('utf-8'))
        except HTTPError as err:
            raise EmulatorError('%s /_emulator/%s: HTTP %s %s' % (method, name, err.code, err.read().decode('utf-8', 'replace'))) from None

    def reset(self):
        return self.admin('POST', 'reset')

    def state(self):
        return self.admin('GET', 'state')

    def put_state(self, state):
        return self.admin('PUT', 'state', state)

    def settings(self, **changes):
        """Change settings (``attach_delay``, ``clock_offset_seconds``, ...); returns all of them."""
        return self.admin('PATCH', 'settings', changes) if changes else self.admin('GET', 'settings')

    def calls(self, cloud=None, action=None):
        query = dict((key, value) for key, value in (('cloud', cloud), ('action', action)) if value)
        return self.admin('GET', 'calls', query=query)

    def clear_calls(self):
        return self.admin('DELETE', 'calls')

    def history(self, cloud=None, record_id=None, kind=None):
        """Every change of every interface (or, with ``kind='instance'``, instance): what was true, when, and why."""
        query = dict((key, value) for key, value in (('cloud', cloud), ('id', record_id), ('kind', kind)) if value)
        return self.admin('GET', 'history', query=query)

    def fault(self, cloud, action, fault, count=1, **params):
        """Add a fault rule (see README.md); returns it with its id."""
        return self.admin('POST', 'faults', dict(params, cloud=cloud, action=action, fault=fault, count=count))

    def faults(self):
        return self.admin('GET', 'faults')

    def clear_faults(self):
        return self.admin('DELETE', 'faults')


def _first_line(process, timeout):
    """The first line the process prints, or '' if it exits or stays silent for ``timeout`` seconds."""
    lines = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0].decode('utf-8', 'replace').strip() if lines else ''


def serve_group(argv):
    """``COUNT [server.py options]``: serve COUNT emulators from this process; print their URLs on one line."""
    import server  # pylint: disable=import-outside-toplevel  # only the serving process needs the server

    count, options = int(argv[0]), server.parse_args(argv[1:])
    servers = [server.build_server(options) for _number in range(count)]
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    for http_server, _url in servers:
        threading.Thread(target=http_server.serve_forever, kwargs={'poll_interval': 0.5}, daemon=True).start()
    print(' '.join(url for _server, url in servers), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for http_server, _url in servers:
            http_server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(serve_group(sys.argv[1:]))
