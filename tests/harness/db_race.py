"""Two discoverd processes racing one introspection's transition on one database.

``race_to_processing(url)`` is run against SQLite by the unit tests and against
PostgreSQL by the integration tests.
"""

import threading

from discoverd import exception, records
from discoverd.db.api import Database
from discoverd.state import Event


def race_to_processing(url: str, node: str = "n1") -> list[str]:
    """Two Database objects (two processes) race waiting -> processing on ``url``.

    Returns what each got: ``won``, ``ConcurrentUpdate`` or ``InvalidTransition``.
    """
    first, second = Database(url), Database(url)
    try:
        first.upgrade()
        records.start(first, node, True, {})
        records.transition(first, node, Event.wait)
        results: list[str] = []
        barrier = threading.Barrier(2)

        def race(db):
            barrier.wait()
            try:
                records.transition(db, node, Event.process)
                results.append("won")
            except (exception.ConcurrentUpdate, exception.InvalidTransition) as exc:
                results.append(type(exc).__name__)

        threads = [threading.Thread(target=race, args=(d,)) for d in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results
    finally:
        first.dispose()
        second.dispose()
