//! The hours report as county staff open it: CSV (UTF-8 with a BOM) or
//! XLSX, with text cells a spreadsheet would run neutralised.

use zhibu_shared::volunteer::{HoursReport, HoursRow, hours};

/// The columns in Chinese, as county staff read them; the first two name
/// what a row is about.
fn headers(report: &HoursReport) -> [&'static str; 6] {
    let (key, name) = match report.by.as_str() {
        "month" => ("月份", "月份名称"),
        "kind" => ("类别代码", "服务类别"),
        _ => ("单位编号", "单位"),
    };
    [key, name, "分钟", "小时", "条数", "人数"]
}

/// A text cell as a spreadsheet will not run it: a leading `=`, `+`, `-`,
/// `@`, tab or carriage return makes Excel read a formula (CSV injection),
/// so such a cell is prefixed with an apostrophe, which Excel hides.
pub fn csv_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn export_row(row: &HoursRow) -> [String; 6] {
    [
        csv_text(&row.key),
        csv_text(&row.name),
        row.minutes.to_string(),
        hours(row.minutes),
        row.entries.to_string(),
        row.members.to_string(),
    ]
}

/// The report's rows as CSV (UTF-8 with a BOM, so Excel opens it right).
pub fn to_csv(report: &HoursReport) -> anyhow::Result<Vec<u8>> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(headers(report))?;
        for row in &report.rows {
            writer.write_record(export_row(row))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

/// The same rows as XLSX.
pub fn to_xlsx(report: &HoursReport) -> anyhow::Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("服务时长")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (col, header) in headers(report).iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *header, &bold)?;
    }
    for (i, row) in report.rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &row.key)?;
        sheet.write_string(r, 1, &row.name)?;
        sheet.write_number(r, 2, row.minutes as f64)?;
        sheet.write_number(r, 3, (row.minutes as f64 / 6.0).round() / 10.0)?;
        sheet.write_number(r, 4, row.entries as f64)?;
        sheet.write_number(r, 5, row.members as f64)?;
    }
    sheet.set_column_width(1, 24)?;
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::csv_text;

    #[test]
    fn cells_a_spreadsheet_would_run_as_formulas_are_neutralised() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_text(bad), format!("'{bad}"));
        }
        assert_eq!(csv_text("东关社区"), "东关社区");
        assert_eq!(csv_text("a=b"), "a=b");
    }
}
