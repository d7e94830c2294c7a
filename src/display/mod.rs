//! How frames and text show up in a notebook: [`table`] renders a frame as an HTML table
//! (and aligned text), [`markdown`] shows Markdown as rendered text.

pub mod markdown;
pub mod table;
