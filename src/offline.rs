//! Answering queries from an offline snapshot of full tables.
//!
//! The snapshot directory (`STATBANK_OFFLINE`) holds full-table JSON-stat2 files:
//! `pxweb/<table>.json`, and `pxweb/<table>.<codelist>.json` for an aggregation such as
//! `agg_KommSummer`. A query is answered by selecting the requested codes locally with
//! the same [`Filter::resolve`](crate::query::Filter::resolve) rules the live API
//! follows, so a notebook returns identical frames online and offline.
//! KLASS files live under `klass/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::jsonstat::Dataset;
use crate::meta::TableMeta;
use crate::query::Query;

/// A snapshot directory answering queries locally.
#[derive(Debug)]
pub struct Offline {
    dir: PathBuf,
    tables: Mutex<HashMap<PathBuf, Arc<Dataset>>>,
}

impl Clone for Offline {
    fn clone(&self) -> Self {
        Offline::new_unchecked(self.dir.clone())
    }
}

impl Offline {
    /// Open a snapshot directory; it must exist.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Offline> {
        let dir = dir.into();
        if !dir.is_dir() {
            return Err(Error::io(
                "opening the offline snapshot",
                &dir,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory (check STATBANK_OFFLINE)"),
            ));
        }
        Ok(Offline::new_unchecked(dir))
    }

    fn new_unchecked(dir: PathBuf) -> Offline {
        Offline { dir, tables: Mutex::new(HashMap::new()) }
    }

    /// The snapshot directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The full table (or codelist aggregation), parsed once and kept.
    pub fn table(&self, table: &str, codelist: Option<&str>) -> Result<Arc<Dataset>> {
        let name = match codelist {
            Some(cl) => format!("{table}.{cl}.json"),
            None => format!("{table}.json"),
        };
        let path = self.dir.join("pxweb").join(name);
        if let Some(ds) = self.tables.lock().unwrap_or_else(|e| e.into_inner()).get(&path) {
            return Ok(ds.clone());
        }
        let bytes = std::fs::read(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::OfflineMissingTable {
                    table: table.to_string(),
                    codelist: codelist.map(|c| format!(" with codelist {c}")).unwrap_or_default(),
                    path: path.clone(),
                }
            } else {
                Error::io("reading", &path, e)
            }
        })?;
        let ds = Arc::new(Dataset::from_slice_named(&bytes, &path.display().to_string())?);
        self.tables.lock().unwrap_or_else(|e| e.into_inner()).insert(path, ds.clone());
        Ok(ds)
    }

    /// Answer a query from the snapshot.
    pub fn dataset(&self, q: &Query) -> Result<Dataset> {
        let codelists: Vec<&str> = q.selections.iter().filter_map(|s| s.codelist.as_deref()).collect();
        if codelists.len() > 1 {
            return Err(Error::Query(format!(
                "offline, one codelist per query is supported; this one uses {codelists:?}"
            )));
        }
        let full = self.table(&q.table, codelists.first().copied())?;
        for s in &q.selections {
            if full.dimension(&s.dimension).is_none() {
                return Err(Error::UnknownDimension {
                    table: q.table.clone(),
                    dimension: s.dimension.clone(),
                    available: full.dimensions.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", "),
                });
            }
        }
        let picks = full
            .dimensions
            .iter()
            .map(|d| match q.selection(&d.id) {
                Some(s) => s.filter.resolve(&q.table, d),
                None => Ok((0..d.len()).collect()),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(full.select_positions(&picks))
    }

    /// Table metadata, read off the full table.
    pub fn metadata(&self, table: &str) -> Result<TableMeta> {
        let ds = self.table(table, None)?;
        Ok(TableMeta::from_dataset(table, &ds))
    }

    /// A KLASS file from `<dir>/klass/`.
    pub fn klass_file(&self, name: &str) -> Result<Vec<u8>> {
        let path = self.dir.join("klass").join(name);
        std::fs::read(&path).map_err(|e| Error::io("reading the offline KLASS file", &path, e))
    }
}
