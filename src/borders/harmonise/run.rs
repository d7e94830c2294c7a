//! [`Harmoniser`]: read the input frame, carry every row to the target borders, sum,
//! and write the output frame.

use super::*;

/// One row of the output: a (group, code) with its summed value.
pub(super) struct OutRow {
    /// The input row whose key columns (year and the others) the row takes.
    pub(super) first_row: IdxSize,
    pub(super) code: String,
    pub(super) name: Option<String>,
    pub(super) value: Option<f64>,
    pub(super) exact: bool,
    pub(super) method: Method,
}

/// The input frame, read once: its columns as vectors, and its rows grouped by every
/// column that is not region, value, label, `status`, `exact` or `method` (so by year,
/// and by sex or age where the frame has them).
pub(super) struct Input<'a> {
    pub(super) df: &'a DataFrame,
    pub(super) value_col: &'a str,
    pub(super) region_col: &'a str,
    pub(super) codes: Vec<Option<String>>,
    pub(super) years: Vec<Option<i32>>,
    pub(super) values: Vec<Option<f64>>,
    /// The region label column (`region` beside `region_code`), if the frame has one.
    pub(super) label_col: Option<String>,
    /// The name of the label column in the output.
    pub(super) out_label: String,
    pub(super) labels: Option<Vec<Option<String>>>,
    /// `exact` and `method` of an input that was harmonised before.
    pub(super) carried_exact: Option<Vec<Option<bool>>>,
    pub(super) carried_method: Option<Vec<Option<Method>>>,
    /// Columns that are not copied from the input as they are.
    pub(super) skip: BTreeSet<String>,
    /// Group of each row, and each group's year and first row.
    pub(super) row_group: Vec<usize>,
    pub(super) group_year: Vec<i32>,
    pub(super) group_first: Vec<IdxSize>,
}

