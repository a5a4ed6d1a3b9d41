# -*- coding: utf-8 -*-
# Copyright (c) cloudnet.nic contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """HTTP transport options shared by every module of the collection."""

    DOCUMENTATION = r'''
options:
  validate_certs:
    description:
      - Verify the TLS certificate of the API endpoint.
      - Set to V(false) only against a test endpoint; the module then warns on every run.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to verify the endpoint with, instead of the system bundle.
    type: path
  timeout:
    description:
      - Seconds to wait for the API to answer one request, before the request counts as failed (and, for reads,
        is retried).
    type: int
    default: 30
notes:
  - Proxies are taken from the E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) environment variables of the host that
    runs the module.
  - Credentials and other options read from environment variables are read on the host that runs the module,
    usually C(localhost) (or the execution environment, in AWX and Automation Platform).
  - Reads are retried with exponential backoff and jitter on throttling, server errors and lost connections;
    attach and detach calls are retried only when the API throttled them or nothing reached it, and otherwise
    the module reads the interface again and decides from what it finds.
requirements:
  - requests >= 2.25.0
'''
