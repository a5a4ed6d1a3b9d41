# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Statuses that settle by themselves: interfaces being created, instances starting or stopping.

A record found in one of these statuses without a transition in progress gets one, due after the setting's delay
counted from when the status was set (or the world loaded); a delay of ``null`` leaves the status as it is.
Sources for each status are in README.md ("Statuses that settle by themselves").
"""

from __future__ import annotations

START, STOP, CREATE = 'instance_start_delay', 'instance_stop_delay', 'create_delay'
ZEC_STARTING = ('PENDING', 'DEPLOYING', 'REBUILDING', 'BOOTING', 'RESIZING')

# (cloud, kind) -> {status: (the status it settles to, the setting holding the delay)}
SETTLING = {
    ('ecs', 'interface'): {'Creating': ('Available', CREATE)},
    ('zec', 'interface'): {'PENDING': ('AVAILABLE', CREATE)},
    ('ecs', 'instance'): {'Pending': ('Starting', START), 'Starting': ('Running', START), 'Stopping': ('Stopped', STOP)},
    ('zec', 'instance'): dict([(status, ('RUNNING', START)) for status in ZEC_STARTING] + [('STOPPING', ('STOPPED', STOP))]),
}


def schedule(key, record, at, settings):
    """Give ``record`` (``key`` = ``(cloud, kind, id)``) the transition out of a settling status, due after the delay."""
    cloud, kind, _record_id = key
    rule = SETTLING[(cloud, kind)].get(record.get('status'))
    if rule is None or record.get('transition'):
        return
    settled, delay_name = rule
    delay = settings.get(delay_name)
    if delay is None:
        return
    record['transition'] = {'due': at + float(delay), 'outcome': 'complete', 'complete': {'status': settled}, 'revert': {},
                            'settling': record.get('status')}
