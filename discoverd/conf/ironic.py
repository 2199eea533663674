"""[ironic]: how discoverd reaches Ironic."""

from oslo_config import cfg

GROUP = "ironic"

opts = [
    cfg.URIOpt("url", schemes=["http", "https"],
               help="Ironic API endpoint used without authentication (standalone "
                    "Ironic). When unset, the cloud named by 'cloud' is used."),
    cfg.StrOpt("cloud", help="Name of a cloud in clouds.yaml (used when url is unset)."),
    cfg.FloatOpt("timeout", default=60.0, min=1.0,
                 help="Seconds one request to Ironic may take before it fails (a hung "
                      "Ironic ends the introspection in error instead of holding a "
                      "processing thread); reads that fail so are not sent again."),
]
