"""Post the discovery payload to the callback URL, with bounded retries and backoff.

Retried: connection errors, timeouts and the answers that mean "try later" (408,
409 - node locked, 429, 5xx). Any other 4xx is final: the payload or the URL is
wrong and sending it again will not help.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import requests
import tenacity

from ramdisk.exception import CallbackError, CallbackRetryable

LOG = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


@dataclasses.dataclass
class RetryPolicy:
    """How hard to try.

    :param attempts: total attempts, at least 1.
    :param backoff: first wait in seconds, doubled after each failure.
    :param max_backoff: longest wait between attempts.
    :param timeout: seconds for one HTTP request (connect and read).
    :param retry_statuses: HTTP codes that are retried.
    """

    attempts: int = 6
    backoff: float = 1.0
    max_backoff: float = 30.0
    timeout: float = 60.0
    retry_statuses: frozenset[int] = RETRY_STATUSES


def _post_once(session: requests.Session, url: str, payload: dict[str, Any],
               policy: RetryPolicy) -> requests.Response:
    try:
        response = session.post(url, json=payload, timeout=policy.timeout)
    except (requests.ConnectionError, requests.Timeout) as exc:
        LOG.warning("posting to %s failed: %s", url, exc)
        raise CallbackRetryable(reason=str(exc)) from exc
    if response.status_code in policy.retry_statuses:
        LOG.warning("%s answered %s: %s", url, response.status_code, response.text[:500])
        raise CallbackRetryable(reason=f"HTTP {response.status_code}: {response.text[:200]}")
    return response


def post(url: str, payload: dict[str, Any], policy: RetryPolicy | None = None,
         session: requests.Session | None = None) -> dict[str, Any]:
    """Post ``payload`` as JSON to ``url`` and return the decoded answer ({} if none).

    :raises CallbackError: when every attempt failed or the answer is a final error.
    """
    if session is None:
        with requests.Session() as own:
            return post(url, payload, policy, own)
    policy = policy or RetryPolicy()
    attempts = max(1, policy.attempts)
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(attempts),
        wait=tenacity.wait_exponential(multiplier=policy.backoff, max=policy.max_backoff),
        retry=tenacity.retry_if_exception_type(CallbackRetryable),
        before_sleep=lambda state: LOG.info(
            "attempt %s of %s to post to %s failed; retrying in %.1fs",
            state.attempt_number, attempts, url,
            state.next_action.sleep if state.next_action else 0.0),
        reraise=True,
    )
    LOG.info("posting the inspection data to %s", url)
    try:
        response = retrying(_post_once, session, url, payload, policy)
    except CallbackRetryable as exc:
        raise CallbackError(url=url, attempts=attempts, reason=str(exc)) from exc
    if response.status_code >= 400:
        raise CallbackError(url=url,
                            attempts=retrying.statistics.get("attempt_number", 1),
                            reason=f"HTTP {response.status_code}: {response.text[:500]}")
    LOG.info("%s accepted the inspection data (HTTP %s)", url, response.status_code)
    try:
        answer = response.json() if response.content else {}
    except ValueError:
        answer = {}
    return answer if isinstance(answer, dict) else {"answer": answer}
