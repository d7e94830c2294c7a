//! Writing frames and files: CSV, JSON, Parquet, always atomically.

use std::io::Write;
use std::path::Path;

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
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io("creating directory", dir, e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io("writing", path, e)
    })
}

/// Serialise a frame in `format` to a writer.
pub fn write_to(df: &mut DataFrame, format: Format, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Csv => CsvWriter::new(out).include_header(true).finish(df)?,
        Format::Json => JsonWriter::new(out).with_json_format(JsonFormat::Json).finish(df)?,
        #[cfg(feature = "parquet")]
        Format::Parquet => {
            ParquetWriter::new(out).finish(df)?;
        }
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => {
            return Err(Error::Query("Parquet output needs statbank's `parquet` feature".into()))
        }
    }
    Ok(())
}

/// Write a frame to `path` atomically.
pub fn write_frame(df: &mut DataFrame, format: Format, path: &Path) -> Result<()> {
    let mut buf = Vec::new();
    write_to(df, format, &mut buf)?;
    write_atomic(path, &buf)
}
