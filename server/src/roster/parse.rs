//! Reading roster files (CSV in UTF-8 or GBK, or XLSX) into rows of text.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{Duration, NaiveDate};

/// The roster's columns, as their Chinese headers.
pub const HEADERS: [&str; 6] = [
    "姓名",
    "手机号",
    "所在党组织",
    "党员类别",
    "入党日期",
    "报到社区",
];

/// An optional seventh column: the employer of in-office members.
pub const EMPLOYER_HEADER: &str = "工作单位";

/// A file's rows as trimmed strings; row 0 is the header.
pub type Sheet = Vec<Vec<String>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// Tells the format from a file name, falling back to the content
    /// (XLSX files are ZIP archives).
    pub fn detect(file_name: Option<&str>, bytes: &[u8]) -> Format {
        let lower = file_name.unwrap_or("").to_ascii_lowercase();
        if lower.ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

/// The most data rows a roster may hold (a county has tens of thousands of
/// members; a province imports county by county).
pub const MAX_ROWS: usize = 100_000;
/// Columns beyond this are ignored: the roster has seven.
pub const MAX_COLUMNS: usize = 32;

pub fn read(format: Format, bytes: &[u8]) -> Result<Sheet, String> {
    match format {
        Format::Csv => read_csv(bytes),
        Format::Xlsx => read_xlsx(bytes),
    }
}

fn too_many_rows() -> String {
    format!("名册不能超过 {MAX_ROWS} 行，请分批导入")
}

fn read_csv(bytes: &[u8]) -> Result<Sheet, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Excel in China saves CSV as GBK; decode that rather than fail.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV".into());
            }
            text.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("CSV 格式有误：{e}"))?;
        if rows.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
        rows.push(
            record
                .iter()
                .take(MAX_COLUMNS)
                .map(|c| c.trim().to_owned())
                .collect(),
        );
    }
    Ok(rows)
}

/// Streams the first sheet's cells instead of materialising its declared
/// range: a crafted file with one cell at `XFD1048576` would otherwise
/// allocate the whole grid. Cells past the bounds are refused or ignored
/// before anything is allocated for them.
fn read_xlsx(bytes: &[u8]) -> Result<Sheet, String> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("无法读取 XLSX 文件：{e}"))?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or("XLSX 文件中没有工作表")?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| format!("无法读取工作表：{e}"))?;
    let mut rows: Sheet = Vec::new();
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| format!("无法读取工作表：{e}"))?
    {
        let (row, column) = cell.get_position();
        let (row, column) = (row as usize, column as usize);
        let value = cell_text(&Data::from(cell.get_value().clone()));
        if value.is_empty() {
            continue;
        }
        if row > MAX_ROWS {
            return Err(too_many_rows());
        }
        if column >= MAX_COLUMNS {
            continue;
        }
        if rows.len() <= row {
            rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut rows[row];
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = value;
    }
    // Like Excel's used range: the table starts at its first filled row and
    // column, wherever it was typed.
    let first_row = rows.iter().position(|r| !r.is_empty()).unwrap_or(0);
    rows.drain(..first_row);
    let first_column = rows
        .iter()
        .filter_map(|r| r.iter().position(|c| !c.is_empty()))
        .min()
        .unwrap_or(0);
    for row in &mut rows {
        row.drain(..first_column.min(row.len()));
    }
    Ok(rows)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        // Phone numbers typed into Excel become floats; print them whole.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_serial_date(dt.as_f64())
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        Data::Error(e) => format!("{e:?}"),
    }
}

/// Excel's serial day number (1900 system) as a date.
fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(Duration::days(serial.floor() as i64))
}

/// Accepts `2001-07-01`, `2001/7/1` and `2001.07.01`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let normal: String = text
        .trim()
        .replace(['/', '.', '年', '月'], "-")
        .trim_end_matches('日')
        .to_owned();
    let mut parts = normal.split('-').map(str::trim);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_the_usual_spellings() {
        let d = NaiveDate::from_ymd_opt(2001, 7, 1).unwrap();
        for text in ["2001-07-01", "2001/7/1", "2001.07.01", "2001年7月1日"] {
            assert_eq!(parse_date(text), Some(d), "{text}");
        }
        assert_eq!(parse_date("2001-13-01"), None);
        assert_eq!(excel_serial_date(37073.0), Some(d));
    }

    #[test]
    fn gbk_csv_files_are_decoded() {
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,手机号\n张三,13800000002\n");
        let rows = read(Format::Csv, &gbk).unwrap();
        assert_eq!(rows[1], ["张三", "13800000002"]);
    }

    /// An XLSX file whose only sheet has `cells` (A1-style reference, text).
    fn xlsx(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (row, col, text) in cells {
            sheet.write_string(*row, *col, *text).unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_cell_far_beyond_the_limits_is_refused_without_allocating_the_grid() {
        let bytes = xlsx(&[(0, 0, "姓名"), (1_048_575, 16_383, "x")]);
        assert!(bytes.len() < 10_000);
        let error = read(Format::Xlsx, &bytes).unwrap_err();
        assert!(error.contains("不能超过"), "{error}");
    }

    #[test]
    fn xlsx_cells_land_in_their_rows_and_far_columns_are_ignored() {
        let bytes = xlsx(&[
            (0, 0, "姓名"),
            (0, 1, "手机号"),
            (2, 1, "13800000002"),
            (2, 200, "ignored"),
        ]);
        let rows = read(Format::Xlsx, &bytes).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], ["姓名", "手机号"]);
        assert!(rows[1].is_empty());
        assert_eq!(rows[2], ["", "13800000002"]);
    }
}
