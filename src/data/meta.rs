//! Table metadata: the dimensions of a table and their codes.

use crate::data::jsonstat::{Dataset, Dimension};

/// What a table holds: its dimensions and every code of each.
#[derive(Debug, Clone, PartialEq)]
pub struct TableMeta {
    /// Table id, e.g. `07459`.
    pub table: String,
    /// The table's title.
    pub label: String,
    /// Last update (ISO 8601), where known.
    pub updated: Option<String>,
    /// Dimensions with every code and label.
    pub dimensions: Vec<Dimension>,
    /// Per dimension (same order): whether it may be left out of a query (eliminated to a total).
    pub elimination: Vec<bool>,
}

impl TableMeta {
    /// Metadata read off a full dataset (offline snapshot).
    pub fn from_dataset(table: &str, ds: &Dataset) -> TableMeta {
        TableMeta {
            table: table.to_string(),
            label: ds.label.clone().unwrap_or_else(|| table.to_string()),
            updated: ds.updated.clone(),
            dimensions: ds.dimensions.clone(),
            elimination: vec![false; ds.dimensions.len()],
        }
    }

    /// The dimension with this id.
    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.id == id)
    }
}

impl std::fmt::Display for TableMeta {
    /// A readable listing: one block per dimension with its codes and labels.
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        writeln!(f, "{}: {}", self.table, self.label)?;
        if let Some(u) = &self.updated {
            writeln!(f, "updated {u}")?;
        }
        for d in &self.dimensions {
            writeln!(f, "\n{} ({}), {} codes", d.id, d.label, d.len())?;
            for (c, l) in d.codes.iter().zip(&d.labels) {
                if c == l {
                    writeln!(f, "  {c}")?;
                } else {
                    writeln!(f, "  {c:<12} {l}")?;
                }
            }
        }
        Ok(())
    }
}
