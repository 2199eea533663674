"""The pyghmi edge of the session pool: log in, call with a timeout, log out.

pyghmi may block far longer than we allow (or forever), keeps its own cache of
sessions per BMC, and needs credentials as bytes (with ``str``, a second
``Command`` to the same BMC in one process hangs forever).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ironic_tripleo.ipmi.driver_info import BMC

T = TypeVar("T")
# How long a healthy session may take to log out before it is just marked broken.
LOGOUT_WAIT = 1.5


def pyghmi_connect(bmc: BMC) -> Any:
    """Log in to ``bmc`` with pyghmi and return the ``Command`` (blocks until done).

    :raises: pyghmi's IpmiException when the login fails.
    """
    from pyghmi.ipmi import command

    return command.Command(bmc=bmc.address, port=bmc.port,
                           userid=bmc.username.encode("utf-8"),
                           password=bmc.password.encode("utf-8"),
                           kg=bmc.kg_key, privlevel=bmc.priv_level)


class TimedOut(Exception):
    """``call_with_timeout`` gave up waiting."""


def call_with_timeout(func: Callable[[], T], timeout: float, name: str) -> T:
    """Run ``func`` in a helper thread; raise TimedOut if it is not done in time.

    The helper thread is a daemon left to finish on its own after a timeout.

    :raises: TimedOut, or whatever ``func`` raised.
    """
    box: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["value"] = func()
        except BaseException as e:  # handed to the caller below
            box["error"] = e
        finally:
            done.set()

    threading.Thread(target=target, name=name, daemon=True).start()
    if not done.wait(timeout):
        raise TimedOut()
    if "error" in box:
        raise box["error"]
    return box["value"]


def session_alive(cmd: Any) -> bool:
    """False once pyghmi marked the session of ``cmd`` broken or logged out."""
    session = getattr(cmd, "ipmi_session", None)
    if session is None:
        return True
    return not getattr(session, "broken", False) and bool(getattr(session, "logged", True))


def logout(cmd: Any, wait: float) -> None:
    """Log out of a session we no longer use, waiting at most ``wait`` seconds.

    A session that did not answer is first marked broken: pyghmi hands a session it
    still thinks valid to the next ``Command()`` for the same BMC, and its logout
    would wait for the hung command.
    """
    session = getattr(cmd, "ipmi_session", None)
    if session is None or getattr(session, "broken", True):
        return
    if not wait:
        session.broken = True
    worker = threading.Thread(target=session.logout, name="ipmi-logout", daemon=True)
    worker.start()
    worker.join(wait)
    if worker.is_alive():
        session.broken = True
