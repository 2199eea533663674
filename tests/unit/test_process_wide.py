"""ProcessWide: built once on first use, replaceable, rebuilt after a reset."""

import threading

from ironic_tripleo.process_wide import ProcessWide


def test_built_once_on_first_use_even_from_many_threads():
    built = []

    def build():
        built.append(object())
        return built[-1]

    shared = ProcessWide(build)
    assert built == []
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(shared.get())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert all(value is built[0] for value in seen)


def test_replace_returns_the_previous_and_none_rebuilds():
    count = iter(range(100))
    shared = ProcessWide(lambda: f"built-{next(count)}")
    assert shared.get() == "built-0"
    assert shared.replace("mine") == "built-0"
    assert shared.get() == "mine"
    assert shared.replace(None) == "mine"
    assert shared.get() == "built-1"
