//! Embeds the built page assets (www/: the element, its editor, its worker, the fallback styles and every
//! file in www/pkg) for `mdbook-ctxgroup install`, when scripts/build-web.sh has built them.
//! Without them the binary still preprocesses; `install` then needs `--assets DIR`.
use std::fmt::Write;
use std::path::Path;

fn main() {
    let www = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www");
    let pkg = www.join("pkg");
    println!("cargo:rerun-if-changed={}", pkg.display());
    let mut files = Vec::new();
    for name in [
        "ctxgroup-playground.js",
        "ctxgroup-editor.js",
        "ctxgroup-worker.js",
        "ctxgroup-fallback.css",
    ] {
        println!("cargo:rerun-if-changed={}", www.join(name).display());
        files.push((name.to_string(), www.join(name)));
    }
    let mut built = pkg.join("ctxgroup_bg.wasm").is_file();
    if let Ok(entries) = std::fs::read_dir(&pkg) {
        let mut names: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        names.sort();
        for p in names {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name == ".gitignore" || name == "package.json" {
                continue;
            }
            files.push((format!("pkg/{name}"), p));
        }
    }
    built &= files.iter().all(|(_, p)| p.is_file());
    let mut code = String::new();
    if built {
        code.push_str("/// The page assets this binary was built with.\npub const EMBEDDED: Option<&[(&str, &[u8])]> = Some(&[\n");
        for (name, path) in &files {
            let _ = writeln!(
                code,
                "    ({name:?}, include_bytes!({:?})),",
                path.canonicalize().unwrap()
            );
        }
        code.push_str("]);\n");
    } else {
        code.push_str("/// The page assets this binary was built with: none (www/pkg was not built).\npub const EMBEDDED: Option<&[(&str, &[u8])]> = None;\n");
    }
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("assets.rs");
    std::fs::write(out, code).unwrap();
}
