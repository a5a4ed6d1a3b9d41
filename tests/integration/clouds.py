# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the integration tests need to know about each cloud: module, option names, ids and status words."""

from __future__ import annotations


class Cloud:
    def __init__(self, name, module, id_option, nics, instance, other_instance, primary, words):
        self.name = name
        self.module = module
        self.id_option = id_option
        self.nics = nics
        self.instance = instance
        self.other_instance = other_instance
        self.primary = primary
        self.available, self.attaching, self.attached, self.detaching = words

    def args(self, nic, instance=None, **extra):
        args = {self.id_option: nic}
        if instance:
            args['instance_id'] = instance
        args.update(extra)
        return args

    def __repr__(self):
        return self.name


ECS = Cloud('ecs', 'cloudnet.nic.alicloud_eni_attachment', 'eni_id', ['eni-emu-%d' % n for n in range(1, 6)],
            'i-emu-running', 'i-emu-running2', 'eni-emu-primary', ('Available', 'Attaching', 'InUse', 'Detaching'))
ZEC = Cloud('zec', 'cloudnet.nic.zenlayer_vnic_attachment', 'nic_id', ['nic-emu-%d' % n for n in range(1, 6)],
            'ins-emu-running', 'ins-emu-running2', 'nic-emu-primary', ('AVAILABLE', 'ATTACHING', 'USED', 'DETACHING'))
CLOUDS = [ECS, ZEC]
