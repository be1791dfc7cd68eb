#!/usr/bin/env python3
"""Generates descriptors.rs: the protobuf field table for the Kubernetes kinds kctl decodes.

Why: kubectl's typed clients send protobuf bodies, and kctl works on JSON. Field numbers and
wire types come from the prost-generated sources of the k8s-pb crate (every k8s generated.proto);
the JSON names come from k8s-openapi's serde code (the exact JSON spelling, e.g. `hostIPC`).

Whether a present zero value is dropped (Go value field with `omitempty`) or kept (pointer, or no
`omitempty`) comes from the Go type metadata compiled into kubectl v1.32 (see `go_structs`).

Run once from the crate root after changing the kind list (kubectl v1.32 on the PATH):
    python3 src/apiserver/protobuf/generate.py
It reads ~/.cargo/registry/src/*/k8s-pb-0.9.0 and k8s-openapi-0.25.*, and writes
src/apiserver/protobuf/descriptors.rs.
"""

import glob
import os
import re
import shutil
import struct
import sys

HOME = os.path.expanduser("~")
PB_ROOT = sorted(glob.glob(f"{HOME}/.cargo/registry/src/*/k8s-pb-0.9.0/src"))[0]
OA_ROOT = sorted(glob.glob(f"{HOME}/.cargo/registry/src/*/k8s-openapi-0.25.*/src/v1_32"))[0]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "descriptors.rs")

# Packages whose every top-level resource kind (an `impl crate::Resource`) gets a root entry.
RESOURCE_PACKAGES = [
    "api.core.v1",
    "api.apps.v1",
    "api.batch.v1",
    "api.policy.v1",
    "api.autoscaling.v1",
    "api.autoscaling.v2",
    "api.coordination.v1",
    "api.rbac.v1",
    "api.networking.v1",
    "api.scheduling.v1",
    "api.discovery.v1",
    "api.events.v1",
]

# Kinds sent as bodies that are not storable resources (subresources, options).
EXTRA_ROOTS = [
    ("v1", "Binding", "api.core.v1.Binding"),
    ("policy/v1", "Eviction", "api.policy.v1.Eviction"),
    ("autoscaling/v1", "Scale", "api.autoscaling.v1.Scale"),
    ("authentication.k8s.io/v1", "TokenRequest", "api.authentication.v1.TokenRequest"),
    ("meta.k8s.io/v1", "DeleteOptions", "apimachinery.pkg.apis.meta.v1.DeleteOptions"),
]

# Messages whose JSON form is not an object; decode.rs handles them by this marker.
SPECIAL = {
    "apimachinery.pkg.apis.meta.v1.Time": "Time",
    "apimachinery.pkg.apis.meta.v1.MicroTime": "MicroTime",
    "apimachinery.pkg.apis.meta.v1.Duration": "Duration",
    "apimachinery.pkg.apis.meta.v1.FieldsV1": "RawJson",
    "apimachinery.pkg.runtime.RawExtension": "RawJson",
    "apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
    "apimachinery.pkg.api.resource.Quantity": "Quantity",
}

PROST_RE = re.compile(r"#\[prost\((.*)\)\]")
FIELD_RE = re.compile(r"pub (?:r#)?([a-z0-9_]+):\s*(.*)$", re.S)
STRUCT_RE = re.compile(r"^pub struct ([A-Za-z0-9_]+) \{")
TYPE_PATH_RE = re.compile(r"((?:super::)*(?:[a-z_0-9]+::)*[A-Z][A-Za-z0-9_]*)")
NON_MESSAGE = {"Option", "Vec", "Box", "BTreeMap", "String"}


def camel(snake):
    head, *rest = snake.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def norm(name):
    return name.replace("_", "").lower()


