#!/usr/bin/python3
"""mail_sink.py — a real local SMTP server (Debian's aiosmtpd) and a small
HTTP text-message gateway for the delivery tests, on loopback only.

  mail_sink.py DIR SMTP_PORT HTTP_PORT [TLS_PORT CERT KEY]

Each e-mail is stored as DIR/mail-N.eml (the bytes as received); a
recipient starting with "nobody@" is refused with 550; one starting with
"slow@" is accepted 3 s after its mail is stored.  Each POST to the
gateway is stored as DIR/sms-N.json; the gateway answers 503 to a number
ending in 0 (try again later), 400 to one ending in 9 (refused for good),
only after 3 s to one ending in 7, and 200 otherwise.  With TLS_PORT, a second SMTP server there requires
STARTTLS (CERT, KEY) and AUTH (user "motcua", password "s3cret-ổn").  It
stops by itself after 120 s, or at SIGTERM.
"""
import asyncio
import http.server
import itertools
import os
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller

out, smtp_port, http_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
counter = itertools.count(1)


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with open(os.path.join(out, "mail-%d.eml" % next(counter)), "wb") as f:
            f.write(envelope.original_content)
        if any(r.startswith("slow@") for r in envelope.rcpt_tos):
            await asyncio.sleep(3)  # time for the test to kill the worker before it records
        return "250 Message accepted for delivery"


class Gateway(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        import json
        to = json.loads(body)["to"]
        if to.endswith("7"):
            time.sleep(3)  # past the worker's timeout: try again later
        code = 503 if to.endswith("0") or to.endswith("7") else 400 if to.endswith("9") else 200
        if code == 200:
            with open(os.path.join(out, "sms-%d.json" % next(counter)), "wb") as f:
                f.write(body)
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


controller = Controller(Handler(), hostname="127.0.0.1", port=smtp_port)
controller.start()
secure = None
if len(sys.argv) > 6:
    import ssl
    from aiosmtpd.smtp import AuthResult

    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"motcua" and auth_data.password == "s3cret-ổn".encode()
        return AuthResult(success=ok)

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(sys.argv[5], sys.argv[6])
    secure = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[4]), tls_context=ctx,
                        require_starttls=True, auth_required=True, authenticator=check)
    secure.start()
httpd = http.server.HTTPServer(("127.0.0.1", http_port), Gateway)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
open(os.path.join(out, "ready"), "w").close()
done = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: done.set())
done.wait(120)
httpd.shutdown()
controller.stop()
if secure:
    secure.stop()
