"""The devstack plugin, run phase by phase against stand-ins of devstack's functions.

devstack itself is not on this machine, so ``tests/integration/devstack/standins.sh``
replaces its functions with recorders; the plugin's scripts, the INI files it writes,
``discoverd-dbsync`` and ``discoverd`` are real, and the written ``ironic.conf`` is
checked by real Ironic 39's own default-interface logic.
"""

from __future__ import annotations

import configparser
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.harness.ports import free_port

REPO = Path(__file__).resolve().parents[2]
STANDINS = Path(__file__).parent / "devstack"
SCRIPTS = [REPO / "devstack" / "plugin.sh", REPO / "devstack" / "settings",
           REPO / "devstack" / "lib" / "ironic-tripleo"]
VENV_BIN = Path(sys.executable).parent

# What devstack's Ironic plugin writes before ours runs (its defaults).
DEVSTACK_IRONIC_DEFAULTS = {
    "enabled_hardware_types": "ipmi,fake-hardware",
    "enabled_power_interfaces": "fake,ipmitool",
    "enabled_management_interfaces": "fake,ipmitool",
    "enabled_boot_interfaces": "fake,ipxe",
    "enabled_deploy_interfaces": "fake,direct,ramdisk",
    "enabled_inspect_interfaces": "fake,agent,no-inspect",
    "enabled_vendor_interfaces": "fake,ipmitool,no-vendor",
    "enabled_console_interfaces": "fake,no-console",
    "enabled_network_interfaces": "flat,noop",
}
SERVICES = "key,glance,g-api,mysql,ir-api,ir-cond"


@dataclass
class Run:
    """One devstack run: the recorded calls and the files the plugin wrote."""

    calls: list[list[str]]
    builds: list[str]
    ironic_conf: Path
    discoverd_conf: Path
    env: dict[str, str]
    returncode: int
    output: str

    def named(self, name: str) -> list[list[str]]:
        return [c[1:] for c in self.calls if c[0] == name]

    def index(self, call: list[str]) -> int:
        return self.calls.index(call)


