"""Connections to Ironic through openstacksdk.

With an endpoint URL the connection is ``noauth`` (the lab, standalone Ironic);
without one, the usual ``clouds.yaml`` / ``OS_*`` environment is used.
"""

import openstack
import openstack.connection

#: Seconds one request may wait for Ironic (or Keystone) before it fails: a hung
#: API must not hang the caller.
API_TIMEOUT = 60.0


def connect(
    ironic_url: str | None = None, cloud: str | None = None,
    timeout: float = API_TIMEOUT,
) -> openstack.connection.Connection:
    """Return an openstacksdk connection whose ``baremetal`` proxy talks to Ironic.

    :param ironic_url: Ironic API endpoint to use without authentication.
    :param cloud: name of a cloud in clouds.yaml, used when no URL is given.
    :param timeout: seconds each request may take (openstacksdk's ``api_timeout``).
    """
    if ironic_url:
        return openstack.connection.Connection(
            auth_type="none",
            baremetal_endpoint_override=ironic_url.rstrip("/"),
            baremetal_api_version="1",
            api_timeout=timeout,
        )
    return openstack.connect(cloud=cloud, api_timeout=timeout)
