"""``openstack overcloud node import|introspect|configure|provide``.

TripleO's commands and options over this project's library
(:mod:`ironic_tripleo.enroll`, :mod:`ironic_tripleo.nodes`), the same code the
``ironic-tripleo`` CLI runs. Every command prints one row per node, so ``-f json``,
``-f yaml``, ``-f value`` and ``-c COLUMN`` work; a node that failed makes the exit
code 1.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path
from typing import Any

from osc_lib import exceptions

from ironic_tripleo.cli.introspect import add_introspection_options, options_from
from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import load_inventory
from ironic_tripleo.exception import TripleOError
from ironic_tripleo.nodes import configure, introspection, provide
from ironic_tripleo.osc import common

LOG = logging.getLogger(__name__)
BOOT_OPTIONS = ("local", "netboot")
BOOT_MODES = ("uefi", "bios")


def _introspect(bm: Any, uuids: list[str],
                options: introspection.Options) -> list[introspection.Tracked]:
    nodes = introspection.select_nodes(bm, uuids)
    introspection.run(bm, nodes, options)
    return nodes


def _boot_capabilities(parsed_args: argparse.Namespace) -> dict[str, str]:
    caps = {}
    if parsed_args.instance_boot_option:
        caps["boot_option"] = parsed_args.instance_boot_option
    if parsed_args.boot_mode:
        caps["boot_mode"] = parsed_args.boot_mode
    return caps


class ImportNode(common.ExitCodeLister):
    """Import bare metal nodes from a JSON, YAML or CSV file (instackenv).

    Nodes are created or updated (found again by UUID, name, MAC or BMC) and moved
    to 'manageable'.
    """

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--introspect", action="store_true",
                            help="introspect the imported nodes")
        parser.add_argument("--validate-only", action="store_true",
                            help="validate the file and exit without importing")
        parser.add_argument("--provide", action="store_true",
                            help="provide (make available) the nodes")
        parser.add_argument("--no-deploy-image", action="store_true",
                            help="do not set the deploy kernel and ramdisk from "
                                 "--ramdisk-dir on nodes that name none")
        common.add_ramdisk_dir(parser)
        parser.add_argument("--instance-boot-option", choices=BOOT_OPTIONS,
                            help="boot instances from the local disk or the network")
        parser.add_argument("--boot-mode", choices=BOOT_MODES,
                            help="boot mode of the nodes (the boot_mode capability)")
        parser.add_argument("--concurrency", type=int, default=20,
                            help="maximum number of nodes to introspect at once")
        parser.add_argument("--file-type", choices=("json", "yaml", "csv"),
                            help="format of env_file (default: from its name/content)")
        parser.add_argument("--timeout", type=float, default=600,
                            help="seconds to wait for manage and provide")
        parser.add_argument("env_file", help="instackenv.json, .yaml or .csv")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[tuple, list]:
        file_type = None if parsed_args.file_type in (None, "json", "yaml") else "csv"
        try:
            entries = load_inventory(Path(parsed_args.env_file), file_type)
        except TripleOError as exc:
            raise exceptions.CommandError(str(exc)) from None
        if parsed_args.validate_only:
            return (("Index", "Name", "Driver", "Ports", "Valid"),
                    [(e.index, e.name, e.driver, ",".join(e.macs), True) for e in entries])
        if not parsed_args.no_deploy_image:
            urls = common.ramdisk_urls(parsed_args.ramdisk_dir)
            for entry in entries:
                if urls and not entry.images:
                    entry.images = {"deploy_kernel": urls[0], "deploy_ramdisk": urls[1]}
        bm = common.connection(self.app).baremetal
        try:
            results = enroll(bm, entries, manage=True, timeout=parsed_args.timeout,
                             capabilities=_boot_capabilities(parsed_args))
        except TripleOError as exc:
            raise exceptions.CommandError(str(exc)) from None
        errors: dict[str, str] = {}
        uuids = [r.node_id for r in results]
        if parsed_args.introspect:
            if parsed_args.concurrency < 1:
                raise exceptions.CommandError("--concurrency must be at least 1")
            options = introspection.Options(concurrency=parsed_args.concurrency)
            tracked = _introspect(bm, uuids, options)
            errors.update({t.uuid: t.error or "introspection failed"
                           for t in tracked if t.failed})
        if parsed_args.provide:
            ready = [bm.get_node(u) for u in uuids if u not in errors]
            for done in provide.provide(bm, ready, parsed_args.timeout):
                if done.error:
                    errors[done.uuid] = done.error
        self.failed = bool(errors)
        rows = []
        for result in results:
            node = bm.get_node(result.node_id)
            rows.append((result.entry.index, node.name, node.id, result.action,
                         ",".join(result.ports_created), node.provision_state,
                         errors.get(node.id)))
        return (("Index", "Name", "UUID", "Action", "Ports Added", "Provision State",
                 "Error"), rows)


class IntrospectNode(common.ExitCodeLister):
    """Introspect the given nodes or every node in 'manageable'."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        common.add_node_selection(parser, "introspect")
        add_introspection_options(parser, max_retries=introspection.Options().max_retries)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[tuple, list]:
        try:
            options = options_from(parsed_args)
        except ValueError as exc:
            raise exceptions.CommandError(str(exc)) from None
        bm = common.connection(self.app).baremetal
        nodes = introspection.select_nodes(bm, parsed_args.node_uuids,
                                           all_manageable=parsed_args.all_manageable)
        introspection.run(bm, nodes, options)
        provided: dict[str, provide.Provided] = {}
        if parsed_args.provide:
            done = [bm.get_node(n.uuid) for n in nodes if not n.failed]
            provided = {p.uuid: p for p in provide.provide(bm, done)} if done else {}
        self.failed = any(n.failed for n in nodes) or any(p.error for p in provided.values())
        rows = []
        for node in nodes:
            props = node.properties
            state = provided[node.uuid].state if node.uuid in provided else node.state
            error = node.error or (provided[node.uuid].error if node.uuid in provided
                                   else None)
            rows.append((node.uuid, node.name, state, node.attempts, props.get("cpus"),
                         props.get("memory_mb"), props.get("local_gb"), error))
        return (("UUID", "Name", "Provision State", "Attempts", "CPUs", "Memory MB",
                 "Local GB", "Error"), rows)