impl<'a> Input<'a> {
    pub(super) fn read(df: &'a DataFrame, value_col: &'a str, year_col: &str, region_col: &'a str) -> Result<Input<'a>> {
        let codes = string_values(df, region_col)?;
        let years = year_values(df, year_col)?;
        let values = float_values(df, value_col)?;
        let label_col = region_col
            .strip_suffix("_code")
            .filter(|b| find_column(df, b).is_ok())
            .map(str::to_string);
        let out_label = label_col.clone().unwrap_or_else(|| match region_col.strip_suffix("_code") {
            Some(b) => b.to_string(),
            None => format!("{region_col}_name"),
        });
        if out_label == value_col || out_label == year_col {
            return Err(Error::column(&out_label, "the name column would overwrite the value or year column"));
        }
        let labels = match &label_col {
            Some(l) => Some(string_values(df, l)?),
            None => None,
        };
        let carried_exact = match find_column(df, "exact") {
            Ok(c) => Some(
                c.bool()
                    .map_err(|_| Error::column("exact", format!("expected a boolean column, found {}", c.dtype())))?
                    .iter()
                    .collect::<Vec<_>>(),
            ),
            Err(_) => None,
        };
        let carried_method = match find_column(df, "method") {
            Ok(_) => Some(
                string_values(df, "method")?
                    .into_iter()
                    .map(|m| m.as_deref().map(Method::parse).transpose())
                    .collect::<Result<Vec<_>>>()?,
            ),
            Err(_) => None,
        };
        let skip: BTreeSet<String> = [value_col, region_col, "status", "exact", "method"]
            .into_iter()
            .chain(label_col.as_deref())
            .map(str::to_string)
            .collect();
        let key_cols: Vec<String> = column_names(df).into_iter().filter(|c| !skip.contains(c)).collect();
        if !key_cols.iter().any(|c| c == year_col) {
            return Err(Error::column(year_col, "the year column cannot also be the value or region column"));
        }
        // Group ids: equal key columns (year included).
        let key_strings: Vec<Vec<Option<String>>> =
            key_cols.iter().map(|c| string_values_cast(df, c)).collect::<Result<_>>()?;
        let mut group_of_key: HashMap<Vec<Option<&str>>, usize> = HashMap::new();
        let mut group_first: Vec<IdxSize> = Vec::new();
        let mut group_year: Vec<i32> = Vec::new();
        let mut row_group = Vec::with_capacity(df.height());
        for row in 0..df.height() {
            let y = years[row].ok_or_else(|| {
                Error::column(year_col, format!("row {row} has no year; drop or fill null years first"))
            })?;
            check_year(y).map_err(|_| Error::column(year_col, format!("row {row}: year {y} is out of range")))?;
            let key: Vec<Option<&str>> = key_strings.iter().map(|k| k[row].as_deref()).collect();
            let next = group_first.len();
            let g = *group_of_key.entry(key).or_insert(next);
            if g == next {
                group_first.push(row as IdxSize);
                group_year.push(y);
            }
            row_group.push(g);
        }
        Ok(Input {
            df,
            value_col,
            region_col,
            codes,
            years,
            values,
            label_col,
            out_label,
            labels,
            carried_exact,
            carried_method,
            skip,
            row_group,
            group_year,
            group_first,
        })
    }

    /// The borders each year's rows are on: from the municipalities with a non-zero value.
    pub(super) fn vintages(&self, versions: &VersionIndex, target: i32) -> Result<BTreeMap<i32, i32>> {
        let mut nonzero: BTreeMap<i32, BTreeSet<&str>> = BTreeMap::new();
        for row in 0..self.df.height() {
            let (Some(c), Some(y)) = (self.codes[row].as_deref(), self.years[row]) else { continue };
            if region::is_municipality(c) && self.values[row].is_some_and(|v| v != 0.0) {
                nonzero.entry(y).or_default().insert(c);
            }
        }
        let mut vintage: BTreeMap<i32, i32> = BTreeMap::new();
        for &y in &self.group_year {
            if vintage.contains_key(&y) {
                continue;
            }
            let set = nonzero.get(&y).cloned().unwrap_or_default();
            vintage.insert(y, find_vintage(versions, &set, y, target)?);
        }
        Ok(vintage)
    }

    /// The output frame: the input's columns in their order, code and name replaced,
    /// value summed, then `exact` and `method`.
    pub(super) fn to_frame(&self, rows: &[OutRow]) -> Result<DataFrame> {
        let idx: IdxCa = rows.iter().map(|r| r.first_row).collect_ca(PlSmallStr::EMPTY);
        let names = || Column::new(self.out_label.as_str().into(), rows.iter().map(|r| r.name.as_deref()).collect::<Vec<_>>());
        let mut columns: Vec<Column> = Vec::new();
        let mut label_done = false;
        for name in column_names(self.df) {
            if name == self.region_col {
                columns.push(Column::new(name.into(), rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>()));
                if self.label_col.is_none() {
                    columns.push(names());
                    label_done = true;
                }
            } else if Some(&name) == self.label_col.as_ref() {
                columns.push(names());
                label_done = true;
            } else if name == self.value_col {
                columns.push(Column::new(name.into(), rows.iter().map(|r| r.value).collect::<Vec<_>>()));
            } else if self.skip.contains(&name) {
                continue;
            } else {
                columns.push(find_column(self.df, &name)?.take(&idx)?);
            }
        }
        if !label_done {
            columns.push(names());
        }
        columns.push(Column::new("exact".into(), rows.iter().map(|r| r.exact).collect::<Vec<_>>()));
        columns.push(Column::new("method".into(), rows.iter().map(|r| r.method.as_str()).collect::<Vec<_>>()));
        Ok(DataFrame::new(rows.len(), columns)?)
    }
}

/// The sum of the parts that reach one (group, code) of the target borders.
#[derive(Default)]
pub(super) struct Acc {
    pub(super) sum: f64,
    pub(super) has_value: bool,
    pub(super) any_null: bool,
    pub(super) exact: bool,
    pub(super) n: usize,
    pub(super) identity: bool,
    pub(super) carried: Option<(Option<bool>, Option<Method>)>,
}

impl Acc {
    /// `exact` and `method` of the summed row.
    pub(super) fn verdict(&self) -> (bool, Method) {
        if self.any_null {
            (false, Method::Partial)
        } else if self.n == 1 && self.carried.is_some() {
            let (e, m) = self.carried.unwrap_or_default();
            (e.unwrap_or(true), m.unwrap_or(Method::Identity))
        } else if self.n == 1 && self.identity {
            (true, Method::Identity)
        } else if self.exact {
            (true, Method::Exact)
        } else {
            (false, Method::Estimated)
        }
    }
}

// ---------------------------------------------------------------- harmoniser

/// Carries a frame to one year's municipal borders (see the [module docs](self)).
///
/// ```no_run
/// use statbank::prelude::*;
/// use statbank::borders::harmonise::{Harmoniser, OtherRegions};
/// let source = Source::from_env()?;
/// let df = source.fetch(&Query::new("07459").select_str("Tid", "from(2010)")?)?;
/// let h = Harmoniser::new(&source)
///     .borders(2024)
///     .other_regions(OtherRegions::Keep)
///     .run(&df, "value", "year", "region_code")?;
/// println!("{}\n{}", h.data, h.changes);
/// # Ok::<(), statbank::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Harmoniser<'a> {
    pub(super) source: &'a Source,
    pub(super) borders: i32,
    pub(super) other: OtherRegions,
    pub(super) population: Option<Population>,
}

