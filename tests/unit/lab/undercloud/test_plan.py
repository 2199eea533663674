import socket

from ironic_tripleo.cli.undercloud import format_status
from ironic_tripleo.lab.undercloud import service
from ironic_tripleo.lab.undercloud.plan import API_SERVICES, OTHER_PORTS, SQLITE_BUSY_TIMEOUT, Plan


def test_new_plan_has_distinct_ports_and_survives_a_reload(tmp_path):
    plan = Plan.new(tmp_path, tmp_path / "venv", ports={"keystone": 5999})
    assert set(plan.ports) == {*API_SERVICES, *OTHER_PORTS}
    assert plan.ports["keystone"] == 5999
    assert len(set(plan.ports.values())) == len(plan.ports)
    plan.processes["nova-api"] = {"pid": 42, "marker": str(tmp_path)}
    plan.save()
    again = Plan.load(tmp_path)
    assert again == plan and Plan.load(tmp_path / "nowhere") is None


def test_catalog_has_baremetal_only_over_a_lab(tmp_path):
    plan = Plan.new(tmp_path, tmp_path)
    assert {kind for kind, _ in plan.endpoints().values()} == {
        "identity", "placement", "image", "network", "compute", "orchestration"}
    plan.lab = {"ironic_url": "http://198.51.100.1:6385",
                "discoverd_url": "http://198.51.100.1:5050"}
    endpoints = plan.endpoints()
    assert endpoints["ironic"] == ("baremetal", "http://198.51.100.1:6385")
    assert endpoints["discoverd"] == ("baremetal-introspection", "http://198.51.100.1:5050")
    assert endpoints["nova"][1].endswith("/v2.1")
    assert plan.db_url("nova_api") == (f"sqlite:///{tmp_path}/data/nova_api.sqlite"
                                       f"?timeout={SQLITE_BUSY_TIMEOUT}")
    plan.database = "postgresql+psycopg://postgres@127.0.0.1:5432"
    assert plan.db_url("nova") == "postgresql+psycopg://postgres@127.0.0.1:5432/nova"
    assert plan.db_url("placement") == (
        "postgresql+psycopg://postgres@127.0.0.1:5432/placement")
    assert plan.process_env()["UC_PSYCOPG_LASTROWID"] == "1"  # Placement's lastrowid


def test_port_taken():
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        assert service.port_taken(held.getsockname()[1])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    assert not service.port_taken(free)


def test_status_table_totals_rss():
    text = format_status([{"name": "keystone", "pid": 10, "state": "running", "rss_mib": 100.5},
                          {"name": "nova-api", "pid": 11, "state": "stopped", "rss_mib": 0.0}])
    lines = text.splitlines()
    assert lines[1].split() == ["keystone", "10", "running", "100.5"]
    assert lines[-1].split() == ["total", "100.5"]
