"""[ironic]: how discoverd reaches Ironic."""

from oslo_config import cfg

GROUP = "ironic"

opts = [
    cfg.URIOpt("url", schemes=["http", "https"],
               help="Ironic API endpoint used without authentication (standalone "
                    "Ironic). When unset, the cloud named by 'cloud' is used."),
    cfg.StrOpt("cloud", help="Name of a cloud in clouds.yaml (used when url is unset)."),
]
