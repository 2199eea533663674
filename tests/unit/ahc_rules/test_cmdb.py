import threading

import pytest

from ahc_rules.cmdb import Cmdb, rules_lock, save_cmdb
from ahc_rules.exception import CmdbExhaustedError, LockTimeout
from ahc_rules.rules_parser import parse_cmdb


def test_first_free_entry_then_same_entry_again():
    cmdb = Cmdb("control", [{"hostname": "h0"}, {"hostname": "h1"}])
    first = cmdb.bind({"mac": "m0"}, {})
    assert first == {"hostname": "h0", "mac": "m0", "used": 1}
    assert cmdb.bind({"mac": "m1"}, {})["hostname"] == "h1"
    assert cmdb.bind({"mac": "m0"}, {})["hostname"] == "h0"  # idempotent rematch
    with pytest.raises(CmdbExhaustedError, match="cmdb of role control: all 2 entries"):
        cmdb.bind({"mac": "m2"}, {})
    assert cmdb.changed


def test_forced_binding_by_cmdb_variable():
    cmdb = Cmdb("c", [{"mac": "m0", "hostname": "h0"}, {"mac": "m1", "hostname": "h1"}])
    assert cmdb.bind({"mac": "m1", "d": "sda"}, {"mac": "m1"})["hostname"] == "h1"
    assert not cmdb.can_bind({"mac": "m9"}, {"mac": "m9"})
    with pytest.raises(CmdbExhaustedError, match="no entry holds"):
        cmdb.bind({"mac": "m9"}, {"mac": "m9"})


def test_input_entries_are_not_modified():
    entries = [{"hostname": "h0"}]
    Cmdb("c", entries).bind({"x": "1"}, {})
    assert entries == [{"hostname": "h0"}]


def test_save_keeps_generate_original(tmp_path):
    path = tmp_path / "r.cmdb"
    path.write_text("generate({'hostname': 'h1-2'})")
    save_cmdb(path, [{"hostname": "h1", "used": 1}, {"hostname": "h2"}])
    assert parse_cmdb(path.read_text(), "r.cmdb")[0] == {"hostname": "h1", "used": 1}
    assert (tmp_path / "r.cmdb.orig").read_text().startswith("generate(")


def test_lock_excludes_and_times_out(tmp_path):
    entered = threading.Event()
    release = threading.Event()

    def hold():
        with rules_lock(tmp_path):
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    entered.wait(5)
    with pytest.raises(LockTimeout, match="could not lock"):
        with rules_lock(tmp_path, timeout=0.2):
            pass
    release.set()
    thread.join()
    with rules_lock(tmp_path, timeout=1):
        pass
