//! The layout test: gort's definitions of the structs it shares with
//! compiled code and debuggers (asm/runtime/layout.go, asm/layouts/abi.go;
//! the Rust structs are generated from them with compile-time offset
//! checks) against the DWARF of a binary linked with upstream's runtime.
//! A field moved or resized on either side fails the test.

use gort_gen::gotypes::{Parser, Ty, Universe};
use gimli::{AttributeValue, EndianSlice, RunTimeEndian};
use object::{Object, ObjectSection};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Struct name in DWARF, gort's package and type name, and how many of
/// upstream's leading fields must match (None: all of them).
const CHECKED: &[(&str, &str, &str, Option<usize>)] = &[
    ("runtime.g", "runtime", "g", None),
    ("runtime.m", "runtime", "m", Some(12)),
    ("runtime.gobuf", "runtime", "gobuf", None),
    ("runtime.stack", "runtime", "stack", None),
    ("runtime._defer", "runtime", "_defer", None),
    ("runtime._panic", "runtime", "_panic", None),
    ("runtime.funcval", "runtime", "funcval", None),
    ("runtime.hmap", "runtime", "hmap", None),
    ("runtime.mapextra", "runtime", "mapextra", None),
    ("runtime.bmap", "runtime", "bmap", None),
    ("runtime.hiter", "runtime", "hiter", None),
    ("runtime.hchan", "runtime", "hchan", None),
    ("runtime.waitq", "runtime", "waitq", None),
    ("runtime.sudog", "runtime", "sudog", None),
    ("runtime.scase", "runtime", "scase", None),
    ("runtime.runtimeSelect", "runtime", "runtimeSelect", None),
    ("runtime.itab", "runtime", "itab", None),
    ("runtime.eface", "runtime", "eface", None),
    ("runtime.iface", "runtime", "iface", None),
    ("runtime.slice", "runtime", "slice", None),
    ("runtime.stringStructDWARF", "runtime", "stringStructDWARF", None),
    ("runtime.moduledata", "runtime", "moduledata", None),
    ("runtime.pcHeader", "runtime", "pcHeader", None),
    ("runtime.functab", "runtime", "functab", None),
    ("runtime.textsect", "runtime", "textsect", None),
    ("runtime._func", "runtime", "_func", None),
    ("runtime.initTask", "runtime", "initTask", None),
    ("runtime.timer", "runtime", "timer", None),
    ("runtime.notifyList", "runtime", "notifyList", None),
    ("runtime.mutex", "runtime", "mutex", None),
    ("runtime.metricSample", "runtime", "metricSample", None),
    ("runtime.metricValue", "runtime", "metricValue", None),
    ("runtime.metricFloat64Histogram", "runtime", "metricFloat64Histogram", None),
    ("runtime.Frame", "runtime", "Frame", None),
    ("runtime.Frames", "runtime", "Frames", None),
    ("internal/abi.Type", "abi", "Type", None),
    ("internal/abi.MapType", "abi", "MapType", None),
    ("internal/abi.ChanType", "abi", "ChanType", None),
    ("internal/abi.ArrayType", "abi", "ArrayType", None),
    ("internal/abi.SliceType", "abi", "SliceType", None),
    ("internal/abi.PtrType", "abi", "PtrType", None),
    ("internal/abi.FuncType", "abi", "FuncType", None),
    ("internal/abi.StructType", "abi", "StructType", None),
    ("internal/abi.StructField", "abi", "StructField", None),
    ("internal/abi.InterfaceType", "abi", "InterfaceType", None),
    ("internal/abi.UncommonType", "abi", "UncommonType", None),
    ("internal/abi.Method", "abi", "Method", None),
    ("internal/abi.Imethod", "abi", "Imethod", None),
    ("internal/abi.TypeAssert", "abi", "TypeAssert", None),
    ("internal/abi.InterfaceSwitch", "abi", "InterfaceSwitch", None),
    ("internal/abi.RegArgs", "abi", "RegArgs", None),
];

/// A struct as DWARF describes it: byte size and (field, offset) list.
#[derive(Debug, PartialEq)]
pub struct Shape {
    pub size: u64,
    pub fields: Vec<(String, u64)>,
}

/// Every named struct type in a binary's DWARF.
pub fn dwarf_structs(exe: &Path) -> HashMap<String, Shape> {
    let data = std::fs::read(exe).unwrap();
    let obj = object::File::parse(&*data).unwrap();
    let endian = RunTimeEndian::Little;
    let sections: HashMap<String, Vec<u8>> = obj
        .sections()
        .filter_map(|s| Some((s.name().ok()?.to_string(), s.uncompressed_data().ok()?.into_owned())))
        .collect();
    let load = |id: gimli::SectionId| -> Result<EndianSlice<'_, RunTimeEndian>, gimli::Error> {
        let d = sections.get(id.name()).map(|v| v.as_slice()).unwrap_or(&[]);
        Ok(EndianSlice::new(d, endian))
    };
    let dwarf = gimli::Dwarf::load(load).unwrap();
    let mut out = HashMap::new();
    let mut units = dwarf.units();
    while let Some(header) = units.next().unwrap() {
        let unit = dwarf.unit(header).unwrap();
        let mut tree = unit.entries_tree(None).unwrap();
        let root = tree.root().unwrap();
        let mut children = root.children();
        while let Some(node) = children.next().unwrap() {
            let e = node.entry();
            if e.tag() != gimli::DW_TAG_structure_type {
                continue;
            }
            let Some(name) = e.attr_value(gimli::DW_AT_name).unwrap() else { continue };
            let name = dwarf.attr_string(&unit, name).unwrap().to_string_lossy().to_string();
            let size = match e.attr_value(gimli::DW_AT_byte_size).unwrap() {
                Some(v) => v.udata_value().unwrap_or(0),
                None => continue,
            };
            let mut fields = Vec::new();
            let mut members = node.children();
            while let Some(m) = members.next().unwrap() {
                let me = m.entry();
                if me.tag() != gimli::DW_TAG_member {
                    continue;
                }
                let fname = me
                    .attr_value(gimli::DW_AT_name)
                    .unwrap()
                    .map(|v| dwarf.attr_string(&unit, v).unwrap().to_string_lossy().to_string())
                    .unwrap_or_default();
                let off = match me.attr_value(gimli::DW_AT_data_member_location).unwrap() {
                    Some(AttributeValue::Udata(o)) => o,
                    Some(v) => v.udata_value().unwrap_or(0),
                    None => 0,
                };
                fields.push((fname, off));
            }
            out.insert(name, Shape { size, fields });
        }
    }
    out
}

