"""The OpenStackClient plugin module (entry point ``openstack.cli.extension``).

Its commands are in the ``openstack.ironic_tripleo.v1`` group; they talk to Ironic
(and discoverd) through OSC's openstacksdk connection, so clouds.yaml, ``OS_*`` and
``--os-*`` options (including ``auth_type: none`` with ``baremetal_endpoint_override``
for a standalone Ironic) work as for ``openstack baremetal``.
"""

from __future__ import annotations

import argparse
from typing import Any

API_NAME = "ironic_tripleo"
API_VERSION_OPTION = "os_ironic_tripleo_api_version"
DEFAULT_API_VERSION = "1"
API_VERSIONS = ("1",)


def make_client(instance: Any) -> Any:
    """The commands use ``client_manager.sdk_connection``; this is the same object."""
    return instance.sdk_connection


def build_option_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Global option selecting this plugin's command set (only 1 exists)."""
    parser.add_argument("--os-ironic-tripleo-api-version", metavar="<version>",
                        default=DEFAULT_API_VERSION, choices=API_VERSIONS,
                        help="ironic-tripleo command set version (default 1)")
    return parser
