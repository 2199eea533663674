"""Options listing, config files and the console scripts."""

import pytest

from discoverd import cmd
from discoverd.conf import new_conf
from discoverd.conf.opts import list_opts


def test_list_opts_have_help():
    groups = dict(list_opts())
    assert {"DEFAULT", "database", "ironic", "processing",
            "keystone_authtoken"} <= set(groups)
    for options in groups.values():
        assert all(opt.help for opt in options)


def test_config_file_and_limits(tmp_path):
    path = tmp_path / "discoverd.conf"
    path.write_text("[DEFAULT]\ntimeout = 60\n[processing]\nhooks = scheduler\n")
    conf = new_conf(["--config-file", str(path)])
    assert conf.timeout == 60 and conf.processing.hooks == ["scheduler"]
    path.write_text("[DEFAULT]\nauth_strategy = kerberos\n")
    with pytest.raises(ValueError):
        new_conf(["--config-file", str(path)]).auth_strategy  # noqa: B018


def test_dbsync(tmp_path):
    db = tmp_path / "x.sqlite"
    path = tmp_path / "discoverd.conf"
    path.write_text(f"[database]\nconnection = sqlite:///{db}\n")
    assert cmd.dbsync(["--config-file", str(path)]) == 0
    assert db.exists()


def test_main_reports_config_errors(tmp_path):
    path = tmp_path / "discoverd.conf"
    path.write_text(f"[database]\nconnection = sqlite:///{tmp_path / 'x.sqlite'}\n"
                    f"[ironic]\nurl = http://127.0.0.1:1\n[processing]\nhooks = nope\n")
    assert cmd.main(["--config-file", str(path)]) == 1
