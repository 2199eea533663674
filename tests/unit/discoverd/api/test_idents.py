"""Node idents Ironic would refuse are 400/404 on every node endpoint, before Ironic."""

import pytest

from discoverd import exception

BAD_IDENTS = ["node%20x", "node%00x", "x" * 5000, "node%0Ax", "node%22x", "node'x", "a%2Fb"]
ENDPOINTS = [("post", "/v1/introspection/{}"), ("get", "/v1/introspection/{}"),
             ("post", "/v1/introspection/{}/abort"), ("get", "/v1/introspection/{}/data"),
             ("get", "/v1/introspection/{}/data/unprocessed"),
             ("post", "/v1/introspection/{}/data/unprocessed")]


@pytest.mark.parametrize("method,url", ENDPOINTS)
@pytest.mark.parametrize("ident", BAD_IDENTS)
def test_bad_idents_never_reach_ironic(client, ironic, method, url, ident):
    ironic.get_node = None  # any call to Ironic would now be a 500
    r = getattr(client, method)(url.format(ident))
    assert r.status_code in (400, 404), (r.status_code, r.json)
    assert "message" in r.json["error"]
    if r.status_code == 400:
        assert "neither a UUID nor a node name" in r.json["error"]["message"]


@pytest.mark.parametrize("ident", ["node-1", "a.b_c~d", "x" * 255,
                                   "2f1f4e43-55f0-4d3b-9e0a-6a6c0a2b7d11"])
def test_good_idents_pass(ident):
    from discoverd.ironic import check_ident

    check_ident(ident)


@pytest.mark.parametrize("ident", ["", "x" * 256, "a b", "a\x00", "a\n", 'a"', "é"])
def test_check_ident_refuses(ident):
    from discoverd.ironic import check_ident

    with pytest.raises(exception.InvalidInput):
        check_ident(ident)
