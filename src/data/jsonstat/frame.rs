//! [`Dataset::to_frame`]: the cube flattened to a tidy frame, one row per cell.

use std::collections::HashMap;

use polars::prelude::*;
use polars_arrow::array::{Utf8ViewArray, View};
use polars_arrow::bitmap::{Bitmap, MutableBitmap};

use super::{parse_period, Dataset, Role};
use crate::error::{Error, Result};

impl Dataset {
    /// Flatten the cube into a tidy frame, one row per cell (see the module docs for the columns).
    ///
    /// The cube's layout is regular, so no column needs a per-row lookup: along a
    /// dimension with stride `s` (the product of the later dimensions' sizes) every
    /// category fills `s` consecutive rows and that block repeats to the end. Code and
    /// label columns are therefore built by repeating each category's 16-byte string
    /// view (see `repeat_layout` and `ViewDict`); a dimension with a single category
    /// becomes a scalar column of the frame's height, which polars materialises only
    /// if an operation needs it.
    pub fn to_frame(&self) -> Result<DataFrame> {
        let n = self.len();
        let sizes: Vec<usize> = self.dimensions.iter().map(|d| d.len()).collect();
        let strides = strides(&sizes);
        let mut columns: Vec<Column> = Vec::with_capacity(self.dimensions.len() * 2 + 4);
        let mut taken = std::collections::HashSet::new();
        for (k, d) in self.dimensions.iter().enumerate() {
            let (code_name, label_name) = d.column_names();
            let (code_name, label_name) = if ["value", "status", "year", "date"].contains(&label_name.as_str()) {
                (format!("{label_name}_dim_code"), format!("{label_name}_dim"))
            } else {
                (code_name, label_name)
            };
            if !taken.insert(label_name.clone()) {
                return Err(Error::jsonstat("frame", format!("two dimensions map to the column name {label_name:?}")));
            }
            let code_col = category_column(&d.codes, strides[k], n);
            let label_col = if d.labels == d.codes { code_col.clone() } else { category_column(&d.labels, strides[k], n) };
            columns.push(code_col.with_name(code_name.into()));
            columns.push(label_col.with_name(label_name.into()));
            if d.role == Some(Role::Time) {
                let parsed: Vec<Option<(i32, i32)>> = d.codes.iter().map(|c| parse_period(c)).collect();
                let years: Vec<Option<i32>> = parsed.iter().map(|p| p.map(|(y, _)| y)).collect();
                let days: Vec<Option<i32>> = parsed.iter().map(|p| p.map(|(_, days)| days)).collect();
                columns.push(period_column("year", &years, false, strides[k], n));
                columns.push(period_column("date", &days, true, strides[k], n));
            }
        }
        columns.push(self.value_column().into_column());
        columns.push(self.status_column().into_column());
        Ok(DataFrame::new(n, columns)?)
    }

    /// `value`: Float64, null where the cell is null; it shares the dataset's array
    /// (see [`Values`]).
    fn value_column(&self) -> Float64Chunked {
        Float64Chunked::with_chunk("value".into(), self.values.array.clone())
    }

    /// `status`: the cell's symbol, null where it has none.
    ///
    /// Statuses are few distinct short strings (`..`, `:`) over mostly null cells, so
    /// the column gets one view per distinct symbol, copied to the cells that carry it.
    fn status_column(&self) -> StringChunked {
        let n = self.len();
        if self.status.is_empty() {
            return StringChunked::full_null("status".into(), n);
        }
        let mut dict = ViewDict::default();
        let mut seen: HashMap<&str, View> = HashMap::new();
        // Null cells keep the all-zero view (an empty inline string), as polars' own null
        // arrays do. Huge pages pay off once the statuses are dense enough to touch most
        // 4 KiB pages of views anyway: from about one in 2 000 cells (a 2 MiB page of
        // views then holds some 60 of them).
        let mut views = zeroed_views(n, self.status.len().saturating_mul(2048) >= n);
        let mut validity = MutableBitmap::from_len_zeroed(n);
        let mut bytes_len = 0;
        for (i, s) in &self.status {
            views[i] = *seen.entry(s).or_insert_with(|| dict.view(s));
            validity.set(i, true);
            bytes_len += s.len();
        }
        StringChunked::with_chunk("status".into(), dict.into_array(views, Some(validity.freeze()), bytes_len))
    }
}

/// The strings of a string view array under construction: every distinct string gets a
/// 16-byte [`View`] that holds it inline (≤ 12 bytes) or points into one shared data
/// buffer. Copying a view copies the string as far as the array is concerned.
#[derive(Default)]
struct ViewDict {
    /// Bytes of the strings longer than [`View::MAX_INLINE_SIZE`], back to back.
    data: Vec<u8>,
}

