"""Host ports on 127.0.0.1: picking a free one, and asking whether a server could listen.

Every server a lab starts (uvicorn, aiohttp, the JVM, docker-proxy) listens with
SO_REUSEADDR, so connections of a server that just died, lingering in TIME_WAIT, do not
keep its successor from the same port. The check below asks the same question the same
way: a bind without SO_REUSEADDR would call such a port busy, and a restarted component
would lose its address while its callers still hold it.
"""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterable

LOOPBACK = "127.0.0.1"
# Ports this process handed out. A picked port is free only until someone listens on it, and
# the kernel may pick it again before then: one lab's web-gateway was given the port just
# given to its payment-service, which had not bound it yet ("address already in use").
_handed_out: set[int] = set()
_lock = threading.Lock()


def free_port(avoid: Iterable[int] = ()) -> int:
    """A port nothing listens on now (the kernel picks it), never one this process handed
    out before nor one in `avoid` (ports a lab holds for components not listening now)."""
    taken = set(avoid)
    with _lock:
        for _ in range(100):
            with socket.socket() as sock:
                sock.bind((LOOPBACK, 0))
                port = sock.getsockname()[1]
            if port not in _handed_out and port not in taken:
                _handed_out.add(port)
                return port
    raise OSError("no free port on 127.0.0.1 that this process has not handed out already")


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
