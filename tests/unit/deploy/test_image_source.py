import pytest

from ironic_tripleo.deploy import image_source
from ironic_tripleo.exception import ImageSourceError


class FakeGlance:
    def download(self, href, fileobj):
        fileobj.write(b"glance:" + href.encode())

    def show(self, href):
        if href != "uuid-1":
            raise LookupError(f"Image {href} could not be found.")
        return {"checksum": "cd", "os_hash_algo": None, "os_hash_value": None,
                "properties": {"hash_algo": "sha512", "hash_value": "ab"}}


def test_source_for():
    assert isinstance(image_source.source_for("file:///x"), image_source.FileSource)
    assert isinstance(image_source.source_for("https://h/x"), image_source.HTTPSource)
    assert isinstance(image_source.source_for("7c3c1e1a-0000-4000-8000-000000000001",
                                              FakeGlance()), image_source.GlanceSource)
    with pytest.raises(ImageSourceError, match="Glance"):
        image_source.source_for("7c3c1e1a-0000-4000-8000-000000000001")
    with pytest.raises(ImageSourceError, match="'ftp' is not supported"):
        image_source.source_for("ftp://h/x")


def test_file_and_glance_fetch(tmp_path):
    src = tmp_path / "a b.img"
    src.write_bytes(b"data")
    dest = tmp_path / "dest"
    image_source.source_for(src.as_uri()).fetch(dest)
    assert dest.read_bytes() == b"data"
    image_source.GlanceSource("uuid-1", FakeGlance()).fetch(dest)
    assert dest.read_bytes() == b"glance:uuid-1"
    with pytest.raises(ImageSourceError, match="missing"):
        image_source.FileSource((tmp_path / "missing").as_uri()).fetch(dest)


def test_glance_checksum_fields():
    assert image_source.GlanceSource("uuid-1", FakeGlance()).checksum_fields() == {
        "image_os_hash_algo": "sha512", "image_os_hash_value": "ab", "image_checksum": "cd"}
    with pytest.raises(ImageSourceError, match="Cannot fetch image uuid-2: Image uuid-2 "
                                               "could not be found"):
        image_source.GlanceSource("uuid-2", FakeGlance()).checksum_fields()


def test_http_fetch(callback_server_like, tmp_path):
    dest = tmp_path / "dest"
    image_source.HTTPSource(callback_server_like + "/img", timeout=5).fetch(dest)
    assert dest.read_bytes() == b"http-image"
    with pytest.raises(ImageSourceError, match="HTTP 404"):
        image_source.HTTPSource(callback_server_like + "/missing", timeout=5).fetch(dest)


@pytest.fixture
def callback_server_like():
    from tests.harness.http_server import QuietHandler, serving

    class Handler(QuietHandler):
        def do_GET(self):  # noqa: N802
            ok = self.path == "/img"
            body = b"http-image" if ok else b"no"
            self.send_response(200 if ok else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serving(Handler) as server:
        yield server.url