impl ViewDict {
    /// The view for `s`, appending it to the data buffer if it does not fit inline.
    fn view(&mut self, s: &str) -> View {
        let offset = u32::try_from(self.data.len()).expect("category strings exceed 4 GiB");
        if s.len() > View::MAX_INLINE_SIZE as usize {
            self.data.extend_from_slice(s.as_bytes());
        }
        View::new_from_bytes(s.as_bytes(), 0, offset)
    }

    /// An array of `views` (each from [`ViewDict::view`] on this dictionary, or the
    /// all-zero view under a null) whose non-null strings total `bytes_len` bytes.
    fn into_array(self, views: Vec<View>, validity: Option<Bitmap>, bytes_len: usize) -> Utf8ViewArray {
        let buffer_len = self.data.len();
        let buffers = if self.data.is_empty() { vec![] } else { vec![self.data.into()] };
        // SAFETY: every view is inline (valid UTF-8 copied from a `&str`, or the
        // all-zero empty string) or was made by `view` for a `&str` stored at its offset
        // in buffer 0, which is the one buffer passed. `validity`, when given, has one bit
        // per view. `bytes_len` and `buffer_len` are the array's true totals.
        unsafe {
            Utf8ViewArray::new_unchecked(
                ArrowDataType::Utf8View,
                views.into(),
                buffers.into(),
                validity,
                Some(bytes_len),
                buffer_len,
            )
        }
    }
}

/// `n` all-zero views (empty inline strings) from a zeroed allocation.
///
/// Large allocations come straight from the kernel, already zero, so the pages of a
/// mostly-null column that are never written are never touched either; a filled
/// `vec![View::default(); n]` would write (and page in) every one of them. With
/// `huge`, the caller will write to most of the memory anyway and huge pages are
/// asked for (see [`advise_huge_pages`]).
fn zeroed_views(n: usize, huge: bool) -> Vec<View> {
    if n == 0 {
        return Vec::new();
    }
    let layout = std::alloc::Layout::array::<View>(n).expect("a view vector of this length fits in memory");
    // SAFETY: `layout` has a non-zero size (n > 0 and a view is 16 bytes).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<View>();
    if ptr.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    if huge {
        advise_huge_pages(ptr, n);
    }
    // SAFETY: `ptr` comes from the global allocator with the layout of `[View; n]`, the
    // layout a `Vec<View>` of capacity `n` uses, and all `n` elements are initialised:
    // `View` is `#[repr(C)]` over four `u32`s, for which all-zero bits are a valid value
    // (polars-arrow marks it `bytemuck::Zeroable`).
    unsafe { Vec::from_raw_parts(ptr, n, n) }
}

/// Ask Linux for transparent huge pages under a large allocation that is about to be
/// written in full: `len` elements of `T` from `ptr`.
///
/// `to_frame` writes a few hundred MB of fresh memory for a cube of a few million
/// cells (16 bytes a cell for each string column). With 4 KiB pages every page costs a
/// fault (a kernel entry, zeroing, cgroup accounting, and in a VM more), and those
/// faults were most of `to_frame`'s time; a 2 MiB page costs one. Where transparent
/// huge pages run in `madvise` mode (the default of several distributions) only
/// advised memory gets them; `always` needs no advice and `never` ignores it.
///
/// Only the whole 2 MiB pages inside the allocation are advised, and only for
/// allocations of 4 MiB or more. The advice changes neither the contents nor the
/// ownership of the memory; a failure (say, a kernel without THP) is ignored. It does
/// stay on the address range after the memory is freed, where the allocator may reuse
/// it; that only matters for memory that is later touched sparsely.
///
/// `STATBANK_HUGE_PAGES=0` in the environment turns the advice off (read once per
/// process): the parse bench compares both ways (`scripts/bench-parse`).
#[cfg(target_os = "linux")]
pub(super) fn advise_huge_pages<T>(ptr: *const T, len: usize) {
    const HUGE: usize = 2 << 20;
    if !huge_page_advice() {
        return;
    }
    let start = ptr as usize;
    let Some(end) = len.checked_mul(std::mem::size_of::<T>()).and_then(|b| b.checked_add(start)) else {
        return;
    };
    if end - start < 2 * HUGE {
        return;
    }
    // Round inwards to 2 MiB boundaries (no overflow: `end` fits and `first` ≤ `end`).
    let first = (start + HUGE - 1) & !(HUGE - 1);
    let last = end & !(HUGE - 1);
    if last > first {
        // SAFETY: `first..last` is page aligned and lies inside the live allocation at
        // `ptr` (of at least `end - start` bytes). `MADV_HUGEPAGE` only sets a paging
        // hint on the range; it neither changes, moves nor frees any memory.
        unsafe { libc::madvise(first as *mut libc::c_void, last - first, libc::MADV_HUGEPAGE) };
    }
}

/// The environment variable that, set to `0`, stops `to_frame` asking Linux for
/// transparent huge pages under its large columns (for the parse bench's comparison).
pub const HUGE_PAGES_ENV: &str = "STATBANK_HUGE_PAGES";

