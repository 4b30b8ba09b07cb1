//! `mdbook-ctxgroup install`: adds the preprocessor and the element's loader and styles to a
//! book's book.toml, and copies the element, its worker and its wasm into the book's source
//! directory (mdBook copies them to the output with the rest of the sources).

use std::path::Path;
use toml_edit::{Array, DocumentMut, Item, Table, Value};

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// Where the element's files go, under the book's source directory.
pub const ASSET_DIR: &str = "ctxgroup";
/// The classic script mdBook loads on every page (`additional-js`): it imports the element.
pub const LOADER: &str = "ctxgroup-loader.js";
/// The styles of the static fallback (`additional-css`).
pub const STYLES: &str = "ctxgroup.css";

const LOADER_JS: &str = "// Loads <ctxgroup-playground> (mdBook's additional-js are classic scripts; the element is a module).\n\
import(new URL('ctxgroup/ctxgroup-playground.js', document.currentScript.src).href);\n";

/// Reads the element's files from `dir` (a built www/ or an unpacked npm package).
pub fn assets_from(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut files = Vec::new();
    for name in [
        "ctxgroup-playground.js",
        "ctxgroup-editor.js",
        "ctxgroup-worker.js",
        "ctxgroup-fallback.css",
    ] {
        let p = dir.join(name);
        files.push((
            name.to_string(),
            std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?,
        ));
    }
    let pkg = dir.join("pkg");
    let mut names: Vec<_> = std::fs::read_dir(&pkg)
        .map_err(|e| format!("{}: {e}", pkg.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    for p in names {
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if name == ".gitignore" || name == "package.json" {
            continue;
        }
        files.push((
            format!("pkg/{name}"),
            std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?,
        ));
    }
    Ok(files)
}

/// The files built into this binary, if it was built after the page.
pub fn embedded() -> Option<Vec<(String, Vec<u8>)>> {
    EMBEDDED.map(|files| {
        files
            .iter()
            .map(|(n, b)| (n.to_string(), b.to_vec()))
            .collect()
    })
}

/// Adds `value` to the array `key` of `table` unless it is there already.
fn add_to_array(table: &mut Table, key: &str, value: &str) -> Result<(), String> {
    let item = table
        .entry(key)
        .or_insert(Item::Value(Value::Array(Array::new())));
    let array = item
        .as_array_mut()
        .ok_or_else(|| format!("book.toml: output.html.{key} is not an array"))?;
    if !array.iter().any(|v| v.as_str() == Some(value)) {
        array.push(value);
    }
    Ok(())
}

/// Returns book.toml's text with the preprocessor and the assets added (idempotent).
pub fn edit_book_toml(text: &str) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("book.toml: {e}"))?;
    let root = doc.as_table_mut();
    let pre = root
        .entry("preprocessor")
        .or_insert(Item::Table(Table::new()))
        .as_table_mut()
        .ok_or("book.toml: preprocessor is not a table")?;
    pre.set_implicit(true);
    let ours = pre
        .entry("ctxgroup")
        .or_insert(Item::Table(Table::new()))
        .as_table_mut()
        .ok_or("book.toml: preprocessor.ctxgroup is not a table")?;
    if !ours.contains_key("command") {
        ours.insert("command", toml_edit::value("mdbook-ctxgroup"));
    }
    let output = root
        .entry("output")
        .or_insert(Item::Table(Table::new()))
        .as_table_mut()
        .ok_or("book.toml: output is not a table")?;
    output.set_implicit(true);
    let html = output
        .entry("html")
        .or_insert(Item::Table(Table::new()))
        .as_table_mut()
        .ok_or("book.toml: output.html is not a table")?;
    add_to_array(html, "additional-js", LOADER)?;
    add_to_array(html, "additional-css", STYLES)?;
    Ok(doc.to_string())
}

