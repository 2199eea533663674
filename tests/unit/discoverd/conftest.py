"""Fixtures of discoverd's unit tests: configuration, fake Ironic, app and client."""

import shutil

import pytest

from discoverd.app import create_app, get_service
from discoverd.conf import new_conf
from discoverd.db.api import Database
from tests.harness.fake_ironic import FakeIronic


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    """A SQLite file migrated to head once per session: each test copies it (the
    migrations' DDL, fsync'ed, cost about 0.3 s per test)."""
    path = tmp_path_factory.mktemp("discoverd-db") / "template.sqlite"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return path


@pytest.fixture
def conf(tmp_path, migrated_db):
    """A parsed configuration with a SQLite database (already at head) under
    ``tmp_path``; the app's own upgrade finds nothing to do."""
    target = tmp_path / "discoverd.sqlite"
    shutil.copyfile(migrated_db, target)
    conf = new_conf([])
    conf.set_override("connection", f"sqlite:///{target}", group="database")
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
