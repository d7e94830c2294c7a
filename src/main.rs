//! `statbank` command line (being written).
fn main() {
    eprintln!("statbank: the command line is being written");
}
