# Writes decode_mirror.rs (the serde-derive baseline of decode_bench.rs) from the pinned specs:
#   python3 examples/decode_mirror.py specs > examples/decode_mirror.rs
import json, sys

SPECS = sys.argv[1] if len(sys.argv) > 1 else "specs"
SCALARS = {"string": "String", "int64": "i64", "uint64": "u64", "int": "i64", "float": "f64", "double": "f64",
           "bool": "bool", "datetime": "String", "datetime_iso": "String", "date": "String", "binary": "String",
           "object": "serde_json::Value"}


def gen(svc, ver, root, prefix):
    objs = json.load(open(f"{SPECS}/{svc}/{ver}/api.json"))["objects"]
    order, seen = [], set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        order.append(name)
        for m in objs[name]["members"]:
            if m["type"] in ("object", "list") and m.get("member") in objs:
                visit(m["member"])

    visit(root)

    def base(x):
        return prefix + x if x in objs else SCALARS.get(x, "String")

    def ty(m):
        t, mem = m["type"], m.get("member")
        if t == "list":
            return f"Vec<{base(mem)}>"
        if t == "object":
            return base(mem)
        if t == "int":
            return "u64" if mem == "uint64" else "i64"
        return {"string": "String", "float": "f64", "bool": "bool", "binary": "String"}.get(t, "String")

    out = []
    for name in order:
        out.append("#[derive(Debug, Deserialize)]")
        out.append(f"pub struct {prefix}{name} {{")
        for m in objs[name]["members"]:
            out.append("    #[serde(default)]")
            out.append(f"    pub {m['name']}: Option<{ty(m)}>,")
        out.append("}")
    return "\n".join(out)


print('''//! The `DescribeInstances` (cvm 2017-03-12) and `DescribeVpcs` (vpc 2017-03-12) response
//! shapes with serde's derive, for the decode benchmark (`decode_bench.rs`): every object the
//! responses reach, every member an `Option` under its wire name, as a serde user would write
//! them. Written from the pinned specs by `decode_mirror.py`, not by tencentcloud-codegen: it
//! is the baseline, not our output.
#![allow(non_snake_case, dead_code)]
use serde::Deserialize;
''')
print(gen("cvm", "v20170312", "DescribeInstancesResponse", "Cvm"))
print(gen("vpc", "v20170312", "DescribeVpcsResponse", "Vpc"))
