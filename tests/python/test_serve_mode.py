"""Serve mode: scopes and units go to `joule serve` under the application's name."""
import os
import socket
import tempfile
import unittest

import joule


class ServeModeTest(unittest.TestCase):
    """A datagram socket standing in for `joule serve`."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "serve.sock")
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.server.bind(self.path)
        self.server.settimeout(5)

    def tearDown(self):
        self.server.close()
        self.dir.cleanup()

    def received(self, count):
        return [self.server.recv(8192).decode() for _ in range(count)]

    def test_every_report_names_the_application(self):
        session = joule.Session(mode="serve", application="chat", control_socket=self.path)
        self.assertEqual(session.mode, "serve")
        self.assertTrue(session.reports_to_run)
        with session.scope("decode", unit="request") as s:
            s.add_units(1)
        self.assertEqual(self.received(3), ["app chat\nphase decode\n",
                                            "app chat\nunits 1 request\n",
                                            "app chat\nend-phase\n"])
        self.assertEqual(session.undelivered_reports, 0)

    def test_an_absent_exporter_is_counted_not_raised(self):
        session = joule.Session(mode="serve", application="chat",
                                control_socket=os.path.join(self.dir.name, "nobody"))
        with session.scope("decode", unit="request") as s:
            s.add_units(2)
        self.assertEqual(session.undelivered_reports, 3)


if __name__ == "__main__":
    unittest.main()
