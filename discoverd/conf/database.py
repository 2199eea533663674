"""[database]: where discoverd keeps its state."""

from oslo_config import cfg

GROUP = "database"

opts = [
    cfg.StrOpt("connection", default="sqlite:////var/lib/discoverd/discoverd.sqlite",
               secret=True,
               help="SQLAlchemy URL of the database: SQLite for one process, "
                    "PostgreSQL (postgresql+psycopg://...) for several discoverd "
                    "processes sharing the work."),
    cfg.BoolOpt("upgrade_on_start", default=True,
                help="Run the alembic migrations when the service starts."),
]
