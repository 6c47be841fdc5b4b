"""A small TCP proxy for tests: forwards to a server, and can cut every connection and refuse
new ones for a while, as a network outage would (threads, no asyncio loop to manage)."""

from __future__ import annotations

import socket
import threading
import time


class TcpProxy:
    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self, seconds: float) -> None:
        """Drop every open connection now; refuse new ones for `seconds`."""
        self._down_until = time.monotonic() + seconds
        with self._lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            _drop(sock)

    def close(self) -> None:
        self._closed = True
        self.cut(0)
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if time.monotonic() < self._down_until:
                _drop(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)  # an idle pooled connection must stay open
            except OSError:
                _drop(client)
                continue
            with self._lock:
                self._open |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with self._lock:
                self._open.discard(sock)
            _drop(sock)


def _drop(sock: socket.socket) -> None:
    """Close with a reset (SO_LINGER 0), as a broken network shows itself to the other end.
    Shut down first: a plain close while the other pump thread waits in recv() on the same
    socket leaves the connection open until that recv returns, so a cut left some connections
    silently hanging (the client waiting for a reply, the server for a query) instead."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