class ConfigureNode(common.ExitCodeLister):
    """Configure deploy images, boot options and the root device of nodes."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        common.add_node_selection(parser, "configure")
        common.add_ramdisk_dir(parser)
        parser.add_argument("--deploy-kernel", metavar="<url>",
                            help="deploy kernel (image UUID or URL; default: file:// URL "
                                 f"of {common.KERNEL_NAME} in --ramdisk-dir)")
        parser.add_argument("--deploy-ramdisk", metavar="<url>",
                            help="deploy ramdisk (image UUID or URL; default: file:// URL "
                                 f"of {common.INITRAMFS_NAME} in --ramdisk-dir)")
        parser.add_argument("--instance-boot-option", choices=BOOT_OPTIONS,
                            help="boot instances from the local disk or the network")
        parser.add_argument("--boot-mode", choices=BOOT_MODES,
                            help="boot mode of the nodes (the boot_mode capability)")
        parser.add_argument("--root-device", metavar="<smallest|largest|NAMES>",
                            help="root device from the inspection data: 'smallest', "
                                 "'largest', or device names (without /dev) in order of "
                                 "preference, comma-separated")
        parser.add_argument("--root-device-minimum-size", type=int, default=4,
                            metavar="<GiB>",
                            help="smallest disk size (GiB) for --root-device (default 4)")
        parser.add_argument("--overwrite-root-device-hints", action="store_true",
                            help="replace root device hints the nodes already have")
        return parser

    def _images(self, parsed_args: argparse.Namespace) -> tuple[str, str]:
        if parsed_args.deploy_kernel and parsed_args.deploy_ramdisk:
            return parsed_args.deploy_kernel, parsed_args.deploy_ramdisk
        urls = common.ramdisk_urls(parsed_args.ramdisk_dir)
        if urls is None:
            raise exceptions.CommandError(
                f"no {common.KERNEL_NAME} and {common.INITRAMFS_NAME} in "
                f"{parsed_args.ramdisk_dir}: build them with 'ironic-tripleo ramdisk build "
                "--output DIR' and pass --ramdisk-dir DIR, or give --deploy-kernel and "
                "--deploy-ramdisk")
        return parsed_args.deploy_kernel or urls[0], parsed_args.deploy_ramdisk or urls[1]

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[tuple, list]:
        kernel, ramdisk = self._images(parsed_args)
        conn = common.connection(self.app)
        nodes = provide.select(conn.baremetal, parsed_args.node_uuids,
                               parsed_args.all_manageable)
        results = configure.configure(
            conn, nodes, deploy_kernel=kernel, deploy_ramdisk=ramdisk,
            boot_option=parsed_args.instance_boot_option, boot_mode=parsed_args.boot_mode,
            root_device=parsed_args.root_device,
            minimum_size_gib=parsed_args.root_device_minimum_size,
            overwrite=parsed_args.overwrite_root_device_hints)
        self.failed = any(r.error for r in results)
        return (("UUID", "Name", "Root Device", "Local GB", "Changes", "Error"),
                [(r.uuid, r.name, r.root_device, r.local_gb, ",".join(r.changes), r.error)
                 for r in results])


class ProvideNode(common.ExitCodeLister):
    """Make the given nodes, or every node in 'manageable', available."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        common.add_node_selection(parser, "provide")
        parser.add_argument("--timeout", type=float, default=1800,
                            help="seconds to wait for the nodes to be available")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[tuple, list]:
        bm = common.connection(self.app).baremetal
        started = time.monotonic()
        nodes = provide.select(bm, parsed_args.node_uuids, parsed_args.all_manageable)
        results = provide.provide(bm, nodes, parsed_args.timeout)
        LOG.debug("provide took %.1fs", time.monotonic() - started)
        self.failed = any(r.error for r in results)
        return (("UUID", "Name", "Provision State", "Error"),
                [(r.uuid, r.name, r.state, r.error) for r in results])
