"""Static file server for www/ that sends .wasm as application/wasm and .mjs/.js as JavaScript,
to any site (the embed snippet loads the playground from other pages)."""
import argparse
import functools
import http.server

parser = argparse.ArgumentParser()
parser.add_argument("--dir", default="www")
parser.add_argument("--port", type=int, default=8000)
parser.add_argument("--quiet", action="store_true")
args = parser.parse_args()


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".svg": "image/svg+xml",
        ".json": "application/json",
    }

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        # The embed snippet loads the playground's module from other sites' pages.
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, fmt, *a):
        if not args.quiet:
            super().log_message(fmt, *a)


http.server.ThreadingHTTPServer.allow_reuse_address = True
server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), functools.partial(Handler, directory=args.dir))
server.serve_forever()
