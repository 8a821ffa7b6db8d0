"""Free TCP ports on 127.0.0.1 for servers started by tests."""
import contextlib
import socket


def free_ports(count):
    """``count`` distinct ports that were free a moment ago (all held open while choosing)."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]


def free_port():
    return free_ports(1)[0]
