"""Listens where a crashed node's web.url points and records what cairn commands send it."""
import http.server, sys
LOG = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def _any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with open(LOG, "a") as f:
            f.write(f"{self.command} {self.path}\n  X-Cairn-Token: {self.headers.get('X-Cairn-Token')}\n")
        if self.path.startswith("/cli/v1/hello"):
            out = b"cairn-client-api 1\nxattrs false\n"
        elif self.path.startswith("/cli/v1/list"):
            out = b"cairn-entries 1\n"
        else:
            out = b"cairn:lit:\n"
        self.send_response(200); self.send_header("Content-Length", str(len(out))); self.end_headers()
        self.wfile.write(out)
    do_GET = do_POST = do_PUT = _any
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
