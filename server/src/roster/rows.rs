//! Reading a roster's rows: the header, then every cell checked against
//! the rules and what the county already has, without touching the
//! database, so every bad cell of the file is reported at once.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use zhibu_shared::org::{ImportError, MemberCategory, OrgKind};
use zhibu_shared::phone::Phone;

use super::parse::{self, HEADERS, Sheet};
use crate::orgs::tree;

/// One valid row.
#[derive(Debug, Clone)]
pub(super) struct Row {
    /// The sheet's row number (the header is row 1).
    pub row_no: usize,
    pub name: String,
    pub phone: Phone,
    pub path: Vec<String>,
    pub categories: BTreeSet<MemberCategory>,
    pub joined: Option<NaiveDate>,
    /// Marked 预备党员 in 党员类别.
    pub probationary: bool,
    pub community: Option<CommunityRef>,
    /// The optional 工作单位 column; `None` when the file has no such column
    /// (then the stored employer is kept).
    pub employer: Option<Option<String>>,
}

/// A row's 报到社区: one that exists, or a new one to create under a
/// township or street, written `街道/社区`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum CommunityRef {
    Existing(i64),
    New { street: i64, name: String },
}

/// A live township or street, where communities are set up.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub(super) struct Street {
    pub id: i64,
    pub name: String,
}

/// What the rows are checked against.
#[derive(Debug, Default)]
pub(super) struct Known {
    /// Community ids by name (names may repeat across streets).
    pub communities: HashMap<String, Vec<i64>>,
    /// Community ids by street and name.
    pub by_street: HashMap<(i64, String), i64>,
    pub streets: Vec<Street>,
    /// Streets where the importer may create communities.
    pub may_create: HashSet<i64>,
    pub today: NaiveDate,
}

/// The 党员类别 word that marks a probationary member.
const PROBATIONARY: &[&str] = &["预备党员", "预备"];

/// The earliest plausible date of joining the Party.
const PARTY_FOUNDED: (i32, u32, u32) = (1921, 7, 1);

/// The longest 工作单位 kept, in characters.
const MAX_EMPLOYER_CHARS: usize = 100;

/// Where each column is: the six of the contract, and 工作单位 if present.
struct Columns {
    at: [usize; 6],
    employer: Option<usize>,
}

