"""Fixtures of discoverd's unit tests: configuration, fake Ironic, app and client."""

import pytest

from discoverd.app import create_app, get_service
from discoverd.conf import new_conf
from tests.harness.fake_ironic import FakeIronic


@pytest.fixture
def conf(tmp_path):
    """A parsed configuration with a SQLite database under ``tmp_path``."""
    conf = new_conf([])
    conf.set_override("connection", f"sqlite:///{tmp_path / 'discoverd.sqlite'}",
                      group="database")
    return conf


@pytest.fixture
def ironic():
    return FakeIronic()


@pytest.fixture
def app(conf, ironic):
    app = create_app(conf, ironic=ironic)
    app.config["TESTING"] = True
    yield app
    get_service(app).db.dispose()


@pytest.fixture
def service(app):
    return get_service(app)


@pytest.fixture
def client(app):
    return app.test_client()
