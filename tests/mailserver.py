"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 on a free port, with
Django's SMTP backend pointed at it. It can refuse chosen recipients with a
451 for their first attempts, and it counts what it actually received."""
import email
import socket
import threading
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.refuse: dict[str, int] = {}
        self.refused: Counter = Counter()
        self.received: list[tuple[str, email.message.Message]] = []

    def refuse_first(self, address: str, times: int = 1) -> None:
        """Answer "451 4.3.0 try later" to the next `times` RCPT TO `address`."""
        self.refuse[address] = times

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if self.refuse.get(address, 0) > 0:
                self.refuse[address] -= 1
                self.refused[address] += 1
                return "451 4.3.0 try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received.append((address, message))
        return "250 Message accepted for delivery"

    def counts(self) -> Counter:
        with self.lock:
            return Counter(address for address, _message in self.received)

    def wait_for(self, count: int, timeout: float = 30.0) -> Counter:
        """The counts per recipient once `count` messages arrived (or after
        `timeout`), with a moment's grace for any that would come too many."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        return self.counts()


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server; Django sends to it for this test."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    handler.port = port
    try:
        yield handler
    finally:
        controller.stop()
