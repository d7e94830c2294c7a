//! Municipal borders over time. Norway's municipalities were merged in 2020 and some
//! split again in 2024, so a code from 2010 often names another territory in 2026.
//!
//! * [`harmonise`]: [`Harmoniser`](harmonise::Harmoniser) carries a series to the
//!   municipalities of one year, exactly where codes were renumbered or merged and by
//!   population shares where a municipality was split;
//! * [`counties`]: which county a municipality belonged to in a year.

pub mod counties;
pub mod harmonise;
