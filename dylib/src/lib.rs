//! `statbank` for the notebooks: the whole crate, with its polars and plotters, built
//! once as a Rust `dylib`.
//!
//! evcxr compiles every notebook cell into its own shared object. Against the `statbank`
//! rlib each of those objects statically links a fresh copy of everything the cell
//! reaches, which with polars' query engine is about 100 MB of code: 3–4 s of linking
//! per cell, and one copy of every `static` per cell. Against this dylib a cell links
//! dynamically: its object is a few dozen kilobytes and every cell shares one polars.
//! (The same trick as `bevy_dylib`.)
//!
//! Notebooks load it under the name `statbank` (a Cargo rename),
//!
//! ```text
//! :dep statbank = { package = "statbank-dylib", path = "../dylib" }
//! use statbank::prelude::*;
//! ```
//!
//! and then read exactly like code written against the `statbank` crate itself. The
//! kernel must find the library at run time: `scripts/setup`'s kernel wrapper puts the
//! evcxr build directory's `deps` folder on `LD_LIBRARY_PATH`.

pub use statbank::*;
