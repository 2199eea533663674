"""The overcloud template (``ahc_rules/heat/overcloud.yaml``) against the real Heat 27
of the session's undercloud (``tests.harness.undercloud``): it validates alone and
with the environment ``ahc-match --emit`` writes, and an environment naming a flavor
Nova does not have is refused with the flavor's name in the reason. Deploying it onto
lab nodes: ``test_overcloud_lab``."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import yaml

from ahc_rules import rules_dir
from ahc_rules.emit import heat_environment
from ahc_rules.heat import TEMPLATE, template_parameters
from ironic_tripleo.lab import overcloud
from ironic_tripleo.lab.exception import OvercloudError

EXAMPLE_RULES = Path(__file__).resolve().parents[2] / "ahc_rules" / "examples"


def _emitted_environment(tmp_path):
    roles = [role.name for role in rules_dir.load_rules(EXAMPLE_RULES).roles]
    path = tmp_path / "overcloud-roles.yaml"
    path.write_text(yaml.safe_dump(heat_environment(dict.fromkeys(roles, 1))))
    return path


def test_template_validates_alone_and_with_the_emitted_environment(undercloud, tmp_path):
    clouds = undercloud.clouds_yaml
    alone = overcloud.openstack(clouds, "orchestration", "template", "validate", "-f",
                                "json", "-t", str(TEMPLATE))
    assert alone.returncode == 0, alone.stderr
    assert set(json.loads(alone.stdout)["Parameters"]) == set(template_parameters())
    env = _emitted_environment(tmp_path)
    withenv = overcloud.openstack(clouds, "orchestration", "template", "validate", "-f",
                                  "json", "-t", str(TEMPLATE), "-e", str(env))
    assert withenv.returncode == 0, withenv.stderr
    params = json.loads(withenv.stdout)["Parameters"]
    # parameter_defaults replace the template's defaults (ComputeCount's is 0)
    assert str(params["ComputeCount"]["Default"]) == "1", params["ComputeCount"]
    assert params["OvercloudCephStorageFlavor"]["Default"] == "ceph-storage"


def test_unknown_flavor_fails_the_stack_with_the_reason(undercloud, tmp_path):
    flavor = f"no-such-flavor-{uuid.uuid4().hex[:6]}"
    env = tmp_path / "bad.yaml"
    env.write_text(yaml.safe_dump({"parameter_defaults": {
        "ComputeCount": 1, "OvercloudComputeFlavor": flavor}}))
    name = f"bad-{uuid.uuid4().hex[:6]}"
    conn = undercloud.connection()
    image = conn.image.create_image(name=name, data=b"x" * 1024, disk_format="raw",
                                    container_format="bare", visibility="public")
    created = overcloud.openstack(undercloud.clouds_yaml, "stack", "create", "--wait",
                                  "-t", str(TEMPLATE), "-e", str(env), "--parameter",
                                  f"OvercloudImage={image.id}", name)
    try:
        stack = overcloud.show_stack(undercloud.clouds_yaml, name)
    except OvercloudError:
        stack = None
    try:
        assert created.returncode != 0, created.stdout
        if stack is None:  # refused before anything was made
            reason = created.stderr
        else:
            assert stack["stack_status"] == "CREATE_FAILED", stack
            reason = stack["stack_status_reason"]
        assert flavor in reason, (created.stderr, stack)
    finally:
        if stack is not None:
            overcloud.delete_stack(undercloud.clouds_yaml, name)
        conn.image.delete_image(image)
