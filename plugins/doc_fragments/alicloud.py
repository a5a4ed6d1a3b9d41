# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection options for Alibaba Cloud ECS."""

    DOCUMENTATION = r'''
options:
  access_key_id:
    description:
      - Alibaba Cloud AccessKey id (for STS credentials, the STS AccessKey id).
      - Required. When not set, the value of E(ALIBABA_CLOUD_ACCESS_KEY_ID), then of E(ALICLOUD_ACCESS_KEY), is used.
    type: str
  access_key_secret:
    description:
      - Alibaba Cloud AccessKey secret. It is never logged nor returned.
      - Required. When not set, the value of E(ALIBABA_CLOUD_ACCESS_KEY_SECRET), then of E(ALICLOUD_SECRET_KEY), is used.
    type: str
  security_token:
    description:
      - STS security token, for temporary credentials. It is never logged nor returned.
      - When not set, the value of E(ALIBABA_CLOUD_SECURITY_TOKEN), then of E(ALICLOUD_SECURITY_TOKEN), is used.
    type: str
  region:
    description:
      - ECS region id, for example V(cn-hangzhou).
      - Required. When not set, the value of E(ALIBABA_CLOUD_REGION_ID), then of E(ALICLOUD_REGION), is used.
    type: str
  endpoint:
    description:
      - Base URL of the ECS API, to override the default C(https://ecs.<region>.aliyuncs.com) (for example a VPC
        endpoint C(https://ecs-vpc.cn-hangzhou.aliyuncs.com), or an emulator). A URL with a path is refused.
      - When not set, the value of E(ALIBABA_CLOUD_ENDPOINT_ECS) is used.
    type: str
'''
