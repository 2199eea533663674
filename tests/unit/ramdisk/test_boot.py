"""init's kernel command line parsing (``ramdisk.boot.plan``) and agent command line."""

import pytest

from ramdisk import boot

# what Ironic 39's pxe_config.template writes for the deploy and the inspection boots
DEPLOY = ("selinux=0 troubleshoot=0 text nofb vga=normal console=ttyS0 "
          "ipa-api-url=http://198.51.100.1:6385 ipa-global-request-id=req-1 "
          "BOOTIF=01-52-54-00-aa-bb-01")
INSPECT = ("selinux=0 troubleshoot=0 text nofb vga=normal "
           "ipa-inspection-callback-url=http://198.51.100.1:5050/v1/continue "
           "ipa-inspection-collectors=default,logs ipa-collect-lldp=1 "
           "ipa-api-url=http://198.51.100.1:6385 BOOTIF=01-52-54-00-aa-bb-02")


def test_deploy_command_line():
    p = boot.plan(DEPLOY)
    assert (p.mode, p.boot_mac, p.poweroff, p.attempts) == ("deploy", "52:54:00:aa:bb:01",
                                                            True, 3)
    assert p.warnings == []


def test_inspection_wins_over_api_url():
    p = boot.plan(INSPECT)
    assert p.mode == "discover" and p.boot_mac == "52:54:00:aa:bb:02"


def test_old_discoverd_callback_alias():
    assert boot.plan("discoverd_callback_url=http://x/v1/continue").mode == "discover"


def test_nothing_asked():
    p = boot.plan("console=ttyS0 BOOTIF=01-52-54-00-aa-bb-01")
    assert p.mode is None


def test_forced_mode_and_options():
    p = boot.plan(f"{INSPECT} tripleo-ramdisk-mode=deploy tripleo-poweroff=0 "
                  "tripleo-agent-attempts=5 tripleo-agent-retry-delay=0.5 "
                  "tripleo-modules=bonding,8021q ipa-debug=1")
    assert (p.mode, p.poweroff, p.attempts, p.retry_delay, p.modules, p.debug) == (
        "deploy", False, 5, 0.5, ("bonding", "8021q"), True)


@pytest.mark.parametrize("word, fragment", [
    ("tripleo-ramdisk-mode=rescue", "tripleo-ramdisk-mode='rescue'"),
    ("tripleo-agent-attempts=lots", "tripleo-agent-attempts='lots'"),
    ("tripleo-agent-attempts=0", "tripleo-agent-attempts='0'"),
    ("tripleo-agent-retry-delay=-1", "tripleo-agent-retry-delay='-1'"),
    ("BOOTIF=garbage", "BOOTIF"),
])
def test_bad_values_warn_and_fall_back(word, fragment):
    p = boot.plan(f"{INSPECT} {word}")
    assert p.mode == "discover" and p.attempts == 3 and p.retry_delay == 10.0
    assert any(fragment in w for w in p.warnings), p.warnings


def test_words_after_double_dash_are_inits():
    assert boot.plan("console=ttyS0 -- ipa-api-url=http://x").mode is None


def test_agent_argv():
    argv = boot.agent_argv(boot.plan(DEPLOY + " ipa-debug=1"))
    assert argv[1:] == ["-m", "ramdisk.cmd", "-v", "deploy", "--poweroff-command",
                        "busybox poweroff -f"]
    assert boot.agent_argv(boot.plan(INSPECT))[3:] == ["discover"]


def test_nics_prefers_the_boot_mac(tmp_path):
    for name, mac in (("lo", "00:00:00:00:00:00"), ("ens3", "52:54:00:aa:bb:01"),
                      ("ens4", "52:54:00:aa:bb:02")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "address").write_text(mac + "\n")
    assert boot.nics("52:54:00:aa:bb:02", str(tmp_path)) == ["ens4"]
    assert boot.nics(None, str(tmp_path)) == ["ens3", "ens4"]
    assert boot.nics("52:54:00:ff:ff:ff", str(tmp_path)) == ["ens3", "ens4"]


def test_failed_agent_runs_are_printed_and_retried(mocker, capsys):
    run = mocker.patch("subprocess.run", autospec=True)
    run.side_effect = [mocker.Mock(returncode=1), mocker.Mock(returncode=0)]
    sleep = mocker.patch("time.sleep", autospec=True)
    plan = boot.plan(f"{INSPECT} tripleo-agent-attempts=3 tripleo-agent-retry-delay=7")
    assert boot.run_agent(plan) == 0
    assert run.call_count == 2 and sleep.call_args_list == [mocker.call(7.0)]
    out = capsys.readouterr().out
    assert "ironic-tripleo: discover failed with exit code 1 (attempt 1/3)" in out


def test_gives_up_after_the_last_attempt(mocker, capsys):
    run = mocker.patch("subprocess.run", autospec=True)
    run.return_value.returncode = 1
    mocker.patch("time.sleep", autospec=True)
    assert boot.run_agent(boot.plan(f"{DEPLOY} tripleo-agent-attempts=2")) == 1
    assert run.call_count == 2
    assert "deploy failed with exit code 1 (attempt 2/2)" in capsys.readouterr().out
