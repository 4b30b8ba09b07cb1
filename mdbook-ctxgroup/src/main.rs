//! `mdbook-ctxgroup`: the mdBook preprocessor (see the library's documentation).
//!
//! ```text
//! mdbook-ctxgroup                      preprocess: [context, book] JSON on stdin, the book on stdout
//! mdbook-ctxgroup supports RENDERER    exit 0 if RENDERER is supported (html)
//! mdbook-ctxgroup install [BOOK] [--assets DIR]
//!                                      add the preprocessor and the element to the book at BOOK (.)
//! ```

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: mdbook-ctxgroup [supports RENDERER | install [BOOK] [--assets DIR]]\n\
  (no arguments)       run as mdBook's preprocessor\n\
  supports RENDERER    exit 0 if the preprocessor works with RENDERER (html)\n\
  install [BOOK]       add [preprocessor.ctxgroup], the loader and the styles to BOOK/book.toml\n\
                       and copy the element into BOOK's source directory; --assets DIR takes\n\
                       the element from DIR (a built www/ or an unpacked npm package)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => preprocess(),
        Some("supports") => match args.get(1) {
            Some(r) if mdbook_ctxgroup::supports(r) => ExitCode::SUCCESS,
            Some(_) => ExitCode::from(1),
            None => fail(USAGE),
        },
        Some("install") => install(&args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some("-V" | "--version") => {
            println!("mdbook-ctxgroup {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some(other) => fail(&format!("unknown command \"{other}\"\n{USAGE}")),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(2)
}

fn preprocess() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        return fail(&format!("mdbook-ctxgroup: reading mdBook's input: {e}"));
    }
    match mdbook_ctxgroup::run(&input) {
        Ok(book) => {
            println!("{book}");
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!(
                "mdbook-ctxgroup: {} error(s) in ctxgroup blocks",
                errors.len()
            );
            ExitCode::from(1)
        }
    }
}

fn install(args: &[String]) -> ExitCode {
    let mut book = PathBuf::from(".");
    let mut assets_dir = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--assets" => match args.get(i + 1) {
                Some(d) => {
                    assets_dir = Some(PathBuf::from(d));
                    i += 2;
                }
                None => return fail("--assets needs a directory"),
            },
            other => {
                book = PathBuf::from(other);
                i += 1;
            }
        }
    }
    let assets = match assets_dir {
        Some(dir) => match mdbook_ctxgroup::install::assets_from(&dir) {
            Ok(a) => a,
            Err(e) => return fail(&e),
        },
        None => match mdbook_ctxgroup::install::embedded() {
            Some(a) => a,
            None => return fail("this mdbook-ctxgroup was built without the playground's web files: pass --assets DIR (a built www/ or an unpacked ctxgroup-playground npm package)"),
        },
    };
    match mdbook_ctxgroup::install::install(&book, &assets) {
        Ok(wrote) => {
            for w in wrote {
                println!("wrote {w}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}
