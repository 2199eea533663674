"""The committed sample configs document exactly the options the code registers."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("namespace, sample", [
    ("ironic_tripleo", "etc/ironic-tripleo.conf.sample"),
    ("discoverd", "etc/discoverd.conf.sample"),
])
def test_sample_config_is_up_to_date(tmp_path, namespace, sample):
    generated = tmp_path / "sample.conf"
    subprocess.run([sys.executable, "-m", "oslo_config.generator", "--namespace", namespace,
                    "--output-file", str(generated)], check=True, capture_output=True)
    assert generated.read_text() == (ROOT / sample).read_text(), (
        f"{sample} is out of date: run 'make sample-config'")
