#!/usr/bin/env python3
"""Writes not-found.txt: the documented "not found" error codes of the delete and modify actions.

The tccli specs the schema comes from carry no error codes; the official Go SDK, generated from
the same API definitions, lists each action's error codes above its client method. Usage:

    emulator/data/not-found.py path/to/tencentcloud-sdk-go > emulator/data/not-found.txt

One line per action whose codes say more than the common `ResourceNotFound`:
`service version action code...` (version as `X-TC-Version` spells it). Codes about the caller
(authorization, MFA, a service not opened) are left out.
"""
import re
import subprocess
import sys

VERBS = re.compile(r"(Delete|Terminate|Release|Remove|Modify)[A-Z]")
NOT_FOUND = re.compile(r"notfound|notexist|nonexist|nosuch", re.I)
CALLER = re.compile(r"^(OperationDenied|UnauthorizedOperation|UnsupportedOperation|AuthFailure|LimitExceeded)")
SERVICE_STATE = {"ResourceNotFound.ForbidService", "ResourceNotFound.FreezeService",
                 "ResourceNotFound.StopService", "ResourceNotFound.UserDisableService"}


def main(repo):
    commit = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    files = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "--name-only", "HEAD", "tencentcloud/"],
                           capture_output=True, text=True, check=True).stdout.split()
    files = [f for f in files if re.fullmatch(r"tencentcloud/\w+/v\d{8}/client\.go", f)]
    print(f"# tencentcloud-sdk-go {commit}: not-found codes of delete/modify actions (emulator/data/not-found.py)")
    for f in sorted(files):
        _, svc, ver, _ = f.split("/")
        version = f"{ver[1:5]}-{ver[5:7]}-{ver[7:9]}"
        text = subprocess.run(["git", "-C", repo, "show", f"HEAD:{f}"], capture_output=True, text=True,
                              check=True).stdout
        for m in re.finditer(r"((?://[^\n]*\n)+)func \(c \*Client\) (\w+)\(request ", text):
            action = m.group(2)
            if not VERBS.match(action):
                continue
            codes = re.findall(r'=\s*"([^"]+)"', m.group(1))
            keep = [c for c in codes if NOT_FOUND.search(c) and not CALLER.match(c) and c not in SERVICE_STATE]
            if keep and keep != ["ResourceNotFound"]:
                print(svc, version, action, *dict.fromkeys(keep))


if __name__ == "__main__":
    main(sys.argv[1])