/// Installs into the book at `book`: book.toml's entries, the loader and styles at the book's
/// root, the element's files under `<src>/ctxgroup/`. Returns what it wrote, for the user.
pub fn install(book: &Path, assets: &[(String, Vec<u8>)]) -> Result<Vec<String>, String> {
    let toml_path = book.join("book.toml");
    let text =
        std::fs::read_to_string(&toml_path).map_err(|e| format!("{}: {e}", toml_path.display()))?;
    let src = text
        .parse::<DocumentMut>()
        .ok()
        .and_then(|d| d.get("book")?.get("src")?.as_str().map(str::to_string))
        .unwrap_or_else(|| "src".to_string());
    let new = edit_book_toml(&text)?;
    let mut wrote = Vec::new();
    let mut write = |path: &Path, bytes: &[u8]| -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        wrote.push(path.display().to_string());
        Ok(())
    };
    if new != text {
        write(&toml_path, new.as_bytes())?;
    }
    write(&book.join(LOADER), LOADER_JS.as_bytes())?;
    let css = assets
        .iter()
        .find(|(n, _)| n == "ctxgroup-fallback.css")
        .ok_or("the assets lack ctxgroup-fallback.css")?;
    write(&book.join(STYLES), &css.1)?;
    let dir = book.join(&src).join(ASSET_DIR);
    for (name, bytes) in assets {
        if name != "ctxgroup-fallback.css" {
            write(&dir.join(name), bytes)?;
        }
    }
    Ok(wrote)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn book_toml_gets_the_preprocessor_and_the_assets_once() {
        let text = "[book]\ntitle = \"T\"\n\n[output.html]\nadditional-js = [\"mine.js\"]\n";
        let once = edit_book_toml(text).unwrap();
        assert!(
            once.contains("[preprocessor.ctxgroup]\ncommand = \"mdbook-ctxgroup\""),
            "{once}"
        );
        assert!(
            once.contains("additional-js = [\"mine.js\", \"ctxgroup-loader.js\"]"),
            "{once}"
        );
        assert!(
            once.contains("additional-css = [\"ctxgroup.css\"]"),
            "{once}"
        );
        assert!(once.contains("title = \"T\""));
        assert_eq!(edit_book_toml(&once).unwrap(), once);
    }

    #[test]
    fn assets_come_from_a_directory_with_everything_in_its_pkg() {
        let dir =
            std::env::temp_dir().join(format!("mdbook-ctxgroup-assets-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        for f in [
            "ctxgroup-playground.js",
            "ctxgroup-editor.js",
            "ctxgroup-worker.js",
            "ctxgroup-fallback.css",
            "pkg/ctxgroup.js",
            "pkg/ctxgroup_code_bg.wasm",
            "pkg/.gitignore",
        ] {
            std::fs::write(dir.join(f), f).unwrap();
        }
        let names: Vec<String> = assets_from(&dir)
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            names,
            [
                "ctxgroup-playground.js",
                "ctxgroup-editor.js",
                "ctxgroup-worker.js",
                "ctxgroup-fallback.css",
                "pkg/ctxgroup.js",
                "pkg/ctxgroup_code_bg.wasm"
            ]
        );
        std::fs::remove_file(dir.join("ctxgroup-worker.js")).unwrap();
        assert!(assets_from(&dir)
            .unwrap_err()
            .contains("ctxgroup-worker.js"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_book_toml_is_an_error_not_a_panic() {
        assert!(edit_book_toml("[output]\nhtml = 3\n")
            .unwrap_err()
            .contains("output.html"));
        assert!(edit_book_toml("[[[").is_err());
        assert!(edit_book_toml("[output.html]\nadditional-js = \"x\"\n")
            .unwrap_err()
            .contains("not an array"));
    }

    #[test]
    fn install_writes_the_loader_styles_and_assets_under_the_books_src() {
        let dir =
            std::env::temp_dir().join(format!("mdbook-ctxgroup-install-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("book.toml"), "[book]\nsrc = \"doc\"\n").unwrap();
        let assets = vec![
            ("ctxgroup-playground.js".to_string(), b"el".to_vec()),
            ("ctxgroup-fallback.css".to_string(), b"css".to_vec()),
            ("pkg/ctxgroup_code_bg.wasm".to_string(), b"w".to_vec()),
        ];
        install(&dir, &assets).unwrap();
        assert_eq!(
            std::fs::read(dir.join("doc/ctxgroup/pkg/ctxgroup_code_bg.wasm")).unwrap(),
            b"w"
        );
        assert_eq!(
            std::fs::read(dir.join("doc/ctxgroup/ctxgroup-playground.js")).unwrap(),
            b"el"
        );
        assert_eq!(std::fs::read(dir.join("ctxgroup.css")).unwrap(), b"css");
        assert!(std::fs::read_to_string(dir.join("ctxgroup-loader.js"))
            .unwrap()
            .contains("import("));
        assert!(std::fs::read_to_string(dir.join("book.toml"))
            .unwrap()
            .contains("[preprocessor.ctxgroup]"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