/// Whether `to_frame` asks for transparent huge pages in this process: yes unless
/// [`HUGE_PAGES_ENV`] is `0` (read once, at the first call).
///
/// ```
/// // The tests run without STATBANK_HUGE_PAGES=0, so the advice is on.
/// assert!(statbank::data::jsonstat::huge_page_advice());
/// ```
pub fn huge_page_advice() -> bool {
    static WANTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WANTED.get_or_init(|| std::env::var_os(HUGE_PAGES_ENV).map_or(true, |v| v != "0"))
}

/// Elsewhere, a no-op.
#[cfg(not(target_os = "linux"))]
pub(super) fn advise_huge_pages<T>(_ptr: *const T, _len: usize) {}

/// The code or label column of a dimension whose categories are `strings`, with
/// `stride` cells per category and `n` cells in all.
fn category_column(strings: &[String], stride: usize, n: usize) -> Column {
    if let [only] = strings {
        let value = AnyValue::StringOwned(only.as_str().into());
        return Column::new_scalar(PlSmallStr::EMPTY, Scalar::new(DataType::String, value), n);
    }
    let mut dict = ViewDict::default();
    let views: Vec<View> = strings.iter().map(|s| dict.view(s)).collect();
    let views = repeat_layout(&views, stride, n);
    // Every category fills the same number of cells.
    let per_category = if strings.is_empty() { 0 } else { n / strings.len() };
    let bytes_len = strings.iter().map(String::len).sum::<usize>() * per_category;
    StringChunked::with_chunk(PlSmallStr::EMPTY, dict.into_array(views, None, bytes_len)).into_column()
}

/// The `year` (Int32) or `date` (Date) column of a time dimension with `stride` cells
/// per category; `items` holds one value per category (`None` for a code that is no
/// period).
fn period_column(name: &str, items: &[Option<i32>], date: bool, stride: usize, n: usize) -> Column {
    if let [only] = items {
        let (dtype, value) = match (date, *only) {
            (false, v) => (DataType::Int32, v.map_or(AnyValue::Null, AnyValue::Int32)),
            (true, v) => (DataType::Date, v.map_or(AnyValue::Null, AnyValue::Date)),
        };
        return Column::new_scalar(name.into(), Scalar::new(dtype, value), n);
    }
    let ca = if items.iter().all(Option::is_some) {
        let items: Vec<i32> = items.iter().flatten().copied().collect();
        Int32Chunked::from_vec(name.into(), repeat_layout(&items, stride, n))
    } else {
        repeat_layout(items, stride, n).into_iter().collect_ca(name.into())
    };
    if date { ca.into_date().into_series().into_column() } else { ca.into_column() }
}

/// `Region` → `region`, `ContentsCode` → `contents`, `InnvandrKat` → `innvandr_kat`.
pub(crate) fn column_base(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 4);
    let chars: Vec<char> = id.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            if prev_lower && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let trimmed = out.trim_end_matches('_');
    let base = trimmed.strip_suffix("_code").unwrap_or(trimmed);
    if base.is_empty() { "dim".to_string() } else { base.to_string() }
}

/// The values of a dimension's column over a cube of `n` cells: `items[0]` repeated
/// `stride` times, then `items[1]` …, the whole block repeated up to `n`.
///
/// The block is written once and then doubled with `extend_from_within` (a memcpy),
/// so filling a column costs little more than writing its memory.
fn repeat_layout<T: Copy>(items: &[T], stride: usize, n: usize) -> Vec<T> {
    if n == 0 || items.is_empty() || stride == 0 {
        return Vec::new();
    }
    let mut v = Vec::with_capacity(n);
    advise_huge_pages(v.as_ptr(), n);
    for &x in items {
        v.resize(v.len() + stride, x);
    }
    while v.len() < n {
        let take = (n - v.len()).min(v.len());
        v.extend_from_within(..take);
    }
    v.truncate(n);
    v
}

/// Row-major strides of a cube of these sizes: how many cells one step along each
/// dimension moves (the last dimension varies fastest).
pub(crate) fn strides(sizes: &[usize]) -> Vec<usize> {
    let mut s = vec![1; sizes.len()];
    for k in (0..sizes.len().saturating_sub(1)).rev() {
        s[k] = s[k + 1] * sizes[k + 1];
    }
    s
}

/// Call `f` with every multi-index of a cube of these sizes, row-major.
pub(super) fn for_each_index(sizes: &[usize], mut f: impl FnMut(&[usize])) {
    if sizes.contains(&0) {
        return;
    }
    let mut idx = vec![0; sizes.len()];
    loop {
        f(&idx);
        let mut k = sizes.len();
        loop {
            if k == 0 {
                return;
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] < sizes[k] {
                break;
            }
            idx[k] = 0;
        }
    }
}

