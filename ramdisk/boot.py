"""The built image's init, after ``/init`` mounted proc, sys and dev.

Reads the kernel command line Ironic's PXE config wrote, starts udev (which loads the
modules for the devices found), brings up the boot NIC with DHCP (busybox udhcpc) and
runs the agent mode asked for; messages go to the console. ``plan`` is the pure part.

The ACPI power button (a BMC's soft off) powers the machine off: busybox ``acpid``
(already in the image for ``udhcpc``; no code of ours parses input events in PID 1)
runs ``ACPI_DIR/PWRF/00000080`` on a press, which syncs and powers off.

Kernel command line (besides what the agent itself reads, see ``cmdline``):

| parameter | meaning |
| --- | --- |
| ``tripleo-ramdisk-mode=M`` | ``discover`` or ``deploy`` (default: see ``plan``) |
| ``tripleo-poweroff=0`` | stay up after a successful discovery (default: power off) |
| ``tripleo-agent-attempts=N`` | runs of the agent before giving up (default 3) |
| ``tripleo-agent-retry-delay=S`` | seconds between runs (default 10) |
| ``tripleo-modules=a,b`` | extra kernel modules to load |
| ``ipa-debug=1`` | agent debug logs |
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path

import tenacity

from ramdisk import cmdline, command, lab_seam
from ramdisk.exception import CmdlineError

MODE_PARAM = "tripleo-ramdisk-mode"
POWEROFF_PARAM = "tripleo-poweroff"
ATTEMPTS_PARAM = "tripleo-agent-attempts"
DELAY_PARAM = "tripleo-agent-retry-delay"
MODULES_PARAM = "tripleo-modules"
MODES = ("discover", "deploy")
# loaded explicitly: no device alias makes udev load them (button and evdev: the
# power button must be an input device before acpid starts)
ALWAYS_MODULES = ("ipmi_si", "ipmi_devintf", "loop", "iscsi_tcp", "button", "evdev")
UDHCPC_SCRIPT = "/usr/lib/ironic-tripleo/udhcpc.sh"
# busybox acpid's configuration directory; it runs PWRF/00000080 (its name for a
# power-button press) from there
ACPI_DIR = "/usr/lib/ironic-tripleo/acpi"
POWER_BUTTON_ACTION = "PWRF/00000080"
POWEROFF = ("busybox", "poweroff", "-f")
SYS_NET = "/sys/class/net"


@dataclasses.dataclass
class BootPlan:
    """What init does, from the kernel command line.

    :param mode: ``discover``, ``deploy`` or None (nothing asked: an error on console).
    :param boot_mac: the PXE NIC's MAC (``BOOTIF``), or None: DHCP on every NIC.
    """

    mode: str | None
    boot_mac: str | None = None
    poweroff: bool = True
    attempts: int = 3
    retry_delay: float = 10.0
    modules: tuple[str, ...] = ()
    debug: bool = False
    warnings: list[str] = dataclasses.field(default_factory=list)


def _number(raw: dict[str, str], name: str, default: float, low: float, high: float,
            warnings: list[str]) -> float:
    if name not in raw:
        return default
    try:
        value = float(raw[name])
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        warnings.append(f"{name}={raw[name]!r} is not a number from {low:g} to {high:g}; "
                        f"using {default:g}")
        return default
    return value


def plan(text: str) -> BootPlan:
    """Return what init should do for the kernel command line ``text``.

    The mode is ``tripleo-ramdisk-mode`` if given, else ``discover`` when an inspection
    callback URL is given (Ironic's inspection also passes ``ipa-api-url``), else
    ``deploy`` when ``ipa-api-url`` is.
    """
    raw = cmdline.to_dict(text)
    warnings: list[str] = []
    mode = raw.get(MODE_PARAM) or None
    if mode is not None and mode not in MODES:
        warnings.append(f"{MODE_PARAM}={mode!r} is not one of {', '.join(MODES)}; ignored")
        mode = None
    if mode is None:
        if any(raw.get(p) for p in cmdline.CALLBACK_PARAMS):
            mode = "discover"
        elif any(raw.get(p) for p in cmdline.API_URL_PARAMS):
            mode = "deploy"
    boot_mac = None
    for name in cmdline.BOOT_MAC_PARAMS:
        if raw.get(name):
            try:
                boot_mac = cmdline.normalize_mac(raw[name], name)
                break
            except CmdlineError as exc:
                warnings.append(str(exc))
    poweroff = raw.get(POWEROFF_PARAM, "1").lower() not in ("0", "false", "no", "off")
    attempts = int(_number(raw, ATTEMPTS_PARAM, 3, 1, 100, warnings))
    delay = _number(raw, DELAY_PARAM, 10.0, 0, 3600, warnings)
    modules = tuple(m for m in raw.get(MODULES_PARAM, "").split(",") if m)
    debug = raw.get("ipa-debug", "0").lower() in ("1", "true", "yes")
    return BootPlan(mode, boot_mac, poweroff, attempts, delay, modules, debug, warnings)


def agent_argv(boot: BootPlan) -> list[str]:
    """The agent's command line for ``boot.mode``."""
    argv = [sys.executable, "-m", "ramdisk.cmd"]
    if boot.debug:
        argv.append("-v")
    argv.append(str(boot.mode))
    if boot.mode == "deploy":
        argv += ["--poweroff-command", " ".join(POWEROFF)]
    return argv


def say(message: str) -> None:
    print(f"ironic-tripleo: {message}", flush=True)


def _quiet(argv: list[str], timeout: float = 60) -> int:
    """Run ``argv`` with its output captured; say why when it could not run or hung."""
    result = command.run(argv, timeout)
    if result.returncode in (command.NOT_RUN, command.KILLED):
        say(result.stderr)
    return result.returncode


def _console(argv: list[str], timeout: float = 60) -> int:
    """Run ``argv`` with its output on the console."""
    result = command.run(argv, timeout, capture=False)
    if result.returncode in (command.NOT_RUN, command.KILLED):
        say(result.stderr)
    return result.returncode


def start_udev(modules: tuple[str, ...]) -> None:
    """Start udevd, replay the kernel's device events, wait for them, load ``modules``."""
    udevd = next((p for p in ("/usr/lib/systemd/systemd-udevd", "/lib/systemd/systemd-udevd")
                  if os.path.exists(p)), "systemd-udevd")
    _quiet([udevd, "--daemon"])
    for kind in ("subsystems", "devices"):
        _quiet(["udevadm", "trigger", f"--type={kind}", "--action=add"])
    _quiet(["udevadm", "settle", "--timeout=60"], timeout=90)
    for module in (*ALWAYS_MODULES, *modules):
        _quiet(["modprobe", "-q", module])
    _quiet(["udevadm", "settle", "--timeout=30"], timeout=60)


def _watches_input(pid: int) -> bool:
    """Whether process ``pid`` has a ``/dev/input/event*`` device open."""
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(fd).startswith("/dev/input/event"):
                return True
        except OSError:
            continue
    return False


def listen_power_button(timeout: float = 10.0) -> bool:
    """Start busybox ``acpid`` on ``ACPI_DIR``; True once it watches the input devices.

    A press before acpid has opened the power button's event device is lost, so this
    waits for that (acpid opens the devices present when it starts: call it after
    ``start_udev``).
    """
    try:
        child = subprocess.Popen(["busybox", "acpid", "-f", "-c", ACPI_DIR, "-l",
                                  "/dev/console"], stdin=subprocess.DEVNULL)
    except OSError as exc:
        say(f"acpid: {exc}; the ACPI power button is ignored")
        return False
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_delay(timeout), wait=tenacity.wait_fixed(0.2),
        retry=tenacity.retry_if_result(lambda ok: not ok and child.poll() is None),
        retry_error_callback=lambda state: False)
    if retrying(_watches_input, child.pid):
        say("listening for the ACPI power button (busybox acpid)")
        return True
    say("acpid found no input device; the ACPI power button is ignored")
    return False


