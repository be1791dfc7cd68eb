"""Derives descriptors.txt message lines from go-to-protobuf generated.proto plus the Go types.go
beside it (json names, omitempty, pointer/slice/map). Usage: listing.py DESCRIPTORS ROOTS... where
each ROOT is PROTO:TYPES_GLOB:PREFIX:APIVERSION:KIND."""
import re, sys, glob

SCALARS = {"string", "bytes", "bool", "int32", "int64", "double"}
SPECIALS = {
    "JSONSchemaPropsOrBool": "SchemaOrBool",
    "JSONSchemaPropsOrArray": "SchemaOrArray",
    "JSONSchemaPropsOrStringArray": "SchemaOrArray",
    "JSON": "RawJson",
}

def proto_messages(path, prefix):
    text = open(path).read()
    text = re.sub(r"//[^\n]*", "", text)
    out = {}
    for m in re.finditer(r"\nmessage (\w+) \{(.*?)\n\}", text, re.S):
        fields = []
        for f in re.finditer(r"(optional|repeated)?\s*(map<\s*string\s*,\s*([\w.]+)\s*>|[\w.]+)\s+(\w+)\s*=\s*(\d+);", m.group(2)):
            label, typ, mapval, name, tag = f.groups()
            fields.append((label, typ, mapval, name, int(tag)))
        out[prefix + "." + m.group(1)] = fields
    return out

def go_fields(paths):
    out = {}
    for path in paths:
        text = open(path).read()
        for m in re.finditer(r"\ntype (\w+) struct \{(.*?)\n\}", text, re.S):
            fields = {}
            for f in re.finditer(r"\n\s*(?:(\w+)\s+)?([*\[\]\w.]+(?:\[[\w.]+\][*\w.]+)?)\s+`([^`]*)`", m.group(2)):
                gname, gtype, tag = f.groups()
                pb = re.search(r'protobuf:"[^"]*name=(\w+)', tag)
                js = re.search(r'json:"([^"]*)"', tag)
                if not pb or not js:
                    continue
                parts = js.group(1).split(",")
                fields[pb.group(1)] = (parts[0], "omitempty" in parts[1:], "inline" in parts[1:], gtype)
            out[m.group(1)] = fields
    return out

def qualify(typ, prefix):
    typ = typ.lstrip(".")
    if typ.startswith("k8s.io."):
        t = typ[len("k8s.io."):]
        return t
    return prefix + "." + typ

def main():
    existing = open(sys.argv[1]).read()
    have = set(re.findall(r"^message (\S+)", existing, re.M))
    roots, messages, gos = [], {}, {}
    for spec in sys.argv[2:]:
        proto, types_glob, prefix, api_version, kind = spec.split(":")
        messages.update(proto_messages(proto, prefix))
        for name, fields in go_fields(sorted(glob.glob(types_glob))).items():
            gos[prefix + "." + name] = fields
        if kind != "-":
            roots.append((api_version, kind, prefix + "." + kind))
    lines, todo, done = [], [r[2] for r in roots], set()
    for r in roots:
        print(f"root {r[0]} {r[1]} {r[2]}")
    out = {}
    while todo:
        name = todo.pop()
        if name in done or name in have:
            continue
        done.add(name)
        short = name.rsplit(".", 1)[1]
        special = SPECIALS.get(short)
        prefix = name.rsplit(".", 1)[0]
        body = [f"message {name}" + (f" {special}" if special else "")]
        go = gos.get(name, {})
        for label, typ, mapval, pname, tag in ([] if special == "RawJson" else messages[name]):
            jname, omitempty, inline, gtype = go.get(pname, (pname, False, False, "?"))
            flags = []
            if mapval:
                if mapval in SCALARS:
                    kind = "map-" + mapval
                else:
                    target = qualify(mapval, prefix); todo.append(target)
                    kind = "map-message " + target
                if not omitempty:
                    flags.append("null_if_absent")
            elif typ in SCALARS:
                kind = typ
                if label == "repeated":
                    flags.append("repeated")
                    if not omitempty:
                        flags.append("null_if_absent")
                elif gtype == "[]byte":
                    flags.append("omit_zero" if omitempty else "null_if_absent")
                elif not gtype.startswith("*") and omitempty:
                    flags.append("omit_zero")
            else:
                target = qualify(typ, prefix); todo.append(target)
                kind = "message " + target
                if label == "repeated":
                    flags.append("repeated")
                    if not omitempty:
                        flags.append("null_if_absent")
                elif gtype.startswith("*") and not omitempty:
                    flags.append("null_if_absent")
            if inline:
                jname = "-"; flags.append("inline")
            if special:
                # The special form's JSON is not an object of these fields: names and flags are moot.
                flags = [f for f in flags if f == "repeated"]
            elif gtype == "?":
                flags.append("#NOGO")
            body.append(f"  {tag} {jname} {kind}" + "".join(" " + f for f in flags))
        out[name] = body
    for name in sorted(out):
        print("\n".join(out[name]))

main()
