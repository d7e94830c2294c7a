//! Reading metadata responses: table metadata (v0 and v2), codelists, table search.

use std::fmt;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::data::jsonstat::{Dimension, Role};
use crate::data::meta::TableMeta;

/// One hit of a table search ([`Client::search_tables`](super::Client::search_tables)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    /// Table id, e.g. `07459`.
    pub id: String,
    /// Title, e.g. `07459: Befolkning, etter kjønn, alder, …`.
    pub label: String,
    /// Longer description, where SSB gives one.
    pub description: Option<String>,
    /// Last update (ISO 8601).
    pub updated: Option<String>,
    /// First time period, e.g. `1986`.
    pub first_period: Option<String>,
    /// Last time period, e.g. `2026`.
    pub last_period: Option<String>,
    /// Names of the table's variables.
    pub variable_names: Vec<String>,
    /// Whether SSB no longer updates the table.
    pub discontinued: bool,
}

impl fmt::Display for TableInfo {
    /// `07459  Befolkning … (1986–2026)`.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{:<6} {}", self.id, self.label)?;
        match (&self.first_period, &self.last_period) {
            (Some(a), Some(b)) => write!(f, " ({a}–{b})")?,
            (Some(a), None) => write!(f, " ({a}–)")?,
            _ => {}
        }
        if self.discontinued {
            write!(f, " [discontinued]")?;
        }
        Ok(())
    }
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn role_for(id: &str, time: bool, geo: bool, metric: bool) -> Option<Role> {
    if time {
        Some(Role::Time)
    } else if metric || id == "ContentsCode" {
        Some(Role::Metric)
    } else if geo || id == "Region" {
        Some(Role::Geo)
    } else {
        None
    }
}

/// Table metadata from either API: v0 (`{"title","variables":[{"code","text","values",
/// "valueTexts","elimination","time"}]}`), v2 JSON-stat2 (elimination in each
/// dimension's `extension`) or v2 json-px (`variables` with `values: [{code,label}]`).
pub(crate) fn parse_table_meta(table: &str, bytes: &[u8], context: &str) -> Result<TableMeta> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| Error::jsonstat(context, e))?;
    if v.get("variables").is_some() {
        parse_variables(table, &v, context)
    } else {
        parse_jsonstat_meta(table, &v, context)
    }
}

fn parse_variables(table: &str, v: &Value, context: &str) -> Result<TableMeta> {
    let vars = v
        .get("variables")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::jsonstat(context, "`variables` is not a list"))?;
    let mut dimensions = Vec::with_capacity(vars.len());
    let mut elimination = Vec::with_capacity(vars.len());
    for var in vars {
        let id = str_of(var, "code")
            .or_else(|| str_of(var, "id"))
            .ok_or_else(|| Error::jsonstat(context, "a variable without `code`"))?;
        let label = str_of(var, "text").or_else(|| str_of(var, "label")).unwrap_or_else(|| id.clone());
        let values = var.get("values").and_then(Value::as_array).cloned().unwrap_or_default();
        let (codes, labels): (Vec<String>, Vec<String>) = if values.iter().all(Value::is_string) {
            // v0: parallel `values` and `valueTexts`.
            let codes: Vec<String> = values.iter().filter_map(|x| x.as_str().map(str::to_string)).collect();
            let texts: Vec<Option<String>> = var
                .get("valueTexts")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|t| t.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            let labels = codes.iter().enumerate().map(|(i, c)| texts.get(i).cloned().flatten().unwrap_or_else(|| c.clone())).collect();
            (codes, labels)
        } else {
            // v2 json-px: `values: [{code, label}]`.
            values
                .iter()
                .map(|x| {
                    let c = str_of(x, "code").unwrap_or_default();
                    let l = str_of(x, "label").unwrap_or_else(|| c.clone());
                    (c, l)
                })
                .unzip()
        };
        let time = var.get("time").and_then(Value::as_bool).unwrap_or(false)
            || var.get("type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("TimeVariable"));
        let geo = var.get("map").is_some()
            || var.get("type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("GeographicalVariable"));
        let metric = var.get("type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("ContentsVariable"));
        elimination.push(var.get("elimination").and_then(Value::as_bool).unwrap_or(false));
        dimensions.push(Dimension { role: role_for(&id, time, geo, metric), id, label, codes, labels });
    }
    Ok(TableMeta {
        table: table.to_string(),
        label: str_of(v, "title").or_else(|| str_of(v, "label")).unwrap_or_else(|| table.to_string()),
        updated: str_of(v, "updated"),
        dimensions,
        elimination,
    })
}

/// The codes of a JSON-stat2 `category`, in index order.
fn category_codes(cat: &Value, id: &str, context: &str) -> Result<Vec<String>> {
    match cat.get("index") {
        Some(Value::Array(a)) => Ok(a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()),
        Some(Value::Object(m)) => {
            let mut slots: Vec<Option<String>> = vec![None; m.len()];
            for (code, pos) in m {
                let pos = pos.as_u64().map(|p| p as usize).filter(|&p| p < slots.len());
                let slot = pos.and_then(|p| slots.get_mut(p)).filter(|s| s.is_none()).ok_or_else(|| {
                    Error::jsonstat(context, format!("dimension {id}: bad index position for {code:?}"))
                })?;
                *slot = Some(code.clone());
            }
            Ok(slots.into_iter().map(|s| s.expect("every position filled")).collect())
        }
        _ => match cat.get("label").and_then(Value::as_object) {
            Some(l) if l.len() == 1 => Ok(l.keys().cloned().collect()),
            _ => Err(Error::jsonstat(context, format!("dimension {id} has no category index"))),
        },
    }
}

fn parse_jsonstat_meta(table: &str, v: &Value, context: &str) -> Result<TableMeta> {
    let ids: Vec<String> = v
        .get("id")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::jsonstat(context, "metadata without `id` (neither JSON-stat2 nor v0 metadata)"))?
        .iter()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect();
    let dims = v
        .get("dimension")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::jsonstat(context, "metadata without `dimension`"))?;
    let role_has = |name: &str, id: &str| {
        v.get("role")
            .and_then(|r| r.get(name))
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(id)))
    };
    let empty = Map::new();
    let mut dimensions = Vec::with_capacity(ids.len());
    let mut elimination = Vec::with_capacity(ids.len());
    for id in &ids {
        let d = dims
            .get(id)
            .ok_or_else(|| Error::jsonstat(context, format!("dimension {id:?} is listed in `id` but missing")))?;
        let cat = d.get("category").ok_or_else(|| Error::jsonstat(context, format!("dimension {id} has no category")))?;
        let codes = category_codes(cat, id, context)?;
        let lab = cat.get("label").and_then(Value::as_object).unwrap_or(&empty);
        let labels = codes.iter().map(|c| lab.get(c).and_then(Value::as_str).unwrap_or(c).to_string()).collect();
        elimination.push(d.get("extension").and_then(|e| e.get("elimination")).and_then(Value::as_bool).unwrap_or(false));
        dimensions.push(Dimension {
            id: id.clone(),
            label: str_of(d, "label").unwrap_or_else(|| id.clone()),
            codes,
            labels,
            role: role_for(id, role_has("time", id), role_has("geo", id), role_has("metric", id)),
        });
    }
    Ok(TableMeta {
        table: table.to_string(),
        label: str_of(v, "label").unwrap_or_else(|| table.to_string()),
        updated: str_of(v, "updated"),
        dimensions,
        elimination,
    })
}