def parse_pb():
    """Returns {fq message name: [field dict]} and [(apiVersion, kind, fq)] from k8s-pb."""
    messages = {}
    resources = []
    for path in glob.glob(f"{PB_ROOT}/**/mod.rs", recursive=True):
        rel = os.path.relpath(os.path.dirname(path), PB_ROOT)
        if rel == ".":
            continue
        module = rel.split(os.sep)
        package = ".".join(module)
        lines = open(path).read().split("\n")
        i = 0
        current = None
        pending_api_version = None
        while i < len(lines):
            line = lines[i]
            m = STRUCT_RE.match(line)
            if m:
                current = f"{package}.{m.group(1)}"
                messages[current] = []
                i += 1
                continue
            if line == "}":
                current = None
            m = re.match(r"impl crate::Resource for ([A-Za-z0-9_]+) \{", line)
            if m:
                pending_api_version = (m.group(1), None)
            m = re.match(r'\s*const API_VERSION: &\'static str = "([^"]*)";', line)
            if m and pending_api_version:
                pending_api_version = (pending_api_version[0], m.group(1))
            m = re.match(r'\s*const KIND: &\'static str = "([^"]*)";', line)
            if m and pending_api_version and pending_api_version[1] is not None:
                resources.append((pending_api_version[1], m.group(1), f"{package}.{pending_api_version[0]}"))
                pending_api_version = None
            m = PROST_RE.search(line)
            if m and current:
                attr = m.group(1)
                # The field declaration may span several lines; join until it ends with a comma at depth 0.
                j = i + 1
                decl = lines[j].strip()
                while decl.count("<") != decl.count(">") or not decl.endswith(","):
                    j += 1
                    decl += " " + lines[j].strip()
                fm = FIELD_RE.search(decl)
                if not fm:
                    sys.exit(f"cannot parse field in {current}: {decl}")
                messages[current].append(field_of(module, attr, fm.group(1), fm.group(2)))
                i = j + 1
                continue
            i += 1
    return messages, resources


def resolve(module, type_path):
    """Resolves a Rust path relative to `module` (a list) into a fully-qualified message name."""
    parts = type_path.split("::")
    base = list(module)
    while parts and parts[0] == "super":
        base.pop()
        parts.pop(0)
    return ".".join(base + parts)


def message_type(module, rust_type):
    candidates = [p for p in TYPE_PATH_RE.findall(rust_type) if p.split("::")[-1] not in NON_MESSAGE]
    candidates = [p for p in candidates if not p.startswith("prost::") and "alloc::" not in p]
    if not candidates:
        sys.exit(f"no message type in {rust_type}")
    return resolve(module, candidates[-1])


def field_of(module, attr, rust_name, rust_type):
    tag = int(re.search(r'tag = "(\d+)"', attr).group(1))
    field = {"tag": tag, "rust": rust_name, "repeated": " repeated" in attr or attr.startswith("repeated")}
    kind = attr.split(",")[0].strip()
    if kind.startswith("btree_map") or kind.startswith("map") or kind.startswith("hash_map"):
        key, value = re.search(r'"(\w+), (\w+)"', attr).groups()
        if key != "string":
            sys.exit(f"unsupported map key {key}")
        field["kind"] = "Map"
        field["value"] = value
        if value == "message":
            inner = rust_type[rust_type.index(",") + 1 :]
            field["type"] = message_type(module, inner)
        elif value not in ("string", "bytes"):
            sys.exit(f"unsupported map value {value}")
        return field
    if kind.startswith("bytes"):
        kind = "bytes"
    field["kind"] = {
        "string": "String",
        "bytes": "Bytes",
        "bool": "Bool",
        "int32": "Int32",
        "int64": "Int64",
        "double": "Double",
        "message": "Message",
    }[kind]
    if kind == "message":
        field["type"] = message_type(module, rust_type)
    return field


# reflect.Kind values of the Go types whose nil is `null` in JSON.
GO_KINDS = {21: "map", 22: "pointer", 23: "slice"}