def nics(boot_mac: str | None, sys_net: str = SYS_NET) -> list[str]:
    """NIC names to try DHCP on: the boot NIC if found, else every NIC but lo."""
    found = {}
    for name in sorted(os.listdir(sys_net)):
        try:
            mac = Path(sys_net, name, "address").read_text().strip().lower()
        except OSError:
            continue
        if name != "lo" and mac and mac != "00:00:00:00:00:00":
            found[name] = mac
    match = [name for name, mac in found.items() if mac == boot_mac]
    return match or list(found)


def _dhcp_once(boot_mac: str | None) -> str | None:
    """One DHCP round over the candidate NICs; the NIC that got a lease, or None."""
    for name in nics(boot_mac):
        _quiet(["ip", "link", "set", name, "up"])
        if _console(["busybox", "udhcpc", "-i", name, "-s", UDHCPC_SCRIPT, "-n", "-q",
                     "-t", "5", "-T", "2"], timeout=30) == 0:
            _console(["ip", "-4", "-o", "addr", "show", "dev", name])
            return name
    return None


def bring_up_network(boot: BootPlan, deadline: float = 120.0) -> str | None:
    """DHCP on the boot NIC (or every NIC until one gets a lease); the NIC or None."""
    _quiet(["ip", "link", "set", "lo", "up"])
    retrying = tenacity.Retrying(stop=tenacity.stop_after_delay(deadline),
                                 wait=tenacity.wait_fixed(2),
                                 retry=tenacity.retry_if_result(lambda nic: nic is None),
                                 retry_error_callback=lambda state: None)
    return retrying(_dhcp_once, boot.boot_mac)


