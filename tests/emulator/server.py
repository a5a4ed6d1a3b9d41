#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local emulator of the Alibaba Cloud ECS and Zenlayer Cloud ZEC APIs (HTTP plumbing and start-up).

    python3 tests/emulator/server.py [--host 127.0.0.1] [--port 0] [--state FILE]
        [--attach-delay S] [--detach-delay S] [--set NAME=JSON ...] [--tls-cert F --tls-key F] [--verbose]

Prints its base URL as the first line of stdout, then serves until SIGTERM/SIGINT.
ECS RPC is served at ``/``, ZEC at ``/api/v2/zec``, the control API under ``/_emulator/``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import ssl
import struct
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable=wrong-import-position
from admin import Admin  # noqa: E402
from auth import NonceCache  # noqa: E402
from calls import CallLog  # noqa: E402
from ecs import EcsApi  # noqa: E402
from faults import FaultBook  # noqa: E402
from gateway import Gateway  # noqa: E402
from wire import Reply, Request  # noqa: E402
from world import DEFAULT_SETTINGS, World  # noqa: E402
from zec import ZecApi  # noqa: E402

DEFAULT_STATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'default_state.json')
ZEC_PATHS = ('/api/v2/zec', '/api/v2/zec/')
ADMIN_PREFIX = '/_emulator/'


class Emulator:
    """Everything one running emulator holds."""

    def __init__(self, state, attach_delay=None, detach_delay=None, settings=None):
        overrides = dict(settings or {})
        overrides.update((name, value) for name, value in (('attach_delay', attach_delay), ('detach_delay', detach_delay)) if value is not None)
        self.world = World(state, overrides)
        self.nonces = NonceCache()
        self.faults = FaultBook()
        self.calls = CallLog()
        self.gateway = Gateway(self.world, self.faults, self.calls)
        self.ecs = EcsApi(self.world, self.nonces)
        self.zec = ZecApi(self.world)
        self.admin = Admin(self.world, self.faults, self.calls, self.nonces)

    def route(self, method, target, headers, body):
        """The reply to one HTTP request."""
        parts = urlsplit(target)
        if parts.path.startswith(ADMIN_PREFIX):
            return self.admin.handle(method, parts.path[len(ADMIN_PREFIX):].strip('/'), parts.query, body)
        request = Request(method, parts.path, parts.query, headers, body)
        if parts.path in ZEC_PATHS:
            return self.gateway.handle(self.zec, request)
        if parts.path == '/':
            return self.gateway.handle(self.ecs, request)
        return Reply.json(404, {'error': 'no API at %s' % parts.path}, outcome='not_found')


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; every method goes through ``Emulator.route``."""

    protocol_version = 'HTTP/1.1'
    server_version = 'cloudnet-nic-emulator'
    sys_version = ''
    timeout = 120  # an idle keep-alive connection is closed after this many seconds

    def do_GET(self):  # noqa: N802  pylint: disable=invalid-name
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def read_body(self):
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def dispatch(self):
        body = self.read_body()
        reply = self.server.emulator.route(self.command, self.path, self.headers, body)
        if reply.close:
            self.drop_connection()
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header('Content-Length', str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def drop_connection(self):
        """Close the connection without a byte of answer; linger 0 makes it a reset where the OS allows."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        except OSError:
            pass

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            sys.stderr.write('%s %s\n' % (self.address_string(), format % args))


def setting(text):
    """``NAME=JSON`` -> ``(NAME, value)``; a value that is not JSON is taken as a string."""
    name, sep, value = text.partition('=')
    if not sep or name not in DEFAULT_SETTINGS:
        raise argparse.ArgumentTypeError('%r is not NAME=VALUE with NAME one of: %s' % (text, ', '.join(sorted(DEFAULT_SETTINGS))))
    try:
        return name, json.loads(value)
    except ValueError:
        return name, value


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Local emulator of the ECS and ZEC network interface APIs.')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0, help='0 picks a free port')
    parser.add_argument('--state', default=DEFAULT_STATE, help='JSON world to start from (default: default_state.json)')
    parser.add_argument('--attach-delay', type=float, help='seconds an attach stays in Attaching/ATTACHING')
    parser.add_argument('--detach-delay', type=float, help='seconds a detach stays in Detaching/DETACHING')
    parser.add_argument('--set', action='append', default=[], metavar='NAME=JSON', type=setting,
                        help='a setting of the start-up world, e.g. read_lag_seconds=0 or instance_start_delay=null (repeatable)')
    parser.add_argument('--tls-cert', help='PEM certificate: serve HTTPS')
    parser.add_argument('--tls-key', help='PEM private key for --tls-cert')
    parser.add_argument('--verbose', action='store_true', help='log every request to stderr')
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error('--tls-cert and --tls-key go together')
    return args


def build_server(args):
    with open(args.state, encoding='utf-8') as handle:
        state = json.load(handle)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.emulator = Emulator(state, args.attach_delay, args.detach_delay, dict(args.set))
    server.verbose = args.verbose
    scheme = 'http'
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        scheme = 'https'
    host, port = server.server_address[:2]
    return server, '%s://%s:%d' % (scheme, host, port)


def _terminate(_signum, _frame):
    raise SystemExit(0)


def main(argv=None):
    server, url = build_server(parse_args(argv))
    signal.signal(signal.SIGTERM, _terminate)
    print(url, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