def go_structs(binary):
    """Reads the Go struct layout of every protobuf-tagged type compiled into kubectl (v1.32).

    Why: a present zero on the wire means different things for Go value fields (always written,
    dropped by JSON `omitempty`) and pointer fields (written only when set, kept in JSON). Neither
    proto nor OpenAPI records pointer-ness, but Go's runtime type metadata in the kubectl binary
    does: each struct type (abi.StructType) has its name, package path, and fields with their
    struct tags and types. Returns {"k8s.io/api/apps/v1.deploymentspec": {proto tag: (omitempty,
    "pointer" | "slice" | "map" | "value")}}.
    """
    data = open(binary, "rb").read()
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names_off = sections[shstrndx][4]
    rodata_hdr = [h for h in sections if data[names_off + h[0] : names_off + h[0] + 8] == b".rodata\0"][0]
    base, off, size = rodata_hdr[3], rodata_hdr[4], rodata_hdr[5]
    ro = data[off : off + size]
    words = struct.unpack_from(f"<{size // 8}Q", ro, 0)

    def varint(pos):
        value, shift = 0, 0
        while True:
            byte = ro[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value, pos

    def name_at(addr):
        """abi.Name: flags byte, varint length, name, then (if flags&2) varint length, tag."""
        pos = addr - base
        if not 0 <= pos < size - 3:
            return None
        flags = ro[pos]
        length, pos = varint(pos + 1)
        name = ro[pos : pos + length].decode("utf-8", "replace")
        tag = ""
        if flags & 2:
            tag_len, pos = varint(pos + length)
            tag = ro[pos : pos + tag_len].decode("utf-8", "replace")
        return name, tag

    out = {}
    for i in range(7, len(words) - 2):
        # abi.StructType = abi.Type (48 bytes) + PkgPath (8) + Fields slice {ptr, len, cap} at +56.
        ptr, length, cap = words[i], words[i + 1], words[i + 2]
        if length != cap or not 1 <= length <= 150 or not base <= ptr < base + size or (ptr - base) % 8:
            continue
        j = (ptr - base) // 8
        if j + 3 * length > len(words):
            continue
        fields = {}
        for k in range(length):
            # abi.StructField = {Name *byte, Typ *Type, Offset uintptr}; Type.Kind_ is byte 23.
            name_ptr, typ = words[j + 3 * k], words[j + 3 * k + 1]
            if not (base <= name_ptr < base + size and base <= typ < base + size):
                break
            named = name_at(name_ptr)
            if named is None:
                break
            m = re.search(r'protobuf:"\w+,(\d+),', named[1])
            if m:
                j_tag = re.search(r'json:"([^"]*)"', named[1])
                omitempty = bool(j_tag) and "omitempty" in j_tag.group(1).split(",")[1:]
                fields[int(m.group(1))] = (omitempty, GO_KINDS.get(ro[typ - base + 23] & 0x1F, "value"))
        else:
            type_start = (i - 7) * 8
            if not fields or ro[type_start + 23] & 0x1F != 25 or not ro[type_start + 20] & 1:
                continue
            # Type.Str and UncommonType.PkgPath are offsets from the start of the type data (.rodata).
            str_off = struct.unpack_from("<i", ro, type_start + 40)[0]
            pkg_off = struct.unpack_from("<i", ro, type_start + 80)[0]
            type_name, pkg = name_at(base + str_off), name_at(base + pkg_off)
            if not type_name or not pkg:
                continue
            out[f"{pkg[0]}.{type_name[0].lstrip('*').split('.')[-1]}".lower()] = fields
    return out


def go_key(fq):
    """k8s-pb module path -> Go package path + type, lowercased: api.apps.v1.X -> k8s.io/api/apps/v1.x."""
    package, name = fq.rsplit(".", 1)
    parts = package.split(".")
    parts[0] = parts[0].replace("_", "-")
    return f"k8s.io/{'/'.join(parts)}.{name}".lower()


def omit_zero(field, optional, go_field):
    """Whether a present zero scalar is dropped, as upstream's JSON drops it.

    Go's protobuf marshaller writes every value field, zero or not, and pointer fields only when set;
    JSON then drops zero value fields tagged `omitempty` and keeps pointers (replicas: 0 survives).
    Fields newer than kubectl's types fall back to: optional strings dropped, numbers kept.
    """
    if field["repeated"] or field["kind"] in ("Message", "Map"):
        return False
    if go_field is not None:
        omitempty, go_kind = go_field
        return omitempty and go_kind != "pointer"
    return optional and field["kind"] in ("String", "Bytes")


def null_if_absent(go_field):
    """Go writes nothing for a nil pointer, slice or map; without `omitempty` its JSON is `null`."""
    return go_field is not None and not go_field[0] and go_field[1] != "value"


def parse_openapi():
    """Returns {lowercased fq name: {normalized name: (json name, optional)}} from k8s-openapi's serde code."""
    out = {}
    for path in glob.glob(f"{OA_ROOT}/**/*.rs", recursive=True):
        rel = os.path.relpath(os.path.dirname(path), OA_ROOT)
        package = ".".join(rel.split(os.sep))
        text = open(path).read()
        for sm in re.finditer(r"^pub struct ([A-Za-z0-9_]+) \{(.*?)^\}", text, re.S | re.M):
            name, body = sm.group(1), sm.group(2)
            rust_types = dict(re.findall(r"^\s*pub (?:r#)?([a-z0-9_]+): (.*),$", body, re.M))
            keys = {}
            for json_name, key in re.findall(r'"([A-Za-z0-9_$\-]+)" => Field::Key_([a-z0-9_]+),', text):
                optional = rust_types.get(key, "Option").startswith("Option")
                keys[norm(json_name)] = (json_name, optional)
            out[f"{package}.{name}".lower()] = keys
    return out


def main():
    messages, resources = parse_pb()
    kubectl = os.environ.get("KUBECTL") or shutil.which("kubectl")
    if not kubectl:
        sys.exit("kubectl (v1.32) is needed on the PATH, or in $KUBECTL, for Go field pointer-ness")
    go = go_structs(os.path.realpath(kubectl))
    no_go = []
    openapi = parse_openapi()
    roots = [r for r in resources if r[2].rsplit(".", 1)[0] in RESOURCE_PACKAGES] + EXTRA_ROOTS
    seen = {}
    order = []
    stack = [fq for _, _, fq in roots]
    while stack:
        fq = stack.pop()
        if fq in seen:
            continue
        if fq not in messages:
            sys.exit(f"unknown message {fq}")
        seen[fq] = True
        order.append(fq)
        if fq in SPECIAL:
            continue
        for f in messages[fq]:
            if "type" in f:
                stack.append(f["type"])
    order.sort()
    index = {fq: i for i, fq in enumerate(order)}
    warnings = []
    # Go `json:",inline"` embedding: a proto field with no JSON name of its own whose message's fields
    # are the parent's JSON keys. The embedded message then takes its JSON names from the parent.
    inline = set()
    for fq in order:
        oa = openapi.get(fq.lower(), {})
        for f in messages.get(fq, []) if fq not in SPECIAL else []:
            if f["kind"] != "Message" or not oa or norm(f["rust"]) in oa:
                continue
            sub = [norm(g["rust"]) for g in messages[f["type"]]]
            known = [n for n in sub if n in oa]
            if known and len(known) * 2 >= len(sub):
                inline.add((fq, f["rust"]))
                openapi.setdefault(f["type"].lower(), oa)
                print(f"inline: {fq}.{f['rust']} ({len(known)}/{len(sub)} keys)", file=sys.stderr)
    out = [
        "// @generated by generate.py from k8s-pb 0.9.0 (field numbers, wire types) and",
        "// k8s-openapi 0.25 v1_32 (JSON names). Do not edit by hand.",
        "#![allow(clippy::all)]",
        "",
        "use super::table::{Field, Kind::*, Message, Special};",
        "",
        "/// Every message reachable from `ROOTS`, sorted by fully-qualified name.",
        "pub static MESSAGES: &[Message] = &[",
    ]
    for fq in order:
        special = SPECIAL.get(fq, "None")
        # prost renames acronyms (HttpGetAction vs HTTPGetAction), so match struct names case-insensitively.
        oa = openapi.get(fq.lower(), {})
        fields = []
        if fq not in SPECIAL:
            for f in messages[fq]:
                json_name, optional = oa.get(norm(f["rust"]), (None, True))
                go_field = go.get(go_key(fq), {}).get(f["tag"])
                if go_field is None and f["kind"] not in ("Message", "Map") and not f["repeated"] and f["tag"]:
                    no_go.append(f"{fq}.{f['rust']}")
                is_inline = (fq, f["rust"]) in inline
                if is_inline:
                    json_name = ""
                if json_name is None:
                    json_name = camel(f["rust"])
                    if oa:
                        warnings.append(f"{fq}.{f['rust']}: not in k8s-openapi v1_32, using {json_name}")
                kind = f["kind"]
                if kind == "Message":
                    kind = f"Message({index[f['type']]})"
                elif kind == "Map":
                    value = f["value"]
                    kind = {"string": "MapString", "bytes": "MapBytes"}.get(value) or f"MapMessage({index[f['type']]})"
                fields.append(
                    f"Field {{ tag: {f['tag']}, name: \"{json_name}\", kind: {kind}, "
                    f"repeated: {str(f['repeated']).lower()}, omit_zero: {str(omit_zero(f, optional, go_field)).lower()}, "
                    f"null_if_absent: {str(null_if_absent(go_field) and not is_inline).lower()}, inline: {str(is_inline).lower()} }}"
                )
        out.append(f"    Message {{ name: \"{fq}\", special: Special::{special}, fields: &[")
        out.extend(f"        {f}," for f in fields)
        out.append("    ] },")
    out.append("];")
    out.append("")
    out.append("/// (apiVersion, kind, index into MESSAGES) for every kind a body may carry.")
    out.append("pub static ROOTS: &[(&str, &str, usize)] = &[")
    for api_version, kind, fq in sorted(set(roots)):
        out.append(f'    ("{api_version}", "{kind}", {index[fq]}),')
    out.append("];")
    out.append("")
    with open(OUT, "w") as fh:
        fh.write("\n".join(out))
    for name in no_go:
        warnings.append(f"{name}: not in kubectl's Go types, zero kept unless an optional string")
    for w in warnings:
        print("warning:", w, file=sys.stderr)
    print(f"wrote {OUT}: {len(order)} messages, {len(set(roots))} roots", file=sys.stderr)


if __name__ == "__main__":
    main()
