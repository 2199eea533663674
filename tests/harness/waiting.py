"""``wait_for``: poll a condition until it holds, or fail naming what was awaited.

A wait bound, never a timed assertion: give it a generous timeout (the loop ends as
soon as the condition holds). Polling is tenacity's, the one retry primitive.
"""

from collections.abc import Callable

import tenacity


def wait_for(predicate: Callable[[], object], timeout: float = 30.0, interval: float = 0.1,
             what: str = "condition") -> object:
    """Poll ``predicate`` until it returns a truthy value; raise TimeoutError naming ``what``.

    An exception from ``predicate`` is not retried: it propagates.
    """
    def timed_out(state: tenacity.RetryCallState) -> object:
        raise TimeoutError(f"timed out after {timeout}s waiting for {what}")

    retrying = tenacity.Retrying(stop=tenacity.stop_after_delay(timeout),
                                 wait=tenacity.wait_fixed(interval),
                                 retry=tenacity.retry_if_result(lambda value: not value),
                                 retry_error_callback=timed_out)
    return retrying(predicate)
