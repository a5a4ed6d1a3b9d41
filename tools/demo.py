#!/usr/bin/env python
"""``make demo``: start the bundled emulator, run the demo playbook against it with the demo credentials, stop it.

The playbook is the first of DEMO_PLAYBOOKS that exists. Credentials, regions and endpoints reach the modules
through the environment variables they read, exactly as a user's own run (or an AWX credential) would supply them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EMULATOR_DIR = REPO / 'tests' / 'emulator'
COLLECTIONS_PATH = REPO / '.build' / 'collections'
DEMO_PLAYBOOKS = ('playbooks/demo.yml', 'examples/demo.yml')

DEMO_ENVIRONMENT = {
    'ALIBABA_CLOUD_ACCESS_KEY_ID': 'LTAI5tEMULATOR0001',
    'ALIBABA_CLOUD_ACCESS_KEY_SECRET': 'emulator-secret-0001',
    'ALIBABA_CLOUD_REGION_ID': 'cn-hangzhou',
    'ZENLAYERCLOUD_ACCESS_KEY_ID': 'ZLEMULATORKEY0001',
    'ZENLAYERCLOUD_ACCESS_KEY_PASSWORD': 'emulator-password-0001',
}
# Variables that would point the demo at a real account, or change its output, are not passed on.
DROPPED_PREFIXES = ('ALIBABA_CLOUD_', 'ALICLOUD_', 'ZENLAYERCLOUD_')


def not_available(what):
    print('make demo: not yet available (%s)' % what, file=sys.stderr)
    return 1


def main():
    if not (EMULATOR_DIR / 'control.py').exists():
        return not_available('tests/emulator/control.py does not exist yet')
    playbook = next((REPO / name for name in DEMO_PLAYBOOKS if (REPO / name).exists()), None)

    sys.path.insert(0, str(EMULATOR_DIR))
    from control import Emulator  # pylint: disable=import-error,import-outside-toplevel

    with Emulator.start() as emulator:
        print('Emulator (Alibaba Cloud ECS and Zenlayer ZEC APIs) listening at %s' % emulator.url, flush=True)
        if playbook is None:
            return not_available('no demo playbook: %s' % ' or '.join(DEMO_PLAYBOOKS))
        env = {key: value for key, value in os.environ.items() if not key.startswith(DROPPED_PREFIXES)}
        env.update(DEMO_ENVIRONMENT)
        env.update(
            ALIBABA_CLOUD_ENDPOINT_ECS=emulator.url,
            ZENLAYERCLOUD_ENDPOINT=emulator.url,
            ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_PATH),
            ANSIBLE_LOCALHOST_WARNING='false',
            ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
        )
        command = [
            str(Path(sys.executable).parent / 'ansible-playbook'), str(playbook.relative_to(REPO)),
            '-i', 'localhost,', '-c', 'local',
            '-e', 'ansible_python_interpreter=%s' % sys.executable,
        ] + sys.argv[1:]
        print('Running: %s' % ' '.join(command), flush=True)
        return subprocess.call(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL)


if __name__ == '__main__':
    sys.exit(main())
