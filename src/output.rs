//! Writing frames and files: CSV, JSON, Parquet, always atomically.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use polars::prelude::*;

use crate::error::{Error, Result};

/// Output formats for tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header.
    Csv,
    /// A JSON array of row objects.
    Json,
    /// Apache Parquet (needs the `parquet` feature).
    Parquet,
}

/// Write `bytes` to `path` atomically: a temporary file in the same directory,
/// flushed and then renamed over the target, so a reader never sees half a file.
/// Parent directories are created.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_io(path, bytes).map_err(|e| Error::io("writing", path, e))
}

/// [`write_atomic`] with the plain I/O error, for callers with their own error type
/// (charts, the cache). The temporary file is removed on failure.
pub(crate) fn write_atomic_io(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    remove_orphans(dir, &name);
    let tmp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Remove the temporary files `.{name}.{pid}.{n}.tmp` that a writer of `name` left
/// behind when it was killed mid-write: those whose process is no longer running.
/// Only where running processes can be listed (`/proc`, Linux); elsewhere they stay
/// (harmless: no reader ever opens a `.tmp` file).
fn remove_orphans(dir: &Path, name: &str) {
    if !cfg!(target_os = "linux") || !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let prefix = format!(".{name}.");
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)).and_then(|r| r.strip_suffix(".tmp")) else {
            continue;
        };
        let Some(pid) = rest.split('.').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Serialise a frame in `format` to a writer.
pub fn write_to(df: &mut DataFrame, format: Format, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Csv => CsvWriter::new(out).include_header(true).finish(df)?,
        Format::Json => write_json(df, out)?,
        #[cfg(feature = "parquet")]
        Format::Parquet => {
            ParquetWriter::new(out).finish(df)?;
        }
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => {
            return Err(Error::Config("Parquet output needs statbank's `parquet` feature (build with default features)".into()))
        }
    }
    Ok(())
}

/// A JSON array of row objects: numbers as numbers, nulls as `null`, dates as ISO strings.
fn write_json(df: &DataFrame, out: &mut dyn Write) -> Result<()> {
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    let mut rows = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let mut row = serde_json::Map::with_capacity(names.len());
        for (name, column) in names.iter().zip(df.columns()) {
            let v = match column.get(i)? {
                AnyValue::Null => serde_json::Value::Null,
                AnyValue::Boolean(b) => b.into(),
                AnyValue::String(s) => s.into(),
                AnyValue::StringOwned(s) => s.as_str().into(),
                AnyValue::Float64(x) => serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, Into::into),
                AnyValue::Float32(x) => serde_json::Number::from_f64(x as f64).map_or(serde_json::Value::Null, Into::into),
                AnyValue::Int64(x) => x.into(),
                AnyValue::Int32(x) => x.into(),
                AnyValue::UInt32(x) => x.into(),
                AnyValue::UInt64(x) => x.into(),
                other => other.to_string().trim_matches('"').into(),
            };
            row.insert(name.clone(), v);
        }
        rows.push(serde_json::Value::Object(row));
    }
    serde_json::to_writer(&mut *out, &rows).map_err(|e| Error::serialize("frame rows", e))?;
    out.write_all(b"\n").map_err(|e| Error::io("writing", "JSON output", e))
}

/// Write a frame to `path` atomically.
pub fn write_frame(df: &mut DataFrame, format: Format, path: &Path) -> Result<()> {
    let mut buf = Vec::new();
    write_to(df, format, &mut buf)?;
    write_atomic(path, &buf)
}