def run_agent(boot: BootPlan) -> int:
    """Run the agent, retried per the plan; return its last exit code."""
    retrying = tenacity.Retrying(stop=tenacity.stop_after_attempt(boot.attempts),
                                 wait=tenacity.wait_fixed(boot.retry_delay),
                                 retry=tenacity.retry_if_result(bool),
                                 retry_error_callback=lambda state: state.outcome.result())

    def once() -> int:
        attempt = f"attempt {retrying.statistics['attempt_number']}/{boot.attempts}"
        say(f"running the agent: {' '.join(agent_argv(boot)[1:])} ({attempt})")
        code = command.run(agent_argv(boot), None, env=lab_seam.agent_environment(),
                           capture=False).returncode
        if code != 0:
            say(f"{boot.mode} failed with exit code {code} ({attempt})")
        return code

    return retrying(once)


def main(argv: list[str] | None = None) -> int:
    """Init's main: never returns while the machine should stay up.

    ``--no-setup``: udev and the network are already up (a systemd image, e.g. the
    diskimage-builder element); only run the agent and power off.
    """
    parser = argparse.ArgumentParser(prog="python3 -m ramdisk.boot")
    parser.add_argument("--no-setup", action="store_true",
                        help="skip starting udev and DHCP (systemd did it)")
    args = parser.parse_args(argv)
    text = Path(cmdline.PROC_CMDLINE).read_text(errors="replace")
    boot = plan(text)
    for warning in boot.warnings:
        say(f"warning: {warning}")
    if boot.mode is None:
        say("nothing to do: the kernel command line has no ipa-inspection-callback-url "
            "(discovery) and no ipa-api-url (deploy); check the PXE configuration")
        return 2
    if not args.no_setup:
        started = time.monotonic()
        start_udev(boot.modules)
        say(f"udev settled in {time.monotonic() - started:.1f}s")
        listen_power_button()
        nic = bring_up_network(boot)
        if nic is None:
            say(f"no DHCP lease on {boot.boot_mac or 'any NIC'}; the agent runs anyway")
        else:
            say(f"network up on {nic}")
    code = run_agent(boot)
    if code == 0 and boot.mode == "discover" and boot.poweroff:
        say("discovery done; powering off")
        os.sync()
        _console(POWEROFF)
        return 0
    if code != 0:
        say(f"{boot.mode} gave up after {boot.attempts} attempt(s); the machine stays up "
            "for the console")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