/// A v2 codelist (`/codelists/{id}`): `{"id","label","values":[{"code","label","valueMap"}]}`.
pub(crate) fn parse_codelist(bytes: &[u8], context: &str) -> Result<Dimension> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| Error::jsonstat(context, e))?;
    let id = str_of(&v, "id").ok_or_else(|| Error::jsonstat(context, "codelist without `id`"))?;
    let values = v
        .get("values")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::jsonstat(context, "codelist without `values`"))?;
    let (codes, labels) = values
        .iter()
        .map(|x| {
            let c = str_of(x, "code").unwrap_or_default();
            let l = str_of(x, "label").unwrap_or_else(|| c.clone());
            (c, l)
        })
        .unzip();
    Ok(Dimension { label: str_of(&v, "label").unwrap_or_else(|| id.clone()), id, codes, labels, role: None })
}

/// A v2 table search answer: `{"tables":[{"id","label","updated","firstPeriod",…}], "page":{…}}`.
pub(crate) fn parse_search(bytes: &[u8], context: &str) -> Result<Vec<TableInfo>> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| Error::jsonstat(context, e))?;
    let tables = v
        .get("tables")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::jsonstat(context, "search answer without `tables`"))?;
    Ok(tables
        .iter()
        .map(|t| TableInfo {
            id: str_of(t, "id").unwrap_or_default(),
            label: str_of(t, "label").unwrap_or_default(),
            description: str_of(t, "description").filter(|s| !s.is_empty()),
            updated: str_of(t, "updated"),
            first_period: str_of(t, "firstPeriod"),
            last_period: str_of(t, "lastPeriod"),
            variable_names: t
                .get("variableNames")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
            discontinued: t.get("discontinued").and_then(Value::as_bool).unwrap_or(false),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v0_metadata() {
        let doc = br#"{"title":"Befolkning","variables":[
          {"code":"Region","text":"region","values":["0","0301"],"valueTexts":["Hele landet","Oslo"],"elimination":true,"map":"kommune"},
          {"code":"ContentsCode","text":"statistikkvariabel","values":["Personer1"],"valueTexts":["Personer"]},
          {"code":"Tid","text":"\u00e5r","values":["2025","2026"],"valueTexts":["2025","2026"],"time":true}]}"#;
        let m = parse_table_meta("07459", doc, "t").unwrap();
        assert_eq!(m.label, "Befolkning");
        assert_eq!(m.elimination, vec![true, false, false]);
        assert_eq!(m.dimensions[0].labels[1], "Oslo");
        assert_eq!(m.dimensions[2].role, Some(Role::Time));
        assert_eq!(m.dimensions[1].role, Some(Role::Metric));
    }

    #[test]
    fn codelist_and_search() {
        let cl = parse_codelist(br#"{"id":"agg_KommSummer","label":"Kommuner","values":[{"code":"K-3101","label":"Halden","valueMap":["0101"]}]}"#, "c").unwrap();
        assert_eq!((cl.id.as_str(), cl.codes[0].as_str(), cl.labels[0].as_str()), ("agg_KommSummer", "K-3101", "Halden"));
        let s = parse_search(br#"{"tables":[{"id":"07459","label":"Befolkning","firstPeriod":"1986","lastPeriod":"2026","variableNames":["region","\u00e5r"]}]}"#, "s").unwrap();
        assert_eq!(s[0].to_string(), "07459  Befolkning (1986–2026)");
    }
}
