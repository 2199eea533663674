import hashlib
import threading
import time

import pytest

from ironic_tripleo.deploy import checksum
from ironic_tripleo.deploy.image_cache import ImageCache
from ironic_tripleo.deploy.image_source import ImageSource
from ironic_tripleo.exception import ImageChecksumMismatch


class SlowSource(ImageSource):
    def __init__(self, data: bytes, delay: float = 0.0):
        super().__init__("fake://img")
        self.data, self.delay, self.fetches = data, delay, 0

    def fetch(self, dest):
        self.fetches += 1
        time.sleep(self.delay)
        dest.write_bytes(self.data)


def expected(data: bytes) -> checksum.Expected:
    return checksum.Expected("sha256", hashlib.sha256(data).hexdigest())


def test_concurrent_deploys_share_one_download(tmp_path):
    cache = ImageCache(tmp_path, max_bytes=10**9)
    source = SlowSource(b"x" * 1000, delay=0.2)
    seen = []

    def deploy():
        with cache.image(source, expected(source.data)) as path:
            seen.append(path.read_bytes())

    threads = [threading.Thread(target=deploy) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert source.fetches == 1 and seen == [source.data] * 4


def test_bad_download_not_published(tmp_path):
    cache = ImageCache(tmp_path, max_bytes=10**9)
    with pytest.raises(ImageChecksumMismatch), cache.image(SlowSource(b"evil"),
                                                           expected(b"good")):
        pytest.fail("must not be reached")
    assert cache.entries() == [] and not [p for p in tmp_path.iterdir()
                                          if p.name.startswith(".partial")]


def test_trim_keeps_images_in_use(tmp_path):
    cache = ImageCache(tmp_path, max_bytes=1500)
    a, b = SlowSource(b"a" * 1000), SlowSource(b"b" * 1000)
    with cache.image(a, expected(a.data)) as path_a:
        with cache.image(b, expected(b.data)) as path_b:
            assert path_a.exists() and path_b.exists()  # a is in use: not removed
        c = SlowSource(b"c" * 1000)
        with cache.image(c, expected(c.data)):
            assert path_a.exists() and not path_b.exists()
