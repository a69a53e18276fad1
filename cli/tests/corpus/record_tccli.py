#!/usr/bin/env python3
"""Records what tccli itself sends for documented examples, once; `cargo test` replays the
command lines through tcloud (cli/tests/tccli_corpus.rs) and compares.

Not part of tcloud: run by hand when the pinned tccli changes, its output committed as
cli/tests/data/tccli-corpus.jsonl.gz.

    python3 -m venv /tmp/tccli-venv
    /tmp/tccli-venv/bin/pip install tccli==3.1.189.1
    python3 cli/tests/corpus/record_tccli.py --venv /tmp/tccli-venv \
        --out cli/tests/data/tccli-corpus.jsonl.gz

How:
- The examples are tccli's own (`tccli/services/<svc>/<default version>/examples.json`), up to
  --per-service actions per service (chosen by a hash of the names, so the sample is spread and
  stable), every service of tccli's table.
- Each example becomes two command lines: the unfolded form exactly as tccli's help prints it
  (`Loader.translate_cli_example`, split as a shell would), and the plain form a user writes
  (`--Param value` per top-level parameter: text as is, booleans as tccli's help writes them
  (`True`), objects and lists as JSON).
- Each line runs as `tccli <svc> <Action> ... --endpoint 127.0.0.1:PORT` (a subprocess, the real
  CLI) against a recording HTTPS endpoint started here: a self-signed certificate for 127.0.0.1
  whose CA is appended to the venv's certifi bundle (tccli's SDK verifies against certifi only;
  the venv is a throwaway one). The endpoint answers `{"Response": {"RequestId": ...}}` and keeps
  the action, version, region and body of what arrived.
- HOME is a fresh directory whose tccli profile sets region ap-shanghai (no TENCENTCLOUD_REGION),
  so the recorded region is tccli's configured default; no --version is given, so the recorded
  version is tccli's default. Credentials come from TENCENTCLOUD_SECRET_ID/KEY (fake ones).
- One JSON line per command line: service (tccli's name), action, form, args (after
  `tccli <svc> <Action>`), exit status, and what tccli sent (`null` when it refused, with the
  first line of its error).
"""

import argparse
import gzip
import hashlib
import http.server
import json
import os
import shlex
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.parse

REGION = "ap-shanghai"


class Recorder(http.server.BaseHTTPRequestHandler):
    last = None

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        Recorder.last = {
            "action": self.headers.get("X-TC-Action"),
            "version": self.headers.get("X-TC-Version"),
            "region": self.headers.get("X-TC-Region"),
            "body": body.decode("utf-8", "replace"),
        }
        answer = json.dumps({"Response": {"RequestId": "recorded"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST

    def log_message(self, *args):
        pass


def serve(tmp):
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, cert


def trust(venv, cert):
    py = os.path.join(venv, "bin", "python")
    where = subprocess.run([py, "-c", "import certifi; print(certifi.where())"],
                           check=True, capture_output=True, text=True).stdout.strip()
    if not where.startswith(os.path.abspath(venv)):
        sys.exit("certifi is not inside the venv (%s): refusing to change it" % where)
    pem = open(cert).read()
    bundle = open(where).read()
    if pem not in bundle:
        with open(where, "a") as f:
            f.write("\n" + pem)


def loader(venv):
    site = subprocess.run([os.path.join(venv, "bin", "python"), "-c", "import tccli, os; print(os.path.dirname(tccli.__path__[0]))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    sys.path.insert(0, site)
    from tccli.loaders import Loader  # noqa: E402
    from tccli.services import SERVICE_VERSIONS  # noqa: E402
    return Loader(), SERVICE_VERSIONS


def unflatten(pairs):
    root = {}
    for key, value in pairs:
        node, parts = root, key.split(".")
        for i, part in enumerate(parts):
            if i == len(parts) - 1:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    def fix(n):
        if isinstance(n, dict):
            if n and all(k.isdigit() for k in n):
                return [fix(n[k]) for k in sorted(n, key=int)]
            return {k: fix(v) for k, v in n.items()}
        return n
    return fix(root)


def example_params(example):
    text = example["input"]
    if text.startswith("https"):
        query = text.replace("&<公共请求参数>", "").split("&")[1:]
        pairs = []
        for item in query:
            item = item.strip()
            if "=" not in item:
                continue
            k, v = item.split("=", 1)
            pairs.append((k, urllib.parse.unquote(v)))
        return unflatten(pairs)
    if text.startswith("POST"):
        return json.loads(text.split("\n\n")[-1])
    return None


def plain_args(params):
    args = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            text = "True" if value else "False"
        elif isinstance(value, (dict, list)):
            text = json.dumps(value, ensure_ascii=False)
        else:
            text = str(value)
        args += ["--" + key, text]
    return args


def unfold_args(ld, service, version, action, example):
    example = dict(example)
    lines = ld.translate_cli_example(service, action, example)
    args = []
    for line in lines or []:
        args += shlex.split(line)
    return args


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-service", type=int, default=2)
    ap.add_argument("--only", nargs="*", help="these services only (a trial run)")
    opts = ap.parse_args()
    ld, versions = loader(opts.venv)
    tccli = os.path.join(opts.venv, "bin", "tccli")
    tmp = tempfile.mkdtemp(prefix="tccli-record-")
    server, cert = serve(tmp)
    trust(opts.venv, cert)
    port = server.server_address[1]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TENCENTCLOUD_", "TKE_", "TCCLI_")) and k not in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")}
    env.update(HOME=tmp, TENCENTCLOUD_SECRET_ID="AKIDRECORDER0000000000000000000000",
               TENCENTCLOUD_SECRET_KEY="recorder-secret-key-0000000000000")
    subprocess.run([tccli, "configure", "set", "region", REGION], env=env, check=True, capture_output=True)
    records = []
    for service in sorted(versions):
        if opts.only and service not in opts.only:
            continue
        version = versions[service][0]
        try:
            examples = json.load(open(os.path.join(ld.get_services_path(), service, "v" + version.replace("-", ""), "examples.json")))["actions"]
        except OSError:
            continue
        ranked = sorted(examples, key=lambda a: hashlib.sha1((service + "/" + a).encode()).hexdigest())
        taken = 0
        for action in ranked:
            if taken >= opts.per_service:
                break
            ex = next((e for e in examples[action] if e.get("input")), None)
            if ex is None:
                continue
            try:
                params = example_params(ex)
                unfold = unfold_args(ld, service, version, action, ex)
            except Exception:
                continue
            if params is None:
                continue
            taken += 1
            for form, args in (("plain", plain_args(params)), ("unfold", ["--cli-unfold-argument"] + unfold)):
                Recorder.last = None
                run = subprocess.run([tccli, service, action] + args + ["--endpoint", "127.0.0.1:%d" % port],
                                     env=env, capture_output=True, text=True, timeout=120)
                sent = Recorder.last if run.returncode == 0 else None
                if sent is not None:
                    try:
                        sent["body"] = json.loads(sent["body"])
                    except ValueError:
                        pass
                skip = ("usage", "To tccli", "  tccli", "tccli [options]")
                err = next((l for l in run.stderr.splitlines() if l.strip() and not l.startswith(skip)), "")
                records.append({"service": service, "action": action, "form": form, "args": args,
                                "exit": run.returncode, "sent": sent, "error": None if sent else err[:300]})
                print("%-12s %-40s %-6s exit %d" % (service, action, form, run.returncode), file=sys.stderr)
    with gzip.open(opts.out, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"tccli": "3.1.189.1", "region": REGION, "records": len(records)}) + "\n")
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    server.shutdown()


if __name__ == "__main__":
    main()
