import pytest

from ahc_rules import scheduling
from ahc_rules.exception import RulesDirError

ROLES = ["control", "ceph-storage", "compute"]


def test_placement_name_as_nova_normalises():
    assert scheduling.placement_name("baremetal.control") == "CUSTOM_BAREMETAL_CONTROL"
    assert scheduling.placement_name("baremetal-ceph.storage") == \
        "CUSTOM_BAREMETAL_CEPH_STORAGE"
    assert scheduling.placement_name("a..b") == "CUSTOM_A_B"


def test_defaults_without_file(tmp_path):
    result = scheduling.load(tmp_path, ROLES)
    assert result["ceph-storage"] == scheduling.RoleScheduling(
        "ceph-storage", "baremetal.ceph-storage", "CUSTOM_PROFILE_CEPH_STORAGE")
    assert result["control"].flavor_extra_specs() == {
        "resources:CUSTOM_BAREMETAL_CONTROL": "1", "resources:VCPU": "0",
        "resources:MEMORY_MB": "0", "resources:DISK_GB": "0",
        "trait:CUSTOM_PROFILE_CONTROL": "required"}


def test_file_defaults_role_entries_and_overrides(tmp_path):
    (tmp_path / scheduling.FILE).write_text(
        "defaults: {resource_class: 'bm-{role}', trait: null}\n"
        "control: {resource_class: ctl, trait: CUSTOM_CTL}\n")
    result = scheduling.load(tmp_path, ROLES)
    assert result["control"] == scheduling.RoleScheduling("control", "ctl", "CUSTOM_CTL")
    assert result["compute"] == scheduling.RoleScheduling("compute", "bm-compute", None)
    assert "trait:" not in " ".join(result["compute"].flavor_extra_specs())
    # the command line replaces the file's defaults, not a role's own entry
    over = scheduling.load(tmp_path, ROLES, {"resource_class": "x-{ROLE}", "trait": None})
    assert over["compute"].resource_class == "x-COMPUTE"
    assert over["control"].resource_class == "ctl"


@pytest.mark.parametrize("text, error", [
    ("nope: {trait: CUSTOM_A}\n", "unknown roles \\['nope'\\]"),
    ("control: {colour: red}\n", "control: expected a mapping"),
    ("control: {trait: custom_lower}\n", "trait 'custom_lower' is not CUSTOM_"),
    ("control: {resource_class: ''}\n", "control: a resource class is required"),
    ("control: {resource_class: 'a{nope}'}\n", "bad template"),
    ("control: {resource_class: " + "a" * 81 + "}\n", "1 to 80 characters"),
    ("[1, 2]\n", "expected a mapping of role names"),
    ("control: [\n", "not YAML"),
])
def test_bad_files_are_refused(tmp_path, text, error):
    (tmp_path / scheduling.FILE).write_text(text)
    with pytest.raises(RulesDirError, match=error):
        scheduling.load(tmp_path, ROLES)
