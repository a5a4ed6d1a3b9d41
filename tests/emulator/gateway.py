# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The path of one API call, the same for both clouds: flow control, faults around it, the cloud's handler, the call log.

A cloud API object (``ecs.EcsApi``, ``zec.ZecApi``) provides ``cloud``, ``identify(request)``,
``handle(request, call)`` and ``fault_reply(rule, request)``.
"""

from __future__ import annotations

import time

import faults
from ratelimit import RateLimiter, access_key_of
from wire import Reply


class Call:
    """What one call is, and what happened to it; handed to the cloud's handler."""

    def __init__(self, book, cloud, action, params, auth, seq=None, access_key_id=None):
        self.book = book
        self.cloud = cloud
        self.action = action
        self.params = params
        self.auth = auth
        self.seq = seq
        self.access_key_id = access_key_id
        self.applied_faults = []
        self.as_of = None  # set by a read: the world time its answer reflects

    def cause(self):
        """Why the world changed, when this call changed it (the timeline's ``cause``)."""
        return {'kind': 'api', 'action': self.action, 'call': self.seq, 'access_key_id': self.access_key_id}

    def transition_outcome(self):
        """How the transition this call starts will end: ``complete``, or ``stuck``/``fail`` when a rule says so."""
        rule = self.book.take(self.cloud, self.action, tuple(faults.TRANSITION))
        if rule is None:
            return 'complete'
        self.applied_faults.append(rule['fault'])
        return faults.TRANSITION[rule['fault']]


class Gateway:
    """Runs calls through flow control, faults, handlers and the log."""

    def __init__(self, world, book, log):
        self.world = world
        self.book = book
        self.log = log
        self.limiter = RateLimiter()

    def handle(self, api, request):
        arrived = time.time()
        action, params, auth = api.identify(request)
        call = Call(self.book, api.cloud, action, params, auth, self.log.begin(), access_key_of(api.cloud, request) or None)
        refusal = self.limiter.refusal(api.cloud, request, self.world.settings)
        if refusal:
            call.applied_faults.append('rate_limit')
            reply, applied_outcome = api.fault_reply(refusal, request), None
        else:
            reply, applied_outcome = self._answer(api, request, call)
        entry = dict(cloud=api.cloud, action=action, params=params, auth=auth, outcome=reply.outcome,
                     http_status=None if reply.close else reply.status, request_id=getattr(reply, 'request_id', None),
                     fault=','.join(call.applied_faults) or None, access_key_id=call.access_key_id)
        if applied_outcome is not None:
            entry['applied_outcome'] = applied_outcome
        if call.as_of is not None:
            entry['as_of'] = round(call.as_of, 3)
        entry['arrived'] = round(arrived, 3)
        self.log.record(time.time(), seq=call.seq, **entry)
        return reply

    def _answer(self, api, request, call):
        """``(reply, outcome of the action when a fault answered for it)``: the fault rules around the cloud's handler."""
        rule = self.book.take(api.cloud, call.action, faults.ANSWERING + faults.CONNECTION, call=call.seq)
        kind = rule['fault'] if rule else None
        if kind:
            call.applied_faults.append(kind)
        if kind == 'delay':
            time.sleep(rule['seconds'])
        applied_outcome = None
        if kind == 'reset_before':
            reply = Reply(0, outcome='connection_reset')
            reply.close = 'before'
        elif kind in faults.ANSWERING and not rule['apply']:
            reply = api.fault_reply(rule, request)
        else:
            reply = api.handle(request, call)
            if kind in faults.ANSWERING:
                applied_outcome = reply.outcome
                reply = api.fault_reply(rule, request)
            elif kind == 'reset_after':
                reply.close = 'after'
        return reply, applied_outcome