/// The valid rows, or every bad cell (row 1 for the header).
pub(super) fn read(sheet: &Sheet, known: &Known) -> Result<Vec<Row>, Vec<ImportError>> {
    let Some(header) = sheet.first() else {
        return Err(vec![bad(1, "表头", "文件是空的".into())]);
    };
    let columns = columns(header)?;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen_phones: HashMap<String, usize> = HashMap::new();
    for (index, cells) in sheet.iter().enumerate().skip(1) {
        let row_no = index + 1;
        let mut problems = Vec::new();
        let row = read_row(known, &columns, row_no, cells, &mut problems);
        if let Some(row) = &row
            && let Some(first) = seen_phones.insert(row.phone.as_str().to_owned(), row_no)
        {
            problems.push((HEADERS[1], format!("手机号与第 {first} 行重复")));
        }
        if problems.is_empty() {
            rows.extend(row);
        } else {
            errors.extend(
                problems
                    .into_iter()
                    .map(|(field, message)| bad(row_no, field, message)),
            );
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn bad(row: usize, field: &str, message: String) -> ImportError {
    ImportError {
        row,
        field: field.to_owned(),
        message,
    }
}

fn columns(header: &[String]) -> Result<Columns, Vec<ImportError>> {
    let mut at = [0usize; 6];
    let mut missing = Vec::new();
    for (i, wanted) in HEADERS.iter().enumerate() {
        match header.iter().position(|h| h.trim() == *wanted) {
            Some(pos) => at[i] = pos,
            None => missing.push(bad(1, wanted, format!("缺少列“{wanted}”"))),
        }
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    let employer = header
        .iter()
        .position(|h| h.trim() == parse::EMPLOYER_HEADER);
    Ok(Columns { at, employer })
}

type Problems = Vec<(&'static str, String)>;

/// One row: `None` when it is blank or has a bad cell (then in `problems`).
fn read_row(
    known: &Known,
    columns: &Columns,
    row_no: usize,
    cells: &[String],
    problems: &mut Problems,
) -> Option<Row> {
    let cell = |i: usize| {
        cells
            .get(columns.at[i])
            .map(String::as_str)
            .unwrap_or("")
            .trim()
    };
    if (0..6).all(|i| cell(i).is_empty()) {
        return None;
    }
    let name = cell(0);
    if name.is_empty() || name.chars().count() > tree::MAX_NAME_CHARS {
        problems.push((HEADERS[0], "姓名不能为空，且不超过 50 个字".into()));
    }
    let phone = Phone::parse(cell(1))
        .map_err(|e| problems.push((HEADERS[1], e.to_string())))
        .ok();
    let path = org_path(cell(2), problems);
    let (categories, probationary) = categories(cell(3), problems);
    let joined = joined(cell(4), known.today, problems);
    let community = community(cell(5), known, problems);
    let employer = columns.employer.map(|col| {
        let text = cells.get(col).map(|c| c.trim()).unwrap_or("");
        (!text.is_empty()).then(|| text.to_owned())
    });
    if employer.as_ref().is_some_and(|e| {
        e.as_ref()
            .is_some_and(|e| e.chars().count() > MAX_EMPLOYER_CHARS)
    }) {
        problems.push((
            parse::EMPLOYER_HEADER,
            format!("工作单位不能超过 {MAX_EMPLOYER_CHARS} 个字"),
        ));
    }
    Some(Row {
        row_no,
        name: name.to_owned(),
        phone: phone?,
        path,
        categories,
        joined,
        probationary,
        community,
        employer,
    })
}

/// 所在党组织: the path of unit names from the county down, ending at a
/// unit that holds members.
fn org_path(text: &str, problems: &mut Problems) -> Vec<String> {
    let path: Vec<String> = text.split('/').map(|s| s.trim().to_owned()).collect();
    let names: Vec<&str> = path.iter().map(String::as_str).collect();
    if let Some(problem) = tree::path_problem(&names) {
        problems.push((HEADERS[2], problem));
    } else if names
        .last()
        .and_then(|n| OrgKind::infer_from_name(n))
        .is_some_and(|k| !k.holds_members())
    {
        problems.push((HEADERS[2], "党员须隶属于县委以下的基层组织".into()));
    }
    path
}

/// 党员类别: the categories, and whether 预备党员 is among them.
fn categories(text: &str, problems: &mut Problems) -> (BTreeSet<MemberCategory>, bool) {
    let mut categories = BTreeSet::new();
    let mut probationary = false;
    for part in text
        .split([',', '，', '、', ';', '；', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if PROBATIONARY.contains(&part) {
            probationary = true;
        } else if let Some(c) = MemberCategory::from_zh(part) {
            categories.insert(c);
        } else {
            problems.push((
                HEADERS[3],
                format!(
                    "未知的党员类别“{part}”（可选：在职、无职设岗、流动、困难、离退休、预备党员）"
                ),
            ));
        }
    }
    (categories, probationary)
}

/// 入党日期: empty, or a date between the Party's founding and today.
fn joined(text: &str, today: NaiveDate, problems: &mut Problems) -> Option<NaiveDate> {
    if text.is_empty() {
        return None;
    }
    let founded = NaiveDate::from_ymd_opt(PARTY_FOUNDED.0, PARTY_FOUNDED.1, PARTY_FOUNDED.2)?;
    let problem = match parse::parse_date(text) {
        Some(d) if d > today => "入党日期不能晚于今天".to_owned(),
        Some(d) if d < founded => "入党日期不能早于 1921-07-01".to_owned(),
        Some(d) => return Some(d),
        None => format!("日期“{text}”无法识别，请写成 2001-07-01"),
    };
    problems.push((HEADERS[4], problem));
    None
}

/// 报到社区: empty, a community's name, or `街道/社区`, which names the
/// street and creates the community there when it is new and the importer
/// may.
fn community(text: &str, known: &Known, problems: &mut Problems) -> Option<CommunityRef> {
    if text.is_empty() {
        return None;
    }
    let mut refuse = |message: String| {
        problems.push((HEADERS[5], message));
        None
    };
    let Some((street_text, name)) = text.rsplit_once('/') else {
        return match known.communities.get(text).map(Vec::as_slice) {
            Some([id]) => Some(CommunityRef::Existing(*id)),
            Some([_, _, ..]) => refuse(format!("有多个名为“{text}”的社区，请写成“街道/社区”")),
            _ => refuse(format!("社区“{text}”不存在；如需新建，请写成“街道/{text}”")),
        };
    };
    let name = name.trim();
    let street_text = street_text.rsplit('/').next().unwrap_or("").trim();
    let street = match find_street(&known.streets, street_text) {
        Ok(street) => street,
        Err(message) => return refuse(message),
    };
    if let Some(id) = known.by_street.get(&(street, name.to_owned())) {
        return Some(CommunityRef::Existing(*id));
    }
    if let Some(problem) = tree::name_problem(name) {
        return refuse(format!("社区名称：{problem}"));
    }
    if !known.may_create.contains(&street) {
        return refuse(format!("社区“{name}”不存在，且您无权在该街道新建社区"));
    }
    Some(CommunityRef::New {
        street,
        name: name.to_owned(),
    })
}

/// The township or street a roster names: its unit's full name, or the
/// name without the committee's suffix (城关街道 for 城关街道党工委).
fn find_street(streets: &[Street], text: &str) -> Result<i64, String> {
    let exact: Vec<i64> = streets
        .iter()
        .filter(|s| s.name == text)
        .map(|s| s.id)
        .collect();
    let hits = if exact.is_empty() && !text.is_empty() {
        streets
            .iter()
            .filter(|s| s.name.starts_with(text))
            .map(|s| s.id)
            .collect()
    } else {
        exact
    };
    match hits.as_slice() {
        [id] => Ok(*id),
        [] => Err(format!("找不到街道（乡镇）“{text}”")),
        _ => Err(format!("“{text}”对应多个街道（乡镇），请写全称")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known {
        Known {
            communities: HashMap::from([("东关社区".to_owned(), vec![7])]),
            by_street: HashMap::from([((2, "东关社区".to_owned()), 7)]),
            streets: vec![
                Street {
                    id: 2,
                    name: "城关街道党工委".into(),
                },
                Street {
                    id: 3,
                    name: "渔沃街道党工委".into(),
                },
            ],
            may_create: HashSet::from([2]),
            today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        }
    }

    #[test]
    fn a_street_is_named_in_full_or_without_its_committees_suffix() {
        let k = known();
        let mut problems = Vec::new();
        assert_eq!(
            community("城关街道/新城社区", &k, &mut problems),
            Some(CommunityRef::New {
                street: 2,
                name: "新城社区".into()
            })
        );
        assert_eq!(
            community("城关街道党工委/东关社区", &k, &mut problems),
            Some(CommunityRef::Existing(7))
        );
        assert_eq!(
            community("东关社区", &k, &mut problems),
            Some(CommunityRef::Existing(7))
        );
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn a_new_community_needs_an_importer_who_is_admin_of_its_street() {
        let k = known();
        let mut problems = Vec::new();
        assert_eq!(community("渔沃街道/新社区", &k, &mut problems), None);
        assert_eq!(community("无名街道/新社区", &k, &mut problems), None);
        assert_eq!(community("新社区", &k, &mut problems), None);
        assert_eq!(problems.len(), 3);
        assert!(problems[0].1.contains("无权"));
        assert!(problems[1].1.contains("无名街道"));
        assert!(problems[2].1.contains("街道/新社区"));
    }

    #[test]
    fn categories_are_read_in_chinese_and_mark_probationary_members() {
        let mut problems = Vec::new();
        let (set, probationary) = categories("在职，预备党员、困难", &mut problems);
        assert!(probationary);
        assert_eq!(
            set,
            BTreeSet::from([MemberCategory::InOffice, MemberCategory::InDifficulty])
        );
        assert!(problems.is_empty());
        categories("在职,党委书记", &mut problems);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn joining_dates_lie_between_the_founding_and_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let mut problems = Vec::new();
        assert_eq!(
            joined("2001.7.1", today, &mut problems),
            NaiveDate::from_ymd_opt(2001, 7, 1)
        );
        assert_eq!(joined("1921-06-30", today, &mut problems), None);
        assert_eq!(joined("2026-12-01", today, &mut problems), None);
        assert_eq!(joined("去年", today, &mut problems), None);
        assert_eq!(problems.len(), 3);
    }
}
