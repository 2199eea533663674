"""Options of the native IPMI interfaces (``pyghmi`` power and management).

They tune the per-BMC session pool shared by every conductor thread. Library code
(``ironic_tripleo.ipmi.session_pool``) takes these values as plain arguments; only
the Ironic interfaces read them from CONF.
"""

from oslo_config import cfg

GROUP = "tripleo_ipmi"

opts = [
    cfg.FloatOpt(
        "command_timeout", default=10.0, min=0.5, max=300.0,
        help="Seconds one IPMI call may take in all: waiting for its turn at the BMC, "
             "logging in when there is no session, the command and its retries. The "
             "call then fails with a timeout error whatever happens inside pyghmi, "
             "and nothing more is sent for it."),
    cfg.IntOpt(
        "command_retries", default=1, min=0, max=10,
        help="How many times a command that got no answer (timeout, session lost, BMC "
             "restarted) is retried on a fresh session, as long as command_timeout "
             "leaves time. Errors the BMC answered with (refused credentials, "
             "unsupported command) are never retried, nor is a chassis reset."),
    cfg.FloatOpt(
        "retry_backoff", default=0.5, min=0.0, max=60.0,
        help="Seconds to wait before the first retry; doubled for each further retry."),
    cfg.FloatOpt(
        "min_command_interval", default=0.0, min=0.0, max=60.0,
        help="Minimum seconds between two requests to the same BMC, counted from the "
             "sending of the previous one and from its answer. Some BMCs crash or run "
             "out of sessions when hammered; 0 disables it."),
    cfg.IntOpt(
        "max_concurrent_commands", default=1, min=1, max=32,
        deprecated_for_removal=True,
        deprecated_reason="Requests to one BMC now go out one at a time on its one "
                          "session, in the order they were made; callers wait for "
                          "their turn within command_timeout.",
        help="Ignored: at most one request is in flight per BMC."),
    cfg.FloatOpt(
        "session_max_idle", default=25.0, min=1.0, max=3600.0,
        help="Seconds a BMC session may stay unused before it is replaced by a new "
             "login instead of being reused. BMCs expire idle sessions (commonly after "
             "60 s) and then ignore commands sent on them, which would cost a full "
             "command_timeout to notice; a login costs a few round trips. Keep it "
             "below the BMCs' session inactivity timeout."),
    cfg.FloatOpt(
        "keepalive_interval", default=20.0, min=0.0, max=3600.0,
        help="Seconds a BMC session may stay silent before the pool sends it a cheap "
             "request (Get Device ID) so that the BMC does not expire it: the next "
             "power sync then needs no new login. Sent like any command (one at a "
             "time per BMC, min_command_interval apart). Keep it below "
             "session_max_idle and the BMCs' session inactivity timeout (commonly "
             "60 s). 0 disables keepalives."),
    cfg.IntOpt(
        "max_kept_alive_sessions", default=1000, min=1, max=100000,
        help="Most BMC sessions this conductor keeps logged in; beyond it, the least "
             "recently used idle sessions are logged out."),
    cfg.FloatOpt(
        "unused_session_logout", default=600.0, min=10.0, max=86400.0,
        help="Seconds without any call for a BMC after which its session is logged "
             "out instead of kept alive (its node was deleted or moved to another "
             "conductor). Keep it above Ironic's [conductor]sync_power_state_interval."),
    cfg.FloatOpt(
        "power_state_poll_interval", default=1.0, min=0.05, max=30.0,
        help="Seconds between power-state reads while waiting for a requested power "
             "state to be reached."),
]


def register(conf: cfg.ConfigOpts) -> None:
    """Register this group's options on ``conf`` (idempotent)."""
    conf.register_opts(opts, group=GROUP)