/// gort's layout of a struct, from its Go definition.
pub fn gort_shape(u: &Universe, pkg: &str, name: &str) -> Shape {
    let d = u.types.get(&(pkg.to_string(), name.to_string())).unwrap_or_else(|| panic!("gort has no {pkg}.{name}"));
    let Ty::Struct(fields) = &d.ty else { panic!("{pkg}.{name} is not a struct") };
    let (lay, offs) = u.struct_layout(pkg, fields).unwrap();
    let names = fields.iter().map(|f| match (&f.name, &f.ty) {
        (Some(n), _) => n.clone(),
        (None, Ty::Named { name, .. }) => name.clone(),
        (None, Ty::Ptr(t)) => match &**t {
            Ty::Named { name, .. } => name.clone(),
            _ => "?".into(),
        },
        _ => "?".into(),
    });
    let fields = names.zip(offs).collect();
    Shape { size: lay.size, fields }
}

pub fn gort_universe() -> Universe {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut u = Universe::default();
    for dir in ["asm/layouts", "asm/runtime"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "go"))
            .collect();
        files.sort();
        for p in files {
            let f = Parser::parse_file(&std::fs::read_to_string(&p).unwrap()).unwrap();
            u.add(&f);
        }
    }
    u
}

/// Compare; returns the list of differences.
pub fn compare(upstream: &HashMap<String, Shape>, u: &Universe) -> Vec<String> {
    let mut errs = Vec::new();
    for (dname, pkg, name, leading) in CHECKED {
        let Some(up) = upstream.get(*dname) else {
            errs.push(format!("{dname}: not in upstream's DWARF"));
            continue;
        };
        let ours = gort_shape(u, pkg, name);
        let n = leading.unwrap_or(up.fields.len());
        if leading.is_none() && up.size != ours.size {
            errs.push(format!("{dname}: size {} upstream, {} in gort", up.size, ours.size));
        }
        for (i, (f, off)) in up.fields.iter().take(n).enumerate() {
            match ours.fields.get(i) {
                Some((g, goff)) if g == f && goff == off => {}
                Some((g, goff)) => errs.push(format!(
                    "{dname}: field {i} is {f} at offset {off} upstream, {g} at offset {goff} in gort"
                )),
                None => errs.push(format!("{dname}: field {f} (offset {off}) missing in gort")),
            }
        }
        if leading.is_none() && ours.fields.len() != up.fields.len() {
            errs.push(format!("{dname}: {} fields upstream, {} in gort", up.fields.len(), ours.fields.len()));
        }
    }
    errs
}

/// A small program linked with upstream's runtime, with uncompressed DWARF.
fn upstream_binary() -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("gort-layout-test-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"reflect\"\n\t\"runtime/metrics\"\n\t\"sync\"\n)\n\nfunc main() {\n\tmetrics.Read([]metrics.Sample{{Name: \"/sched/latencies:seconds\"}})\n\tsync.NewCond(&sync.Mutex{}).Signal()\n\tc := make(chan int, 1)\n\tselect {\n\tcase c <- 1:\n\tcase <-c:\n\t}\n\tfmt.Println(map[int]int{}, c)\n\treflect.Select([]reflect.SelectCase{{Dir: reflect.SelectDefault}})\n}\n",
    )
        .unwrap();
    let exe = dir.join("prog");
    let st = Command::new("/usr/lib/go-1.22/bin/go")
        .args(["build", "-ldflags=-compressdwarf=false", "-o"])
        .arg(&exe)
        .arg("main.go")
        .current_dir(&dir)
        .env("GOROOT", "/usr/lib/go-1.22")
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "")
        .status()
        .expect("running go build (is go1.22.12 installed? scripts/setup-go)");
    assert!(st.success());
    exe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_match_upstream_dwarf() {
        let exe = upstream_binary();
        let upstream = dwarf_structs(&exe);
        std::fs::remove_dir_all(exe.parent().unwrap()).ok();
        let errs = compare(&upstream, &gort_universe());
        assert!(errs.is_empty(), "layouts differ from upstream's:\n{}", errs.join("\n"));
    }

    #[test]
    fn a_moved_field_is_detected() {
        // The same check on a deliberately broken definition must fail.
        let exe = upstream_binary();
        let upstream = dwarf_structs(&exe);
        std::fs::remove_dir_all(exe.parent().unwrap()).ok();
        let mut u = gort_universe();
        let key = ("runtime".to_string(), "hchan".to_string());
        let mut d = u.types[&key].clone();
        if let Ty::Struct(fields) = &mut d.ty {
            fields.swap(3, 4); // elemsize <-> closed
        }
        u.types.insert(key, d);
        let errs = compare(&upstream, &u);
        assert!(errs.iter().any(|e| e.contains("runtime.hchan: field 3 is elemsize")), "{errs:?}");
    }
}
