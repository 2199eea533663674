"""Connections to Ironic through openstacksdk.

With an endpoint URL the connection is ``noauth`` (the lab, standalone Ironic);
without one, the usual ``clouds.yaml`` / ``OS_*`` environment is used.
"""

import openstack
import openstack.connection


def connect(
    ironic_url: str | None = None, cloud: str | None = None
) -> openstack.connection.Connection:
    """Return an openstacksdk connection whose ``baremetal`` proxy talks to Ironic.

    :param ironic_url: Ironic API endpoint to use without authentication.
    :param cloud: name of a cloud in clouds.yaml, used when no URL is given.
    """
    if ironic_url:
        return openstack.connection.Connection(
            auth_type="none",
            baremetal_endpoint_override=ironic_url.rstrip("/"),
            baremetal_api_version="1",
        )
    return openstack.connect(cloud=cloud)
