"""The overcloud template against what ``ahc-match --emit`` writes for the example rules."""

from pathlib import Path

import yaml

from ahc_rules import rules_dir
from ahc_rules.emit import camel_case, heat_environment
from ahc_rules.heat import TEMPLATE, role_groups, template_parameters

EXAMPLES = Path(__file__).resolve().parents[4] / "ahc_rules" / "examples"


def example_roles() -> list[str]:
    return [role.name for role in rules_dir.load_rules(EXAMPLES).roles]


def test_every_emitted_parameter_is_a_template_parameter():
    roles = example_roles()
    assert roles, "the example rules name no role"
    params = template_parameters()
    emitted = heat_environment(dict.fromkeys(roles, 2))["parameter_defaults"]
    assert set(emitted) <= set(params), set(emitted) - set(params)
    for role in roles:
        assert params[f"Overcloud{camel_case(role)}Flavor"]["default"] == role


def test_one_group_per_role_sized_and_flavoured_by_its_parameters():
    doc = yaml.safe_load(TEMPLATE.read_text())
    groups = role_groups()
    assert set(groups) == set(example_roles())
    for role, name in groups.items():
        group = doc["resources"][name]
        assert group["type"] == "OS::Heat::ResourceGroup"
        assert group["properties"]["count"] == {"get_param": f"{camel_case(role)}Count"}
        server = group["properties"]["resource_def"]
        assert server["type"] == "OS::Nova::Server"
        props = server["properties"]
        assert props["flavor"] == {"get_param": f"Overcloud{camel_case(role)}Flavor"}
        assert props["image"] == {"get_param": "OvercloudImage"}
        assert props["networks"]["if"][2] == [{"allocate_network": "none"}]