impl<'a> Harmoniser<'a> {
    /// A harmoniser reading KLASS and table 07459 through `source`; target borders 2024.
    pub fn new(source: &'a Source) -> Harmoniser<'a> {
        Harmoniser { source, borders: 2024, other: OtherRegions::Drop, population: None }
    }

    /// The target year: codes and names valid on 1 January of `year`.
    pub fn borders(mut self, year: i32) -> Self {
        self.borders = year;
        self
    }

    /// Drop (default) or pass through rows that are not municipalities.
    pub fn other_regions(mut self, other: OtherRegions) -> Self {
        self.other = other;
        self
    }

    /// Use this population for shares instead of fetching table 07459.
    pub fn population(mut self, population: Population) -> Self {
        self.population = Some(population);
        self
    }

    /// The changes and shares that carrying data years `first..=last` to the target
    /// borders applies, as [`Harmonised::changes`] lists them.
    pub fn changes(&self, first: i32, last: i32) -> Result<DataFrame> {
        check_year(first)?;
        check_year(last)?;
        let t = self.borders;
        check_year(t)?;
        let lo = first.min(t);
        let hi = last.max(t);
        let borders = Borders::load(&Klass::new(self.source), lo + 1, hi)?;
        let engine = Engine::new(&borders, self.source, self.population.clone());
        applied_to_frame(&applied_changes(&engine, lo, hi, t)?)
    }

    /// Harmonise `df`: `value_col` (numeric), `year_col` (integer), `region_col` (codes).
    pub fn run(&self, df: &DataFrame, value_col: &str, year_col: &str, region_col: &str) -> Result<Harmonised> {
        let target = self.borders;
        check_year(target)?;
        let input = Input::read(df, value_col, year_col, region_col)?;

        let klass = Klass::new(self.source);
        let versions = VersionIndex::new(&klass.versions(MUNICIPALITIES)?);
        if !versions.codes_in(target).iter().any(|c| region::is_municipality(c)) {
            return Err(Error::Borders(format!("KLASS has no municipalities on 1 January {target}")));
        }
        let vintage = input.vintages(&versions, target)?;
        let lo = vintage.iter().flat_map(|(&y, &b)| [y, b]).chain([target]).min().unwrap_or(target);
        let hi = vintage.iter().flat_map(|(&y, &b)| [y, b]).chain([target]).max().unwrap_or(target);
        let borders = Borders::load(&klass, lo + 1, hi)?;
        let engine = Engine::new(&borders, self.source, self.population.clone());

        let (acc, passthrough) = self.accumulate(&input, &versions, &vintage, &engine)?;
        let rows = output_rows(&input, &borders, target, &acc, &passthrough);
        let data = input.to_frame(&rows)?;
        let applied = applied_changes(&engine, lo, hi, target)?;
        Ok(Harmonised { changes: applied_to_frame(&applied)?, applied, data, borders: target })
    }

    /// Carry every input row to the target borders: each municipality row is split into
    /// its parts (by [`Engine::weights`]) and added to the (group, code) it reaches;
    /// other regions are summed as they are when [`OtherRegions::Keep`].
    #[allow(clippy::type_complexity)]
    pub(super) fn accumulate(
        &self,
        input: &Input,
        versions: &VersionIndex,
        vintage: &BTreeMap<i32, i32>,
        engine: &Engine,
    ) -> Result<(BTreeMap<(usize, String), Acc>, BTreeMap<(usize, String), (usize, Option<f64>)>)> {
        let target = self.borders;
        let mut acc: BTreeMap<(usize, String), Acc> = BTreeMap::new();
        let mut passthrough: BTreeMap<(usize, String), (usize, Option<f64>)> = BTreeMap::new();
        for row in 0..input.df.height() {
            let g = input.row_group[row];
            let y = input.group_year[g];
            let value = input.values[row];
            let code = match input.codes[row].as_deref() {
                Some(c) if region::is_municipality(c) => c,
                other => {
                    if self.other == OtherRegions::Keep {
                        let code = other.unwrap_or_default().to_string();
                        let e = passthrough.entry((g, code)).or_insert((row, None));
                        if let Some(v) = value {
                            e.1 = Some(e.1.unwrap_or(0.0) + v);
                        }
                    }
                    continue;
                }
            };
            let b = vintage[&y];
            if !versions.valid_in(code, b) {
                if value.is_none_or_zero() {
                    continue; // a phantom: the code did not exist that year
                }
                return Err(Error::Borders(format!("{code} has a value in {y} but is not valid on {b} borders")));
            }
            let parts: Rc<Vec<Part>> = if b == target {
                Rc::new(vec![Part { code: code.to_string(), w: 1.0, exact: true }])
            } else {
                engine.weights(code, y, b, target)?
            };
            let last = parts.len().saturating_sub(1);
            let mut given = 0.0;
            for (i, p) in parts.iter().enumerate() {
                let a = acc.entry((g, p.code.clone())).or_insert_with(|| Acc { exact: true, ..Default::default() });
                a.n += 1;
                a.exact &= p.exact;
                a.identity = p.code == code && p.w == 1.0 && p.exact;
                if b == target {
                    a.carried = Some((
                        input.carried_exact.as_ref().and_then(|e| e[row]),
                        input.carried_method.as_ref().and_then(|m| m[row]),
                    ));
                }
                match value {
                    // The last part takes the remainder, so the parts add up exactly.
                    Some(v) => {
                        let part = if i == last { v - given } else { v * p.w };
                        given += part;
                        a.sum += part;
                        a.has_value = true;
                    }
                    None => a.any_null = true,
                }
            }
        }
        Ok((acc, passthrough))
    }
}

/// The output rows, per group: passed-through regions and municipalities, by code.
pub(super) fn output_rows(
    input: &Input,
    borders: &Borders,
    target: i32,
    acc: &BTreeMap<(usize, String), Acc>,
    passthrough: &BTreeMap<(usize, String), (usize, Option<f64>)>,
) -> Vec<OutRow> {
    let mut keys: BTreeSet<&(usize, String)> = acc.keys().collect();
    keys.extend(passthrough.keys());
    keys.into_iter()
        .map(|key| {
            let (g, code) = key;
            let first_row = input.group_first[*g];
            if let Some(&(row, value)) = passthrough.get(key) {
                let name = input.labels.as_ref().and_then(|l| l[row].as_deref()).map(|l| region::parse_label(l).name);
                return OutRow { first_row, code: code.clone(), name, value, exact: true, method: Method::Passthrough };
            }
            let a = &acc[key];
            let (exact, method) = a.verdict();
            OutRow {
                first_row,
                code: code.clone(),
                name: Some(borders.name(code, target)),
                value: a.has_value.then_some(a.sum),
                exact,
                method,
            }
        })
        .collect()
}

