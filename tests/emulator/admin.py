# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unauthenticated control API under ``/_emulator/``: state, reset, calls, history, faults, settings."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from faults import FaultError
from wire import Reply
from world import StateError


class AdminError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def parse_json(body):
    try:
        return json.loads(body.decode('utf-8') or 'null')
    except ValueError as err:
        raise AdminError(400, 'the body is not JSON: %s' % err) from None


class Admin:
    """Routes ``(method, name)`` under ``/_emulator/`` to the world, the fault book and the call log."""

    def __init__(self, world, book, log, nonces):
        self.world = world
        self.book = book
        self.log = log
        self.nonces = nonces
        book.bind(world)  # ``change`` rules act on this world
        self.routes = {
            ('GET', 'state'): self.get_state,
            ('PUT', 'state'): self.put_state,
            ('POST', 'reset'): self.reset,
            ('GET', 'calls'): self.get_calls,
            ('DELETE', 'calls'): self.clear_calls,
            ('GET', 'history'): self.get_history,
            ('GET', 'faults'): lambda _query, _body: self.book.list(),
            ('POST', 'faults'): lambda _query, body: self.book.add(parse_json(body)),
            ('DELETE', 'faults'): self.clear_faults,
            ('GET', 'settings'): lambda _query, _body: self.world.snapshot()['settings'],
            ('PATCH', 'settings'): self.update_settings,
            ('POST', 'settings'): self.update_settings,
            ('GET', 'health'): lambda _query, _body: {'ok': True},
        }

    def handle(self, method, name, query, body):
        route = self.routes.get((method, name))
        if route is None:
            known = any(route_name == name for _method, route_name in self.routes)
            return Reply.json(405 if known else 404, {'error': '%s /_emulator/%s is not an admin endpoint' % (method, name)}, outcome='admin')
        try:
            return Reply.json(200, route(parse_qs(query), body), outcome='admin')
        except (AdminError, StateError, FaultError) as err:
            return Reply.json(getattr(err, 'status', 400), {'error': str(err)}, outcome='admin')

    def get_state(self, _query, _body):
        return self.world.snapshot()

    def put_state(self, _query, body):
        self.world.replace(parse_json(body))
        return {'ok': True}

    def reset(self, _query, _body):
        self.world.reset()
        self.log.clear(restart=True)
        self.book.clear()
        self.nonces.clear()
        return {'ok': True}

    def get_calls(self, query, _body):
        return self.log.list(cloud=query.get('cloud', [None])[0], action=query.get('action', [None])[0])

    def get_history(self, query, _body):
        kind = query.get('kind', ['interface'])[0]
        if kind not in ('interface', 'instance'):
            raise AdminError(400, 'kind must be "interface" or "instance"')
        return self.world.history(cloud=query.get('cloud', [None])[0], record_id=query.get('id', [None])[0], kind=kind)

    def clear_calls(self, _query, _body):
        self.log.clear()
        return {'ok': True}

    def clear_faults(self, _query, _body):
        self.book.clear()
        return {'ok': True}

    def update_settings(self, _query, body):
        changes = parse_json(body)
        if not isinstance(changes, dict):
            raise AdminError(400, 'settings must be a JSON object')
        return self.world.update_settings(changes)
