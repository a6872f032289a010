"""`status` asked on srvd's control socket, timed inside one process (a
`srvd ctl` started per ask adds ~20 ms of its own start-up): the server's
answer time alone. Imported by bench scripts' inline Python."""
import socket
import time


def status_ms(path):
    """Milliseconds from connecting to the whole answer read."""
    start = time.monotonic()
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(b"status\n")
    while s.recv(65536):
        pass
    s.close()
    return (time.monotonic() - start) * 1000
