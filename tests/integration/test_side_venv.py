"""Side venvs (``ironic_tripleo.lab.side_venv``) with the real pip and package index."""

import pytest

from ironic_tripleo.lab.exception import SideVenvError
from ironic_tripleo.lab.side_venv import SideVenv


def test_unknown_requirement_is_refused_and_leaves_nothing(tmp_path):
    venv = SideVenv(tmp_path / "venv", ("ironic-tripleo-no-such-package==0.0.1",),
                    (), ".stamp-test", pip_timeout=300)
    with pytest.raises(SideVenvError) as err:
        venv.ensure()
    if err.value.index_unreachable:
        pytest.skip(f"pip cannot reach the package index: {err.value}")
    assert "ironic-tripleo-no-such-package" in str(err.value)
    assert "exit" in str(err.value)
    assert not venv.path.exists()  # never half-built
    assert not venv.ready()


def test_built_once_then_reused_and_rebuilt_when_stale(tmp_path):
    # pip itself: already in a new venv, so nothing is downloaded.
    venv = SideVenv(tmp_path / "venv", ("pip",), ("python",), ".stamp-test")
    assert venv.ensure() == venv.path and venv.ready()
    marker = venv.path / "marker"
    marker.write_text("kept")
    venv.ensure()
    assert marker.exists()  # ready: not rebuilt
    (venv.path / ".stamp-test").write_text("built for something else\n")
    assert not venv.ready()
    venv.ensure()
    assert venv.ready() and not marker.exists()  # stale: rebuilt
    # .venv's packages are visible from the side venv
    pth = list(venv.path.glob("lib/python*/site-packages/_main_venv.pth"))
    assert len(pth) == 1 and pth[0].read_text().strip()
