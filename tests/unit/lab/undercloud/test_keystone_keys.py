"""Keystone's Fernet key repositories as the undercloud writes them (instead of
``keystone-manage fernet_setup``): keys 0 and 1, owner only, valid Fernet keys."""

import stat

from cryptography.fernet import Fernet, MultiFernet

from ironic_tripleo.lab.undercloud.keystone import write_keys


def test_write_keys(tmp_path):
    repo = tmp_path / "fernet-keys"
    write_keys(repo)
    assert sorted(p.name for p in repo.iterdir()) == ["0", "1"]
    assert stat.S_IMODE(repo.stat().st_mode) == 0o700
    keys = []
    for path in sorted(repo.iterdir()):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        keys.append(Fernet(path.read_bytes()))
    # keystone reads the highest index as the primary key; both decrypt
    token = MultiFernet(keys[::-1]).encrypt(b"token")
    assert keys[1].decrypt(token) == b"token"
    assert repo.joinpath("0").read_bytes() != repo.joinpath("1").read_bytes()
