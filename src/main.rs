//! `statbank`: fetch, inspect and harmonise SSB StatBank tables from the command line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use statbank::data::client::Client;
use statbank::output::{write_frame, Format};
use statbank::prelude::*;

#[derive(Parser)]
#[command(name = "statbank", version, about = "Statistics Norway (SSB) StatBank data as tidy tables",
    long_about = "Statistics Norway (SSB) StatBank data as tidy tables.\n\n\
    Set STATBANK_OFFLINE=<dir> to answer every query from a snapshot directory instead of SSB's live API.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch a table as a tidy table (one row per cell).
    Fetch {
        /// Table id, e.g. 07459.
        table: String,
        /// A selection DIM=SPEC: codes (Region=0301,4601), * , top(3), from(2010), to(2020),
        /// range(2010,2015), 03* patterns, agg:KommSummer[=codes], vs:Fylker. Repeatable.
        #[arg(long = "select", short = 's', value_name = "DIM=SPEC")]
        select: Vec<String>,
        /// PxWebApi version (live only).
        #[arg(long, default_value = "v2", value_parser = ["v0", "v2"])]
        api: String,
        /// Label language.
        #[arg(long, default_value = "no", value_parser = ["no", "en"])]
        lang: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
        format: FormatArg,
        /// Write to FILE (atomically) instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Ignore the cache and fetch again.
        #[arg(long)]
        refresh: bool,
    },
    /// Search StatBank's tables (live API).
    Tables {
        /// Words to search for, e.g. "befolkning kommune".
        search: Vec<String>,
        #[arg(long, default_value = "no", value_parser = ["no", "en"])]
        lang: String,
    },
    /// Show a table's dimensions and their codes.
    Meta {
        /// Table id, e.g. 07459.
        table: String,
        #[arg(long, default_value = "v2", value_parser = ["v0", "v2"])]
        api: String,
        #[arg(long, default_value = "no", value_parser = ["no", "en"])]
        lang: String,
    },
    /// Write a snapshot directory (the layout of data/snapshot) from the current source:
    /// with STATBANK_LIVE=1 from SSB's live API, to refresh the repository's data.
    Snapshot {
        /// Directory to write (created; files are replaced atomically).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long, default_value = "v2", value_parser = ["v0", "v2"])]
        api: String,
        /// Ignore the cache and fetch again.
        #[arg(long)]
        refresh: bool,
    },
    /// Carry table 07459 to one year's municipal borders and compare two years.
    Harmonise {
        /// Table id (07459: population 1 January).
        table: String,
        /// Borders of 1 January of this year.
        #[arg(long, default_value_t = 2024)]
        borders: i32,
        /// First year.
        #[arg(long, default_value_t = 2010)]
        from: i32,
        /// Last year (default: the latest in the table).
        #[arg(long)]
        to: Option<i32>,
        #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
        format: FormatArg,
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Run the whole analysis without Jupyter: CSVs, findings and every chart.
    Report {
        /// Output directory.
        #[arg(long, default_value = "report")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Csv,
    Json,
    Parquet,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Parquet => Format::Parquet,
        }
    }
}

fn source_for(api: &str, refresh: bool) -> statbank::Result<Source> {
    Source::from_env_with(Client::builder().api(api.parse()?).refresh(refresh).build())
}

fn emit(df: &mut DataFrame, format: FormatArg, output: Option<PathBuf>) -> statbank::Result<()> {
    match output {
        Some(path) => {
            write_frame(df, format.into(), &path)?;
            eprintln!("wrote {} rows to {}", df.height(), path.display());
            Ok(())
        }
        None => {
            let mut out = std::io::stdout().lock();
            statbank::output::write_to(df, format.into(), &mut out)?;
            out.flush().map_err(|e| statbank::Error::Io { action: "writing", path: "standard output".into(), source: e })
        }
    }
}

fn run(cli: Cli) -> statbank::Result<()> {
    match cli.command {
        Command::Fetch { table, select, api, lang, format, output, refresh } => {
            let mut q = Query::new(&table).lang(lang.parse()?);
            for s in &select {
                let (dim, spec) = s.split_once('=').ok_or_else(|| {
                    statbank::Error::Query(format!("--select {s:?}: write DIM=SPEC, e.g. Region=0301,4601 or Tid=top(3)"))
                })?;
                q = q.select_str(dim.trim(), spec)?;
            }
            let mut df = source_for(&api, refresh)?.fetch(&q)?;
            emit(&mut df, format, output)
        }
        Command::Tables { search, lang } => {
            let client = Client::builder().build();
            let found = client.search_tables(&search.join(" "), lang.parse()?)?;
            for t in found {
                println!("{t}");
            }
            Ok(())
        }
        Command::Meta { table, api, lang } => {
            let meta = source_for(&api, false)?.metadata_in(&table, lang.parse()?)?;
            print!("{meta}");
            Ok(())
        }
        Command::Harmonise { table, borders, from, to, format, output } => {
            if table != "07459" {
                return Err(statbank::Error::Config(format!(
                    "harmonise compares population between two years and reads table 07459; got {table}"
                )));
            }
            let source = Source::from_env()?;
            let to = match to {
                Some(t) => t,
                None => source.metadata("07459")?.dimension("Tid").and_then(|d| d.codes.last()).and_then(|c| c.parse().ok()).ok_or_else(|| statbank::Error::Config("table 07459 has no years in this source".into()))?,
            };
            let mut df = statbank::analysis::population_change(&source, borders, from, to)?
                .select(["code", "name", "pop_from", "pop_to", "change", "pct_change"])?;
            emit(&mut df, format, output)
        }
        Command::Snapshot { out, api, refresh } => {
            let source = source_for(&api, refresh)?;
            eprintln!("writing a snapshot of {} to {}", source.describe(), out.display());
            let report = statbank::data::offline::write_snapshot(&source, &out)?;
            for f in &report.files {
                println!("wrote {}", f.display());
            }
            for s in &report.skipped {
                println!("skipped: {s}");
            }
            Ok(())
        }
        Command::Report { out } => {
            let source = Source::from_env()?;
            let summary = statbank::report::write_report(&source, &out)?;
            println!("{summary}");
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::FAILURE
        }
    }
}