def _runner(tmp_path: Path):
    """Return ``run(phases, ironic_defaults=..., after_settings=..., **env)``.

    It runs the plugin's phases in one bash under ``tmp_path`` and returns a `Run`.
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("discoverd", "discoverd-dbsync"):
        (bin_dir / name).symlink_to(VENV_BIN / name)
    shutil.copy(STANDINS / "ironic-tripleo", bin_dir / "ironic-tripleo")
    (tmp_path / "db").mkdir()
    ironic_conf = tmp_path / "etc-ironic" / "ironic.conf"
    ironic_conf.parent.mkdir()
    port = free_port()
    env = {
        "PATH": os.environ["PATH"], "HOME": str(tmp_path),
        "STANDIN_CALLS": str(tmp_path / "calls"), "STANDIN_BUILDS": str(tmp_path / "builds"),
        "STANDIN_PYTHON": sys.executable, "STANDIN_BIN": str(bin_dir),
        "STANDIN_DB_DIR": str(tmp_path / "db"),
        "ENABLED_SERVICES": SERVICES, "DEST": str(tmp_path / "opt-stack"),
        "DATA_DIR": str(tmp_path / "data"), "IRONIC_TRIPLEO_DIR": str(REPO),
        "IRONIC_CONF_FILE": str(ironic_conf), "DISCOVERD_CONF_DIR": str(tmp_path / "etc-d"),
        "DISCOVERD_PORT": str(port), "SERVICE_HOST": "203.0.113.5",
        "SERVICE_LISTEN_ADDRESS": "127.0.0.1", "SERVICE_PROTOCOL": "http",
        "STACK_USER": os.environ.get("USER", "root"), "REGION_NAME": "RegionOne",
        "ENABLE_DEBUG_LOG_LEVEL": "True", "OFFLINE": "False",
        "DATABASE_USER": "root", "DATABASE_PASSWORD": "secret", "MYSQL_HOST": "127.0.0.1",
        "DATABASE_HOST": "127.0.0.1",
        # devstack's own (stackrc, lib/keystone), read with DISCOVERD_AUTH_STRATEGY=keystone
        "KEYSTONE_SERVICE_URI": "http://203.0.113.5/identity", "SERVICE_PASSWORD": "pw-svc",
        "SERVICE_PROJECT_NAME": "service", "SERVICE_DOMAIN_NAME": "Default",
    }

    def run(phases: list[list[str]], ironic_defaults: dict[str, str] | None = None,
            after_settings: str = "", **overrides: str) -> Run:
        defaults = DEVSTACK_IRONIC_DEFAULTS if ironic_defaults is None else ironic_defaults
        ini = configparser.ConfigParser(interpolation=None)
        ini.optionxform = str
        ini.read_dict({"DEFAULT": defaults})
        with ironic_conf.open("w") as f:
            ini.write(f)
        # devstack sources the settings once, then plugin.sh once per phase, in one shell.
        script = ["set -o errexit -o nounset -o pipefail",
                  f"source {shlex.quote(str(STANDINS / 'standins.sh'))}",
                  f"source {shlex.quote(str(REPO / 'devstack' / 'settings'))}",
                  after_settings]
        script += [f"source {shlex.quote(str(REPO / 'devstack' / 'plugin.sh'))} "
                   + " ".join(phase) for phase in phases]
        proc = subprocess.run(["bash", "-c", "\n".join(script)], env={**env, **overrides},
                              capture_output=True, text=True, timeout=120, check=False)
        calls_file, builds_file = Path(env["STANDIN_CALLS"]), Path(env["STANDIN_BUILDS"])
        calls = [line.split("\t") for line in calls_file.read_text().splitlines()] \
            if calls_file.exists() else []
        builds = builds_file.read_text().splitlines() if builds_file.exists() else []
        for path in (calls_file, builds_file):
            path.unlink(missing_ok=True)
        return Run(calls, builds, ironic_conf,
                   Path(env["DISCOVERD_CONF_DIR"]) / "discoverd.conf", {**env, **overrides},
                   proc.returncode, proc.stdout + proc.stderr)

    return run


@pytest.fixture
def devstack(tmp_path: Path):
    """A runner of the plugin's phases in this test's own directory."""
    return _runner(tmp_path)


STACK = [["stack", "pre-install"], ["stack", "install"], ["stack", "post-config"],
         ["stack", "extra"], ["stack", "test-config"]]
CONFIGURE = [["stack", "pre-install"], ["stack", "install"], ["stack", "post-config"]]
NO_DISCOVERD = "ENABLED_SERVICES=${ENABLED_SERVICES//,discoverd/}"


@pytest.fixture(scope="module")
def stacked(tmp_path_factory) -> Run:
    """All ``stack`` phases once with devstack's defaults (read-only for the tests)."""
    run = _runner(tmp_path_factory.mktemp("devstack"))(STACK)
    assert run.returncode == 0, run.output
    return run


def _ini(path: Path) -> configparser.ConfigParser:
    ini = configparser.ConfigParser(interpolation=None)
    ini.optionxform = str
    ini.read(path)
    return ini


