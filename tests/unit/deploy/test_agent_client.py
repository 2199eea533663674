import pytest

from ironic_tripleo.deploy.agent_client import AgentClient
from ironic_tripleo.exception import AgentCommandFailed
from tests.harness.http_server import QuietHandler, serving


class _Handler(QuietHandler):
    def do_POST(self):  # noqa: N802
        body = self.read_json()
        self.server.seen.append((self.path, self.headers.get("X-Agent-Token"), body))
        self.send_json(*self.server.answers.get(self.path, (200, {"ok": True})))


@pytest.fixture
def agent():
    with serving(_Handler) as server:
        server.seen, server.answers = [], {}
        yield server


def test_commands_carry_token_and_body(agent):
    client = AgentClient(f"http://127.0.0.1:{agent.server_address[1]}/", "tok", "n1", 5)
    client.start_iscsi_target("iqn.2026-11.x:n", "user-12345678", "pw-123456789012", 3261,
                              {"size": ">= 1"})
    client.stop_iscsi_target()
    client.power_off()
    client.close()
    paths = [p for p, _, _ in agent.seen]
    assert paths == ["/v1/commands/start_iscsi_target", "/v1/commands/stop_iscsi_target",
                     "/v1/commands/power_off"]
    assert {t for _, t, _ in agent.seen} == {"tok"}
    assert agent.seen[0][2] == {"iqn": "iqn.2026-11.x:n", "username": "user-12345678",
                                "password": "pw-123456789012", "portal_port": 3261,
                                "root_device_hints": {"size": ">= 1"}}


def test_error_status_names_command_and_message_not_password(agent):
    agent.answers["/v1/commands/start_iscsi_target"] = (
        409, {"error": {"message": "target busy"}})
    client = AgentClient(f"http://127.0.0.1:{agent.server_address[1]}", "tok", "n1", 5)
    with pytest.raises(AgentCommandFailed, match="start_iscsi_target.*409: target busy") as e:
        client.start_iscsi_target("iqn.2026-11.x:n", "user-12345678", "secret-pw-1234", 3261)
    assert "secret-pw-1234" not in str(e.value)


def test_unreachable_agent():
    from tests.harness.ports import free_port

    client = AgentClient(f"http://127.0.0.1:{free_port()}", "tok", "n1", 2)
    with pytest.raises(AgentCommandFailed, match="stop_iscsi_target failed: agent unreachable"):
        client.stop_iscsi_target()


def test_silent_agent_is_no_answer_within_timeout():
    import socket

    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = AgentClient(f"http://127.0.0.1:{listener.getsockname()[1]}", "tok", "n1",
                             0.5)
        with pytest.raises(AgentCommandFailed, match="power_off failed: no answer within"):
            client.power_off()
