"""Errors of the ramdisk agent: one base class, messages that name the bad value."""

from __future__ import annotations


class RamdiskError(Exception):
    """Base of every error the ramdisk agent raises on purpose.

    Subclasses set ``message``, a template filled from the keyword arguments.
    """

    message = "ramdisk agent error"

    def __init__(self, **kwargs: object) -> None:
        self.kwargs = kwargs
        try:
            text = self.message % kwargs
        except (KeyError, TypeError):
            text = f"{self.message} {kwargs}"
        super().__init__(text)


class CmdlineError(RamdiskError):
    message = ("kernel command line parameter %(name)s has a bad value %(value)r: "
               "%(allowed)s")


class CollectorError(RamdiskError):
    message = "collector %(collector)s failed: %(reason)s"


class CallbackError(RamdiskError):
    message = ("posting the inspection data to %(url)s failed after %(attempts)s "
               "attempt(s): %(reason)s")


class CallbackRetryable(RamdiskError):
    """One post of the inspection data failed in a way worth retrying (no answer, or a
    status in the retry policy); ``post`` retries it and then raises CallbackError."""

    message = "%(reason)s"


class NoCallbackURL(RamdiskError):
    message = ("no callback URL: pass --callback-url or boot with "
               "ipa-inspection-callback-url=URL (or discoverd_callback_url=URL) on the "
               "kernel command line %(source)s")


class CommandFailed(RamdiskError):
    """A command the agent ran exited non-zero, could not start or was killed."""

    message = "%(command)s %(outcome)s: %(tail)s"
