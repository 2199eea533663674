"""``openstack overcloud profiles list|match``: profiles from the ahc rules."""

from __future__ import annotations

import argparse

from osc_lib import exceptions

from ahc_rules.exception import AhcError
from ahc_rules.rules_dir import load_rules
from ironic_tripleo.nodes import profiles
from ironic_tripleo.osc import common


def _rules(path: str | None):
    if path is None:
        return None
    try:
        return load_rules(path)
    except AhcError as exc:
        raise exceptions.CommandError(str(exc)) from None


class ListProfiles(common.ExitCodeLister):
    """List nodes with their current and possible profiles."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--rules", metavar="<dir>",
                            help="ahc rules directory: compute the possible profiles")
        parser.add_argument("--all", action="store_true",
                            help="also list nodes in maintenance")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[tuple, list]:
        rules = _rules(parsed_args.rules)
        bm = common.connection(self.app).baremetal
        rows = profiles.list_profiles(bm, rules, include_maintenance=parsed_args.all)
        return (("Node UUID", "Node Name", "Provision State", "Current Profile",
                 "Possible Profiles", "Note"),
                [(r.uuid, r.name, r.provision_state, r.current_profile,
                  ", ".join(r.possible_profiles), r.note) for r in rows])


class MatchProfiles(common.ExitCodeLister):
    """Give each node without a profile the first role its facts match (ahc rules)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--rules", metavar="<dir>", required=True,
                            help="ahc rules directory (state and *.specs)")
        parser.add_argument("--dry-run", action="store_true",
                            help="show the outcome, write nothing")
        parser.add_argument("--rematch", action="store_true",
                            help="also match nodes that already hold a profile")
        parser.add_argument("--resource-class", metavar="<template>",
                            help="resource class to set, e.g. baremetal-{role}")
        parser.add_argument("--trait", metavar="<template>",
                            help="trait to add, e.g. CUSTOM_PROFILE_{ROLE}")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[tuple, list]:
        rules = _rules(parsed_args.rules)
        bm = common.connection(self.app).baremetal
        names = {n.id: n.name for n in bm.nodes()}
        try:
            matched = profiles.match(bm, rules, dry_run=parsed_args.dry_run,
                                     rematch=parsed_args.rematch,
                                     resource_class=parsed_args.resource_class,
                                     trait=parsed_args.trait)
        except AhcError as exc:
            raise exceptions.CommandError(str(exc)) from None
        return (("Node UUID", "Node Name", "Profile", "Written"),
                [(uuid, names.get(uuid), role, bool(role) and not parsed_args.dry_run)
                 for uuid, role in matched])
