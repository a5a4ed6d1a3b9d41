# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection options for Zenlayer Cloud ZEC."""

    DOCUMENTATION = r'''
options:
  access_key_id:
    description:
      - Zenlayer Cloud access key id (managed at U(https://console.zenlayer.com/accessKey)).
      - Required. When not set, the value of E(ZENLAYERCLOUD_ACCESS_KEY_ID) is used.
    type: str
  access_key_password:
    description:
      - Zenlayer Cloud access key password, which signs every request (ZC2-HMAC-SHA256). It is never logged nor returned.
      - Required. When not set, the value of E(ZENLAYERCLOUD_ACCESS_KEY_PASSWORD) is used.
    type: str
  endpoint:
    description:
      - Base URL of the Zenlayer Cloud API, without the C(/api/v2/zec) path that the module adds (for example an
        emulator, C(http://127.0.0.1:8080)).
      - When neither this option nor E(ZENLAYERCLOUD_ENDPOINT) is set, C(https://console.zenlayer.com) is used.
    type: str
notes:
  - The environment variable names are those of the Zenlayer Cloud Terraform provider, so one set of variables serves both.
  - Zenlayer Cloud vNICs are looked up by id across all regions of the account; there is no region option.
'''