def _ironic_defaults(conf: Path) -> dict[str, dict[str, str]]:
    """Each enabled hardware type's default interfaces, by real Ironic 39 from ``conf``.

    The same calls the conductor makes when it registers hardware types at start (it
    refuses to start when one raises).
    """
    code = """
import json, sys
from ironic.common import driver_factory
from ironic.conf import CONF
CONF(["--config-file", sys.argv[1]], project="ironic")
# ipxe writes its boot script under http_root when it loads (devstack's is /httpboot)
CONF.set_override("http_root", sys.argv[2], group="deploy")
CONF.set_override("tftp_root", sys.argv[2], group="pxe")
out = {}
for name, hw in driver_factory.hardware_types().items():
    out[name] = {iface: driver_factory.default_interface(hw, iface, driver_name=name)
                 for iface in driver_factory.enabled_supported_interfaces(hw)}
print(json.dumps(out))
"""
    boot_root = conf.parent / "boot-root"
    boot_root.mkdir(exist_ok=True)
    proc = subprocess.run([sys.executable, "-c", code, str(conf), str(boot_root)],
                          capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_scripts_are_shellcheck_clean():
    for script in [*SCRIPTS, STANDINS / "standins.sh", STANDINS / "ironic-tripleo"]:
        proc = subprocess.run(["shellcheck", "-x", str(script.relative_to(REPO))], cwd=REPO,
                              capture_output=True, text=True, timeout=60, check=False)
        assert proc.returncode == 0, f"{script}:\n{proc.stdout}{proc.stderr}"


def test_shellcheck_reports_a_defect(tmp_path: Path):
    """The lint above can fail: an unquoted variable in a test is reported."""
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/bin/bash\nif [ $1 = x ]; then echo y; fi\n")
    proc = subprocess.run(["shellcheck", str(bad)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode != 0 and "SC2086" in proc.stdout


def test_settings_define_the_plugin_and_its_services(devstack):
    run = devstack([])
    assert run.returncode == 0
    assert run.named("define_plugin") == [["ironic-tripleo"]]
    assert run.named("plugin_requires") == [["ironic-tripleo", "ironic"]]
    assert run.named("enable_service") == [["ironic-tripleo", "discoverd"]]


def test_stack_next_to_devstack_ironic_defaults(stacked):
    """devstack's own ipmi and fake-hardware stay; ours are added and valid."""
    run = stacked
    # the deliverables this node runs (setup.cfg extras), not the lab's or the tests'
    assert run.named("setup_develop") == [[str(REPO), "conductor,cli,discoverd"]]

    ironic = _ini(run.ironic_conf)
    d = ironic["DEFAULT"]
    assert d["enabled_hardware_types"] == "ipmi,fake-hardware,tripleo-ipmi"
    assert d["enabled_power_interfaces"] == "fake,ipmitool,pyghmi"
    assert d["enabled_management_interfaces"] == "fake,ipmitool,pyghmi"
    assert d["enabled_deploy_interfaces"] == "fake,direct,ramdisk,iscsi"
    assert d["enabled_inspect_interfaces"] == "fake,agent,no-inspect,discoverd"
    # no global default (it would apply to ipmi too, which supports neither), and
    # nothing to warn about: tripleo-ipmi's own list makes ours its defaults
    assert "default_deploy_interface" not in d and "default_inspect_interface" not in d
    assert run.named("warn") == []
    port = run.env["DISCOVERD_PORT"]
    assert ironic["tripleo_discoverd"]["url"] == f"http://203.0.113.5:{port}"
    assert ironic["tripleo_discoverd"]["require_managed_boot"] == "True"
    assert ironic["tripleo_ipmi"]["min_command_interval"] == "0.1"
    assert ironic["tripleo_ipmi"]["max_concurrent_commands"] == "1"
    _assert_our_options_exist(ironic)

    # the conductor's start-up registration succeeds with this ironic.conf, and what
    # real Ironic gives a tripleo-ipmi node created without interfaces, although the
    # fake interfaces (fake-hardware's) are enabled too: ours, never a fake
    defaults = _ironic_defaults(run.ironic_conf)
    assert set(defaults) == {"ipmi", "fake-hardware", "tripleo-ipmi"}
    tripleo = defaults["tripleo-ipmi"]
    assert (tripleo["power"], tripleo["management"]) == ("pyghmi", "pyghmi")
    assert (tripleo["deploy"], tripleo["inspect"]) == ("iscsi", "discoverd")
    assert tripleo["boot"] == "ipxe" and tripleo["vendor"] == "no-vendor"
    assert defaults["fake-hardware"]["deploy"] == "fake"


def test_stack_tripleo_only_gives_the_same_defaults(devstack):
    run = devstack(CONFIGURE, ironic_defaults={
        **DEVSTACK_IRONIC_DEFAULTS, "enabled_hardware_types": "tripleo-ipmi"})
    assert run.returncode == 0, run.output
    assert "default_deploy_interface" not in _ini(run.ironic_conf)["DEFAULT"]
    tripleo = _ironic_defaults(run.ironic_conf)["tripleo-ipmi"]
    assert (tripleo["deploy"], tripleo["inspect"]) == ("iscsi", "discoverd")
    assert (tripleo["power"], tripleo["management"], tripleo["boot"]) == \
        ("pyghmi", "pyghmi", "ipxe")


def _assert_our_options_exist(ironic: configparser.ConfigParser) -> None:
    """Every key the plugin writes in our groups is one of our registered options."""
    from ironic_tripleo.conf.opts import list_opts

    known = {group: {o.name for o in opts} for group, opts in list_opts()}
    for group in ("tripleo_discoverd", "tripleo_ipmi"):
        assert set(ironic[group]) - set(ironic.defaults()) <= known[group], group


def test_discoverd_config_accounts_db_and_process(stacked):
    run = stacked
    from discoverd.conf import new_conf

    conf = new_conf(["--config-file", str(run.discoverd_conf)], default_config_files=[])
    port = int(run.env["DISCOVERD_PORT"])
    assert (conf.listen_address, conf.listen_port) == ("127.0.0.1", port)
    assert conf.auth_strategy == "noauth" and conf.debug is True
    assert conf.ironic.cloud == "devstack-admin"
    assert conf.database.upgrade_on_start is False
    db = Path(run.env["STANDIN_DB_DIR"]) / "discoverd.sqlite"
    assert conf.database.connection == f"sqlite:///{db}"
    written = _ini(run.discoverd_conf)
    for group in ("DEFAULT", "database", "ironic"):
        keys = set(written.defaults()) if group == "DEFAULT" else \
            set(written[group]) - set(written.defaults())
        registered = conf if group == "DEFAULT" else conf[group]
        for key in keys:
            assert key in registered, (group, key)

    # Keystone service user and catalog entry
    assert run.named("create_service_user") == [["discoverd", "admin"]]
    assert run.named("get_or_create_service") == [
        ["discoverd", "baremetal-introspection", "Bare-metal introspection (discoverd)"]]
    assert run.named("get_or_create_endpoint") == [
        ["baremetal-introspection", "RegionOne", f"http://203.0.113.5:{port}"]]
    assert run.named("configure_keystone_authtoken_middleware") == []

    # the database was recreated, then the real discoverd-dbsync made the schema
    assert run.named("recreate_database") == [["discoverd"]]
    tables = subprocess.run(
        [sys.executable, "-c", "import sqlite3,sys; print(sorted(r[0] for r in "
         "sqlite3.connect(sys.argv[1]).execute(\"select name from sqlite_master "
         "where type='table'\")))", str(db)],
        capture_output=True, text=True, check=True, timeout=30).stdout
    assert "alembic_version" in tables

    (process,) = run.named("run_process")
    assert process[0] == "discoverd"
    argv = shlex.split(process[1])
    assert argv == [str(Path(run.env["STANDIN_BIN"]) / "discoverd"),
                    "--config-file", str(run.discoverd_conf)]
    _serve_briefly(argv, port, Path(run.env["HOME"]))


def _serve_briefly(argv: list[str], port: int, home: Path) -> None:
    """Start discoverd with the command line run_process got; its API answers.

    devstack writes clouds.yaml with a ``devstack-admin`` cloud; so does this (pointing
    at a Keystone that is not there: discoverd reaches Ironic only when asked to).
    """
    clouds = home / "clouds.yaml"
    clouds.write_text(json.dumps({"clouds": {"devstack-admin": {"auth": {
        "auth_url": f"http://127.0.0.1:{free_port()}/identity", "username": "admin",
        "password": "secret", "project_name": "admin", "user_domain_id": "default",
        "project_domain_id": "default"}, "region_name": "RegionOne"}}}))
    proc = subprocess.Popen(argv, env={**os.environ, "HOME": str(home),
                                       "OS_CLIENT_CONFIG_FILE": str(clouds)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                resp = requests.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "discoverd did not listen"
                time.sleep(0.2)
        assert resp.status_code == 200
        assert "versions" in resp.json()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_keystone_auth_strategy_configures_authtoken(devstack):
    run = devstack(CONFIGURE, DISCOVERD_AUTH_STRATEGY="keystone")
    assert run.returncode == 0
    assert run.named("configure_keystone_authtoken_middleware") == [
        [str(run.discoverd_conf), "discoverd"]]
    assert _ini(run.discoverd_conf).defaults()["auth_strategy"] == "keystone"


def test_ramdisk_built_registered_and_made_ironics_default(stacked):
    from ironic_tripleo.cli.main import build_parser

    run = stacked
    ramdisk_dir = Path(run.env["DATA_DIR"]) / "ironic-tripleo" / "ramdisk"
    cache_dir = Path(run.env["DATA_DIR"]) / "ironic-tripleo" / "ramdisk-cache"
    (build,) = [c for c in run.named("sudo") if c[0].endswith("/ironic-tripleo")]
    assert build[1:] == ["ramdisk", "build", "--output", str(ramdisk_dir),
                         "--cache-dir", str(cache_dir)]
    args = build_parser().parse_args(build[1:])  # the real command accepts them
    assert (args.output, args.cache_dir) == (ramdisk_dir, cache_dir)

    images = [c for c in run.named("openstack") if "image" in c]
    assert images == [
        ["--os-cloud", "devstack-admin", "image", "create", "ironic-tripleo.kernel",
         "--public", "--disk-format", "aki", "--container-format", "aki",
         "--file", str(ramdisk_dir / "ironic-tripleo.kernel"), "-f", "value", "-c", "id"],
        ["--os-cloud", "devstack-admin", "image", "create", "ironic-tripleo.initramfs",
         "--public", "--disk-format", "ari", "--container-format", "ari",
         "--file", str(ramdisk_dir / "ironic-tripleo.initramfs"), "-f", "value", "-c", "id"],
    ]
    conductor = _ini(run.ironic_conf)["conductor"]
    assert conductor["deploy_kernel"] == "image-ironic-tripleo.kernel"
    assert conductor["deploy_ramdisk"] == "image-ironic-tripleo.initramfs"
    # the conductor Ironic's plugin started reads the new defaults
    restart = ["restart_service", "devstack@ir-cond.service"]
    assert run.index(restart) > run.index(
        ["iniset", str(run.ironic_conf), "conductor", "deploy_ramdisk",
         "image-ironic-tripleo.initramfs"])



def test_ramdisk_not_rebuilt_when_both_files_exist(devstack, tmp_path: Path):
    ramdisk_dir = tmp_path / "data" / "ironic-tripleo" / "ramdisk"
    ramdisk_dir.mkdir(parents=True)
    for name in ("ironic-tripleo.kernel", "ironic-tripleo.initramfs"):
        (ramdisk_dir / name).write_text(name)
    run = devstack(STACK, after_settings=NO_DISCOVERD)
    assert run.returncode == 0, run.output
    assert run.builds == []
    assert len([c for c in run.named("openstack") if "image" in c]) == 2
    assert _ini(run.ironic_conf)["conductor"]["deploy_kernel"] == "image-ironic-tripleo.kernel"


def test_ramdisk_offline_without_files_stops_stack(devstack):
    run = devstack(STACK, after_settings=NO_DISCOVERD, OFFLINE="True")
    assert run.returncode != 0
    assert "OFFLINE" in " ".join(run.named("die")[0])
    assert run.builds == []


def test_ramdisk_skipped_without_glance_or_when_disabled(devstack):
    for run in (devstack(STACK, after_settings=NO_DISCOVERD,
                         ENABLED_SERVICES="key,mysql,ir-api,ir-cond"),
                devstack(STACK, after_settings=NO_DISCOVERD, IRONIC_TRIPLEO_RAMDISK="False")):
        assert run.returncode == 0
        assert run.builds == [] and not run.named("openstack")
        assert "conductor" not in _ini(run.ironic_conf)


def test_discoverd_disabled(devstack):
    """``disable_service discoverd`` in local.conf: Ironic is configured, no discoverd."""
    run = devstack(STACK, after_settings=NO_DISCOVERD)
    assert run.returncode == 0, run.output
    assert not run.named("run_process") and not run.named("recreate_database")
    assert not run.named("get_or_create_service") and not run.discoverd_conf.exists()
    ironic = _ini(run.ironic_conf)
    assert "tripleo_discoverd" not in ironic
    assert ironic["DEFAULT"]["enabled_inspect_interfaces"].endswith(",discoverd")


def test_unstack_stops_discoverd_and_clean_removes_its_files(devstack):
    stacked = devstack(STACK)
    assert stacked.returncode == 0
    data_dir = Path(stacked.env["DATA_DIR"]) / "ironic-tripleo"
    assert stacked.discoverd_conf.exists() and data_dir.exists()

    unstack = devstack([["unstack"]])
    assert unstack.returncode == 0
    assert unstack.named("stop_process") == [["discoverd"]]
    assert stacked.discoverd_conf.exists()

    clean = devstack([["clean"]])
    assert clean.returncode == 0
    assert clean.named("mysql") == [
        ["-uroot", "-psecret", "-h127.0.0.1", "-e", "DROP DATABASE IF EXISTS discoverd;"]]
    assert not stacked.discoverd_conf.parent.exists()
    assert not data_dir.exists()


def _ironic_conf_for_client(path: Path, discoverd_url: str):
    """Ironic's written ironic.conf as the conductor reads [tripleo_discoverd]."""
    from oslo_config import cfg

    from ironic_tripleo.conf import inspect as inspect_opts

    conf = cfg.ConfigOpts()
    inspect_opts.register(conf)
    conf(["--config-file", str(path)], project="ironic", default_config_files=[],
         default_config_dirs=[])
    conf.set_override("url", discoverd_url, group=inspect_opts.GROUP)
    return conf


def test_http_basic_credentials_reach_discoverd(devstack, tmp_path):
    """Ironic's written [tripleo_discoverd] credentials pass the htpasswd file the
    plugin wrote, in a real discoverd using the written auth options."""
    import uuid as uuidlib
    import warnings

    from discoverd.conf import new_conf
    from discoverd.server import Server
    from ironic_tripleo.exception import DiscoverdRefused

    with warnings.catch_warnings():  # Ironic 39 still imports eventlet, which warns
        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        from ironic_tripleo.inspect.discoverd import client_from_conf

    run = devstack(CONFIGURE, DISCOVERD_AUTH_STRATEGY="http_basic",
                   DISCOVERD_HTTP_BASIC_PASSWORD="pw-7f3a", PYTHON=sys.executable)
    assert run.returncode == 0, run.output
    section = _ini(run.ironic_conf)["tripleo_discoverd"]
    assert (section["auth_type"], section["username"]) == ("http_basic", "ironic")
    htpasswd = Path(_ini(run.discoverd_conf).defaults()["http_basic_auth_user_file"])
    assert htpasswd == Path(run.env["DISCOVERD_CONF_DIR"]) / "htpasswd"
    assert htpasswd.stat().st_mode & 0o077 == 0 and "pw-7f3a" not in htpasswd.read_text()

    conf = new_conf(["--config-file", str(run.discoverd_conf)])
    conf.set_override("connection", f"sqlite:///{tmp_path / 'd.sqlite'}", group="database")
    conf.set_override("upgrade_on_start", True, group="database")
    conf.set_override("listen_address", "127.0.0.1")
    # no devstack clouds.yaml here; discoverd only needs Ironic when asked to inspect
    conf.set_override("cloud", None, group="ironic")
    conf.set_override("url", f"http://127.0.0.1:{free_port()}", group="ironic")
    server = Server(conf, port=free_port()).start()
    try:
        assert requests.get(f"{server.url}/v1/introspection", timeout=5).status_code == 401
        client = client_from_conf(_ironic_conf_for_client(run.ironic_conf, server.url))
        with pytest.raises(DiscoverdRefused) as err:
            client.status(str(uuidlib.uuid4()))
        assert err.value.status == 404  # authenticated; the node is unknown
    finally:
        server.stop()


def test_keystone_credentials_are_ironics_service_user(devstack):
    from keystoneauth1 import loading as ks_loading

    from ironic_tripleo.conf import inspect as inspect_opts

    run = devstack(CONFIGURE, DISCOVERD_AUTH_STRATEGY="keystone", SERVICE_PASSWORD="pw-k",
                   KEYSTONE_SERVICE_URI="http://203.0.113.5/identity",
                   SERVICE_PROJECT_NAME="service", SERVICE_DOMAIN_NAME="Default")
    assert run.returncode == 0, run.output
    conf = _ironic_conf_for_client(run.ironic_conf, "http://unused")
    auth = ks_loading.load_auth_from_conf_options(conf, inspect_opts.GROUP)
    assert type(auth).__name__ == "Password"
    assert auth.auth_url == "http://203.0.113.5/identity"
    assert (auth._username, auth._password, auth._project_name) == ("ironic", "pw-k",
                                                                     "service")
    assert not (Path(run.env["DISCOVERD_CONF_DIR"]) / "htpasswd").exists()
