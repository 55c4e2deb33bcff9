"""Host ports on 127.0.0.1: picking a free one, and asking whether a server could listen.

Every server a lab starts (uvicorn, aiohttp, the JVM, docker-proxy) listens with
SO_REUSEADDR, so connections of a server that just died, lingering in TIME_WAIT, do not
keep its successor from the same port. The check below asks the same question the same
way: a bind without SO_REUSEADDR would call such a port busy, and a restarted component
would lose its address while its callers still hold it.
"""
from __future__ import annotations

import socket

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on now (the kernel picks it)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def can_listen(port: int) -> bool:
    """Could a server with SO_REUSEADDR listen on 127.0.0.1:port now? False while another
    socket listens there (TIME_WAIT leftovers do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
        return True
