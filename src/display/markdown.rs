//! Markdown text that shows itself rendered in a notebook.

/// Markdown that evcxr displays rendered (as `text/markdown`), e.g. prose written
/// from computed numbers. `Display` gives the raw text.
///
/// ```
/// use statbank::display::markdown::Markdown;
/// let m = Markdown(format!("**Oslo** grew by {}", 141_854));
/// assert_eq!(m.to_string(), "**Oslo** grew by 141854");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Markdown(pub String);

impl Markdown {
    /// Called by evcxr when a `Markdown` is the last expression of a cell.
    pub fn evcxr_display(&self) {
        println!("EVCXR_BEGIN_CONTENT text/markdown\n{}\nEVCXR_END_CONTENT", self.0);
    }
}

impl std::fmt::Display for Markdown {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
